"""End to end in Chromium: two people in one discussion, each in their own browser context. One
types and posts a reply; the other sees "is typing", then the reply, without a reload, and the
unread badge counts the notification for the discussion's author."""
import re

import pytest
from playwright.sync_api import expect

from community.actions import discussions
from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def _context_page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors


def test_a_reply_appears_in_the_other_browser_without_reload(browser, live_server, page, factories):
    author = factories.user("Anna Auteur")
    community = factories.community(visibility="public", coordinator=author)
    replier = factories.user("Bram Beantwoorder")
    factories.community_member(community, replier)
    discussion = discussions.start_discussion(author, community, "Trillingen in de freesmachine",
                                              "Wie heeft ervaring met **balanceren**?")

    browser_login(page, author)
    page.goto(f"/d/{discussion.id}")
    page.wait_for_selector("body[data-live-state=connected]")
    page.evaluate("window.__notReloaded = true")
    assert page.locator("#notification-count").is_hidden()

    context, other, errors = _context_page(browser, live_server)
    browser_login(other, replier)
    other.goto(f"/d/{discussion.id}")
    other.wait_for_selector("body[data-live-state=connected]")

    # Who is here: the author's page lists both people once the second one arrived.
    expect(page.locator("#live-presence")).to_contain_text("Bram Beantwoorder")
    assert page.locator("#live-presence").is_visible()

    # The replier also has the discussion open in a second tab.
    second_tab = context.new_page()
    second_tab.goto(f"/d/{discussion.id}")
    second_tab.wait_for_selector("body[data-live-state=connected]")

    other.locator("#reply-form textarea").fill("Wij balanceren met ")
    other.locator("#reply-form textarea").type("een trillingsmeter.")
    expect(page.locator("#live-typing")).to_contain_text("Bram Beantwoorder typt")

    other.locator("#reply-form button[type=submit]").click()
    other.wait_for_url(re.compile(rf".*/d/{discussion.id}.*"))

    reply = page.locator("#reply-1")
    reply.wait_for()
    assert "Wij balanceren met een trillingsmeter." in reply.inner_text()
    assert "Bram Beantwoorder" in reply.inner_text()
    assert page.evaluate("window.__notReloaded") is True  # the same page, no reload
    # The reply came rendered for this reader (the server's partial, fetched): their own buttons.
    helpful = reply.locator("form[action$='/helpful']")
    assert helpful.count() == 1 and re.search(r"/replies/\d+/helpful$", helpful.get_attribute("action"))
    assert reply.locator("form[action$='/remove']").count() == 0  # not the reader's own reply
    assert re.search(r"/report/reply/\d+$", reply.locator("a.report-link").get_attribute("href"))
    # The author runs the community: as its coordinator they get Edit and Moderate on the live
    # reply, as they would after a reload.
    assert re.search(r"/replies/\d+/edit$", reply.locator("a[href$='/edit']").get_attribute("href"))
    assert reply.locator("details.moderate-menu").count() == 1
    assert page.locator("#replies-title").inner_text() == "1 reactie"
    # Screen readers hear it through the polite live region.
    assert "Nieuwe reactie van Bram Beantwoorder" in page.locator("#replies-live").inner_text()
    # The author follows their discussion: the badge shows the notification at once.
    expect(page.locator("#notification-count")).to_have_text("1")
    assert page.locator("#notification-count").is_visible()
    assert "1 ongelezen" in page.locator("#notification-link").get_attribute("aria-label")

    # Marking it helpful in the author's page counts in the replier's page, live.
    helpful.locator("button").click()
    page.wait_for_url(re.compile(rf".*/d/{discussion.id}.*"))
    expect(other.locator("#reply-1 .helpful-count")).to_contain_text("1")

    # In the replier's other tab their own reply arrives with "edit" and "remove", not "helpful"
    # and not "moderate".
    own = second_tab.locator("#reply-1")
    expect(own).to_contain_text("Wij balanceren met een trillingsmeter.")
    assert re.search(r"/replies/\d+/edit$", own.locator("a[href$='/edit']").get_attribute("href"))
    assert own.locator("form[action$='/remove']").count() == 1 and own.locator("form[action$='/helpful']").count() == 0
    assert own.locator("details.moderate-menu").count() == 0

    page.screenshot(path="/tmp/live-discussion.png", full_page=True)
    context.close()
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors


def test_a_live_reply_comes_with_this_readers_buttons_and_follows_edits(browser, live_server, page, factories):
    """A coordinator (not the discussion's author) sees Edit and Moderate on a reply that
    arrived live, and the reply changes in place when its author edits it; the author, in their
    own browser, gets Edit and Remove on it, and no Moderate."""
    coordinator = factories.user("Coco Coördinator")
    community = factories.community(visibility="public", coordinator=coordinator)
    opener, member = factories.user("Olga Opener"), factories.user("Mo Lid")
    factories.community_member(community, opener)
    factories.community_member(community, member)
    discussion = discussions.start_discussion(opener, community, "Koelvloeistof", "Hoe vaak verversen?")

    browser_login(page, coordinator)
    page.goto(f"/d/{discussion.id}")
    page.wait_for_selector("body[data-live-state=connected]")
    context, mine, errors = _context_page(browser, live_server)
    browser_login(mine, member)
    mine.goto(f"/d/{discussion.id}")
    mine.wait_for_selector("body[data-live-state=connected]")

    reply = discussions.post_reply(member, discussion, "Elke **drie** maanden.")
    live = page.locator("#reply-1")
    expect(live).to_contain_text("Elke drie maanden.")
    assert live.locator("strong").inner_text() == "drie"
    assert live.locator(f"a[href$='/replies/{reply.id}/edit']").count() == 1
    assert live.locator("details.moderate-menu").count() == 1
    assert live.locator("form[action$='/helpful']").count() == 1  # not theirs: they may find it helpful
    own = mine.locator("#reply-1")
    expect(own).to_contain_text("Elke drie maanden.")
    assert own.locator(f"a[href$='/replies/{reply.id}/edit']").count() == 1
    assert own.locator("form[action$='/remove']").count() == 1
    assert own.locator("details.moderate-menu").count() == 0 and own.locator("form[action$='/helpful']").count() == 0

    discussions.edit_reply(member, reply, "Elke twee maanden.")
    expect(live).to_contain_text("Elke twee maanden.")
    assert live.locator("details.moderate-menu").count() == 1  # still this reader's own buttons
    expect(own).to_contain_text("Elke twee maanden.")
    context.close()
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors
