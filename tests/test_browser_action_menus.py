"""End to end in Chromium: destructive actions are behind "More" and a confirmation; the menu
works with the keyboard (Enter opens, Escape closes and gives the focus back)."""
import pytest

from community.extensions import db
from community.models import Milestone
from tests import factories, worlds
from tests.test_composer_browser import _login

pytestmark = pytest.mark.browser


def test_removing_a_reply_is_in_the_menu_and_asks_first(page):
    from playwright.sync_api import expect

    world = worlds.sensor_question()
    reply = factories.reply(world.discussion, world.member, body="Wij meten met een trillingsmeter.")
    _login(page, world.member)
    page.goto(f"/d/{world.discussion.id}")
    card = page.locator(f"#reply-{reply.number}")
    remove = card.get_by_role("button", name="Verwijderen")
    expect(remove).to_be_hidden()
    expect(card.locator("svg.icon").first).to_be_visible()

    more = card.locator("details.action-menu summary")
    more.focus()
    page.keyboard.press("Enter")
    expect(remove).to_be_visible()
    page.keyboard.press("Escape")
    expect(remove).to_be_hidden()
    expect(more).to_be_focused()

    page.keyboard.press("Enter")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(card).to_contain_text("Wij meten met een trillingsmeter.")
    expect(remove).to_be_visible()  # the menu stays open after "no"
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    page.wait_for_load_state()
    expect(page.locator(f"#reply-{reply.number}")).not_to_contain_text("Wij meten met een trillingsmeter.")


def test_manager_deletes_a_milestone_from_its_menu(page):
    from playwright.sync_api import expect

    world = worlds.trajectories()
    trajectory = worlds.trajectory(world, "community")
    from community.actions import trajectories as actions
    milestone_id = actions.add_milestone(world.owner, trajectory, title="Eerste las").id
    _login(page, world.owner)
    page.goto(f"/t/{trajectory.id}")
    card = page.locator(f"#milestone-{milestone_id}")
    expect(card.get_by_role("button", name="Verwijderen")).to_be_hidden()
    card.locator("details.action-menu summary").click()
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Verwijderen").click()
    page.wait_for_load_state()
    expect(page.locator(f"#milestone-{milestone_id}")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(Milestone, milestone_id) is None
