"""End to end in Chromium: the composer (toolbar, keyboard, server preview) and local drafts
("nothing typed is ever lost": a reload or an expired session keeps the text)."""
import pytest

from community.extensions import db
from tests import worlds

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<script>alert(1)</script>"
HAS_DRAFT = "() => Object.keys(localStorage).some(k => k.startsWith('leerkring-draft:'))"
DRAFT_KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('leerkring-draft:'))"


@pytest.fixture
def needs_discussion_pages(app):
    if "discussions.new" not in app.view_functions or "discussions.view" not in app.view_functions:
        pytest.skip("the discussion pages are not there yet")


@pytest.fixture
def setting(needs_discussion_pages):
    """A public community with a member and a discussion to reply to."""
    world = worlds.sensor_question()
    return world.community, world.member, world.discussion


def _login(page, user):
    from tests.factories import PASSWORD

    if "/login" not in page.url:
        page.goto("/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[data-draft=login] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("body[data-user]").count() == 1, "login failed"


def _notice_button(page, name):
    """A button of the draft notice, by its (translated) label from <body data-draft-...>."""
    label = page.locator("body").get_attribute(f"data-draft-{name}")
    return page.locator(".draft-notice[role=status]").get_by_role("button", name=label)


def test_new_discussion_draft_survives_a_reload(page, setting):
    from playwright.sync_api import expect

    community, member, _ = setting
    _login(page, member)
    page.goto(f"/c/{community.slug}/discussions/new")
    page.locator("#title").fill("Lagerschade op tijd zien")
    page.locator("#body").fill("Wie meet er al **trillingen** op de spindel?")
    page.wait_for_function(HAS_DRAFT)

    page.reload()
    expect(page.locator("#body")).to_have_value("")
    notice = page.locator(".draft-notice[role=status]")
    expect(notice.locator("time")).to_have_count(1)
    _notice_button(page, "restore").click()
    expect(notice).to_have_count(0)
    expect(page.locator("#title")).to_have_value("Lagerschade op tijd zien")
    expect(page.locator("#body")).to_have_value("Wie meet er al **trillingen** op de spindel?")

    # Posting it for real clears the draft: the next page shows no notice anywhere.
    page.locator("form[data-draft] button[type=submit]").click()
    page.wait_for_url("**/d/*")
    expect(page.locator("main")).to_contain_text("Lagerschade op tijd zien")
    assert page.evaluate(DRAFT_KEYS) == []
    page.goto(f"/c/{community.slug}/discussions/new")
    expect(page.locator(".draft-notice")).to_have_count(0)


def test_discarding_a_draft_removes_it(page, setting):
    from playwright.sync_api import expect

    community, member, _ = setting
    _login(page, member)
    page.goto(f"/c/{community.slug}/discussions/new")
    page.locator("#body").fill("Weg ermee")
    page.wait_for_function(HAS_DRAFT)
    page.reload()
    _notice_button(page, "discard").click()
    expect(page.locator(".draft-notice")).to_have_count(0)
    assert page.evaluate(DRAFT_KEYS) == []
    page.reload()
    expect(page.locator(".draft-notice")).to_have_count(0)


def test_reply_typed_in_an_expired_session_is_kept(browser, page, setting):
    from playwright.sync_api import expect

    community, member, discussion = setting
    text = "Wij gebruiken *MEMS*-sensoren van twee merken."
    _login(page, member)
    page.goto(f"/d/{discussion.id}")
    page.locator("#body").fill(text)
    page.wait_for_function(HAS_DRAFT)

    page.context.clear_cookies()  # the session is gone, as after a long lunch
    page.locator("form[data-draft^=reply] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" in page.url or page.locator(".error-page").count() == 1
    assert page.locator("body[data-user]").count() == 0
    db.session.refresh(discussion)
    assert discussion.reply_count == 0

    _login(page, member)
    page.goto(f"/d/{discussion.id}")
    _notice_button(page, "restore").click()
    expect(page.locator("#body")).to_have_value(text)

    # Now it goes through, and the draft goes with it.
    page.locator("form[data-draft^=reply] button[type=submit]").click()
    page.wait_for_url(f"**/d/{discussion.id}*")
    expect(page.locator(".reply .prose em")).to_have_text("MEMS")
    assert page.evaluate(DRAFT_KEYS) == []
    page.reload()
    expect(page.locator(".draft-notice")).to_have_count(0)


def test_logout_removes_the_users_drafts(page, setting):
    community, member, discussion = setting
    _login(page, member)
    page.goto(f"/d/{discussion.id}")
    page.locator("#body").fill("Op een gedeelde computer")
    page.wait_for_function(HAS_DRAFT)
    page.locator("form[action='/logout'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.evaluate(DRAFT_KEYS) == []


def test_preview_shows_the_servers_html_and_hostile_input_stays_text(page, setting):
    from playwright.sync_api import expect

    community, member, discussion = setting
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _login(page, member)
    page.goto(f"/d/{discussion.id}")
    body = page.locator("#body")
    write, preview = page.locator("[data-composer-tab=write]"), page.locator("[data-composer-tab=preview]")
    rendered = page.locator("[data-composer-preview]")

    body.fill("Dit is **vet**")
    preview.click()
    expect(rendered.locator("strong")).to_have_text("vet")
    expect(preview).to_have_attribute("aria-pressed", "true")
    expect(write).to_have_attribute("aria-pressed", "false")
    expect(body).to_be_hidden()
    assert body.is_enabled()  # hidden, not disabled: it is still sent with the form
    write.click()
    expect(body).to_be_visible()
    expect(body).to_be_focused()

    body.fill(HOSTILE)
    preview.click()
    expect(rendered).to_contain_text("<img src=x onerror=alert(1)>")
    expect(rendered).to_contain_text("<script>alert(1)</script>")
    assert rendered.locator("img, script, a[href^='javascript']").count() == 0

    # Posted while the preview shows: the hidden textarea is still submitted.
    page.locator("form[data-draft^=reply] button[type=submit]").click()
    page.wait_for_url(f"**/d/{discussion.id}*")
    posted = page.locator(".reply .prose").last
    expect(posted).to_contain_text("<img src=x onerror=alert(1)>")
    expect(posted).to_contain_text("[x](javascript:alert(1))")
    expect(posted).to_contain_text("<script>alert(1)</script>")
    assert page.locator("main img[src=x], main a[href^='javascript'], main script").count() == 0
    page.wait_for_timeout(200)  # a handler, had one run, would have opened its dialog by now
    assert dialogs == []


def test_toolbar_by_keyboard_and_shortcuts(page, setting):
    from playwright.sync_api import expect

    community, member, _ = setting
    _login(page, member)
    page.goto(f"/c/{community.slug}/discussions/new")
    body = page.locator("#body")
    expect(page.locator(".composer-bar")).to_be_visible()

    # Tab from the title walks through the toolbar's buttons, each with a name, to the text.
    page.locator("#title").focus()
    names = []
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "body":
            break
        names.append(page.evaluate("document.activeElement.getAttribute('data-md')"
                                   " || document.activeElement.getAttribute('data-composer-tab')"
                                   " || (document.activeElement.hasAttribute('data-composer-image') && 'image')"))
        assert page.evaluate("document.activeElement.getAttribute('aria-label')"
                             " || document.activeElement.textContent.trim()")
    assert names == ["heading", "bold", "italic", "link", "list", "quote", "image", "write", "preview"]
    expect(body).to_be_focused()

    page.keyboard.type("sensoren")
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+b")
    expect(body).to_have_value("**sensoren**")
    page.keyboard.press("Control+i")
    expect(body).to_have_value("***sensoren***")
    page.keyboard.press("Control+b")
    expect(body).to_have_value("*sensoren*")

    # A toolbar button used with the keyboard formats and gives the focus back to the text.
    body.fill("meten\nleren")
    body.evaluate("t => t.setSelectionRange(0, t.value.length)")
    page.locator("#title").focus()
    page.locator("button[data-md=list]").focus()
    page.keyboard.press("Enter")
    expect(body).to_have_value("- meten\n- leren")
    expect(body).to_be_focused()
    body.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")
    page.locator("button[data-md=link]").click()
    expect(body).to_have_value("- meten\n- leren[](https://)")
    expect(body).to_be_focused()
