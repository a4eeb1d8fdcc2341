"""End to end in Chromium, three people in three browser contexts: a member reports a reply; the
coordinator, with the review queue open, sees the report arrive without reloading and hides the
reply; a third member, with the discussion open, sees the reply disappear."""
import re

import pytest
from playwright.sync_api import expect

from community.actions import discussions
from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def _open(browser, live_server, user):
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, user)
    return context, page, errors


def test_report_appears_in_the_queue_live_and_hiding_removes_the_reply_everywhere(browser, live_server, page,
                                                                                  factories):
    coordinator = factories.user("Coco Coördinator")
    community = factories.community(visibility="private", join_policy="invite", coordinator=coordinator)
    spammer, reporter, reader = factories.user("Sam Spam"), factories.user("Rita Melder"), factories.user("Lars Lezer")
    for person in (spammer, reporter, reader):
        factories.community_member(community, person)
    discussion = discussions.start_discussion(reporter, community, "Onderhoud compressor", "Hoe vaak?")
    discussions.post_reply(spammer, discussion, "Koop nu goedkope lasdraad op example.com!")

    # The coordinator watches the review queue.
    browser_login(page, coordinator)
    page.goto(f"/c/{community.slug}/manage/reports")
    page.wait_for_selector("body[data-live-state=connected]")
    expect(page.locator("#queue-list")).to_contain_text("Geen openstaande meldingen")
    page.evaluate("window.__notReloaded = true")

    # A third member reads the discussion.
    reader_context, reader_page, reader_errors = _open(browser, live_server, reader)
    reader_page.goto(f"/d/{discussion.id}")
    reader_page.wait_for_selector("body[data-live-state=connected]")
    expect(reader_page.locator("#reply-1")).to_contain_text("goedkope lasdraad")

    # The member reports the reply.
    reporter_context, reporter_page, reporter_errors = _open(browser, live_server, reporter)
    reporter_page.goto(f"/d/{discussion.id}")
    # Connected first, and the "here now" line shown (the reader is on the page too): it appears
    # on connecting and moves the replies down, so a click aimed before that shift could land
    # beside the link (seen once in CI on a busy machine).
    reporter_page.wait_for_selector("body[data-live-state=connected]")
    expect(reporter_page.locator("#live-presence")).to_be_visible()
    reporter_page.locator("#reply-1 a.report-link").click()
    reporter_page.wait_for_url(re.compile(r".*/report/reply/\d+$"))
    reporter_page.locator("input[name=reason][value=spam]").check()
    reporter_page.locator("#note").fill("Reclame voor een webwinkel.")
    reporter_page.locator("form[data-draft^=report] button[type=submit]").click()
    reporter_page.wait_for_url(re.compile(rf".*/d/{discussion.id}.*"))
    expect(reporter_page.locator(".flash-success")).to_contain_text("coördinatoren")

    # It arrives in the coordinator's queue without a reload.
    item = page.locator("#queue-list .queue-item")
    expect(item).to_contain_text("Koop nu goedkope lasdraad")
    expect(item).to_contain_text("Reclame voor een webwinkel.")
    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("#queue-live")).to_contain_text("Nieuwe meldingen")

    # The coordinator hides it, with a reason.
    item.locator("input[name=reason]").first.fill("Reclame")
    item.locator("form.hide-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Verborgen")
    expect(page.locator(".hidden-list")).to_contain_text("Reden: Reclame")

    # The reader's open page loses the reply's content at once; the number stays.
    expect(reader_page.locator("#reply-1")).to_contain_text("verborgen door een coördinator")
    expect(reader_page.locator("#reply-1")).not_to_contain_text("goedkope lasdraad")

    # The audit log has it.
    page.goto(f"/c/{community.slug}/manage/audit")
    expect(page.locator("table.audit")).to_contain_text("Verborgen")
    expect(page.locator("table.audit")).to_contain_text("Sam Spam")
    page.screenshot(path="/tmp/moderation-audit.png", full_page=True)

    for context in (reader_context, reporter_context):
        context.close()
    assert not reader_errors and not reporter_errors, reader_errors + reporter_errors


def test_a_live_refresh_never_resends_the_session_cookie(factories, make_client):
    """A fragment fetched after a live event must not overwrite the cookie (and the flash in it)
    that a form post of the same browser has just set; an ordinary page still refreshes it."""
    coordinator = factories.user("Coco Coördinator")
    community = factories.community(coordinator=coordinator)
    client = make_client()
    client.login(coordinator)
    page = client.get(f"/c/{community.slug}/manage/reports")
    assert page.status_code == 200 and "Set-Cookie" in page.headers
    fragment = client.get(f"/c/{community.slug}/manage/reports?fragment=1")
    assert fragment.status_code == 200 and "Set-Cookie" not in fragment.headers
