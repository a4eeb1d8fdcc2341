"""End to end in Chromium: the @mention autocomplete (static/js/mentions.js) in a reply composer,
chosen with the keyboard alone, posted, and the mentioned person is notified."""
import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Notification
from tests import factories
from tests.helpers import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def thread():
    """A private community with Fenna (who replies), Sanne and Santiago as members, and Sandra,
    who is not a member; a discussion to reply to."""
    coordinator = factories.user(name="Marieke Jansen", kind="other")
    community = factories.community(name="Kring Oost", visibility="private", join_policy="invite",
                                    coordinator=coordinator)
    members = {}
    for name in ("Fenna Kuipers", "Sanne de Vries", "Santiago Sánchez"):
        members[name] = factories.community_member(community, factories.user(name=name), by=coordinator).user
    org = factories.organisation(name="Metaal Oost")
    factories.member(org, members["Santiago Sánchez"])
    factories.user(name="Sandra Buiten")
    discussion = factories.discussion(community, coordinator, "Welke lasrobot?", "Graag jullie **ervaringen**.")
    return dict(discussion=discussion, fenna=members["Fenna Kuipers"], santiago=members["Santiago Sánchez"])


def test_mention_by_keyboard_and_the_mentioned_person_is_notified(page, thread):
    from playwright.sync_api import expect

    browser_login(page, thread["fenna"])
    page.goto(f"/d/{thread['discussion'].id}")
    body = page.locator("#reply-form textarea")
    listbox = page.locator("#reply-form [role=listbox]")
    expect(listbox).to_be_hidden()
    expect(body).to_have_attribute("aria-controls", listbox.get_attribute("id"))
    expect(body).not_to_have_attribute("aria-expanded", "false")  # not allowed on a textbox (ARIA 1.2)
    body.focus()
    page.keyboard.type("Weet jij dit, @san")
    expect(listbox).to_be_visible()
    options = listbox.locator("[role=option]")
    # Members only: Sandra cannot read this community. Names that start with it, by name.
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Sanne de Vries")
    expect(options.nth(1)).to_contain_text("Santiago Sánchez")
    expect(options.nth(1)).to_contain_text("Metaal Oost")
    first_id = options.nth(0).get_attribute("id")
    expect(body).to_have_attribute("aria-activedescendant", first_id)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#reply-form .visually-hidden[role=status][aria-live=polite]")).to_have_text(
        page.locator("body").get_attribute("data-mention-many").replace("{count}", "2"))

    # Escape closes the list and keeps the text; typing on opens it again.
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(body).not_to_have_attribute("aria-activedescendant", first_id)
    expect(body).to_have_value("Weet jij dit, @san")
    page.keyboard.type("t")
    expect(options).to_have_count(1)
    page.keyboard.press("Backspace")
    expect(options).to_have_count(2)

    page.keyboard.press("ArrowDown")
    expect(body).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("ArrowDown")  # round to the first
    page.keyboard.press("ArrowUp")    # and back to the last
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    handle = thread["santiago"].handle
    expect(body).to_have_value(f"Weet jij dit, @{handle} ")
    expect(listbox).to_be_hidden()
    page.keyboard.type("?")

    page.locator("#reply-form button[type=submit]").click()
    page.wait_for_load_state()
    mention = page.locator(f".reply .prose a.mention[href='/people/{handle}']")
    expect(mention).to_have_count(1)
    db.session.remove()
    notified = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == thread["santiago"].id, Notification.kind == "mention")).all()
    assert len(notified) == 1 and notified[0].object_type == "discussion"
