"""End to end in Chromium: type in the header's search box, get results, open one."""
import pytest

from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_search_from_the_header(live_server, page, factories):
    from tests.factories import PASSWORD

    coordinator = factories.user(name="Coco Coördinator", kind="teacher")
    community = factories.community(name="Lassen", slug="lassen", coordinator=coordinator)
    reader = factories.community_member(community, factories.user(name="Rik Lezer")).user
    discussion = factories.discussion(community, coordinator, "Lasrobot kiezen", "Welke lasrobot raden jullie aan?")
    factories.reply(discussion, coordinator, "Wij gebruiken al jaren een lasrobot van een Nederlandse fabrikant.")
    factories.discussion(community, coordinator, "Koffie", "Over iets anders.")

    browser_login(page, reader, PASSWORD)
    box = page.locator("#header-search")
    box.fill("Lasrobot")
    box.press("Enter")
    page.wait_for_url("**/zoeken?q=Lasrobot")
    hits = page.locator(".search-hit")
    assert hits.count() == 2
    assert "2 resultaten" in page.locator("main").inner_text()
    assert page.locator(".search-hit mark").first.inner_text().lower() == "lasrobot"
    reply_hit = page.locator(".search-hit", has_text="Reactie #1")
    assert "Lassen" in reply_hit.inner_text()
    reply_hit.locator("h2 a").click()
    page.wait_for_url(f"**/d/{discussion.id}#reply-1")
    assert page.locator("#discussion-title").inner_text() == "Lasrobot kiezen"
    assert page.locator("#reply-1").is_visible()

    # A refused query says why, on the page, without an error page.
    page.goto("/zoeken?q=lasrobot+NEAR+storing")
    assert "worden niet ondersteund" in page.locator("#search-refused").inner_text()
