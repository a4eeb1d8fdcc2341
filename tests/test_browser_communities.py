"""End to end in Chromium: a coordinator sets up a private community and invites by link."""
import re

import pytest

from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_private_community_invite_by_link(browser, live_server, page, factories):
    from tests.factories import PASSWORD

    coordinator = factories.admin(name="Marieke Jansen")
    employee = factories.user(name="Ahmed El Amrani")
    outsider = factories.user(name="Buiten Staander")

    # The coordinator (a platform admin, who creates communities) sets one up.
    browser_login(page, coordinator, PASSWORD)
    page.locator("nav.main-nav a[href='/communities/']").click()
    page.locator("a[href='/communities/new']").first.click()
    page.locator("#name").fill("Lassen met cobots")
    page.locator("#description").fill("Wij delen **praktijkervaring** met lascobots.\n\n- veiligheid\n- programmeren")
    page.locator("input[name=visibility][value=private]").check()
    page.locator("input[name=join_policy][value=invite]").check()
    page.locator("form[data-draft=community-new] button[type=submit]").click()
    page.wait_for_url("**/c/lassen-met-cobots/")
    assert page.locator("h1").inner_text() == "Lassen met cobots"
    assert page.locator(".description strong").inner_text() == "praktijkervaring"

    # An invitation link, valid for a week, for one person.
    page.locator("a[href='/c/lassen-met-cobots/manage/invitations']").first.click()
    page.locator("#link-days").fill("7")
    page.locator("#link-max_uses").fill("1")
    page.locator("input[name=action][value=link] ~ button[type=submit]").click()
    link = page.locator("#new-link").input_value()
    assert re.match(r"^http://127\.0\.0\.1:\d+/invite/[\w-]+$", link)

    # The employee opens the link, logs in from there and joins.
    employee_context = browser.new_context(base_url=live_server, locale="nl-NL")
    guest = employee_context.new_page()
    guest.goto(link)
    assert guest.locator("h1").inner_text() == "Lassen met cobots"
    guest.locator("a[href^='/login?next=']").click()
    guest.locator("#email").fill(employee.email)
    guest.locator("#password").fill(PASSWORD)
    guest.locator("form[data-draft=login] button[type=submit]").click()
    guest.wait_for_url(re.compile(r".*/invite/.*"))
    guest.locator("main form button[type=submit]").click()
    guest.wait_for_url("**/c/lassen-met-cobots/")
    assert "Ahmed El Amrani" in guest.locator(".feed").inner_text()
    employee_context.close()

    # An outsider gets the not-found page, not the community.
    outsider_context = browser.new_context(base_url=live_server, locale="nl-NL")
    stranger = outsider_context.new_page()
    browser_login(stranger, outsider, PASSWORD)
    response = stranger.goto("/c/lassen-met-cobots/")
    assert response.status == 404
    assert stranger.locator(".error-code").inner_text() == "404"
    assert "Lassen met cobots" not in stranger.content()
    stranger.goto("/communities/")
    assert "Lassen met cobots" in stranger.content()  # listed: name and description only
    assert stranger.locator("a[href='/c/lassen-met-cobots/']").count() == 0
    outsider_context.close()
