"""End to end in Chromium: a respondent answers the scan on a phone-sized screen (with the
keyboard for one statement, a refused first try that keeps the answers, the progress bar), and
the manager sees the radar chart, the management comparison and the trend on the result page.
Screenshots go to /tmp (scan_phone.png, scan_results.png) for a human look."""
from datetime import date

import pytest

from tests import scan_factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_phone_respondent_and_manager_results(browser, live_server, page, factories):
    org, manager = factories.company_with_manager(name="Metaalbedrijf Noord")
    scan_factories.closed_round(org, manager, employees=[2, 3, 2, 3, 2], management=[3] * 5, opens_on=date(2024, 3, 4),
                                title="Voorjaar 2024")
    latest = scan_factories.closed_round(org, manager, employees=[3, 4, 4, 5, 3, 2], management=[4, 5, 4, 4, 5],
                                         opens_on=date(2025, 3, 3), title="Voorjaar 2025")
    current = scan_factories.open_round(org, manager, title="Najaar 2026")

    phone = browser.new_context(base_url=live_server, locale="nl-NL", viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True, device_scale_factor=2)
    errors = []
    respondent = phone.new_page()
    respondent.on("pageerror", lambda exc: errors.append(str(exc)))
    # The refused first send is a 400 document on purpose; any other console error fails.
    respondent.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
                  and not msg.text.startswith("Failed to load resource") else None)
    respondent.goto(f"/s/{current.employee_token}")
    items = respondent.locator("fieldset.scan-item")
    total = items.count()
    assert total == 26
    # The first statement by keyboard: focus its radio group and move with the arrow keys.
    respondent.locator("input[name=rl1]").first.focus()
    respondent.keyboard.press("ArrowRight")
    respondent.keyboard.press("ArrowRight")
    assert respondent.locator("input[name=rl1][value='3']").is_checked()
    for index in range(1, total - 1):  # all but the last: the first send is refused
        items.nth(index).locator("label").nth(3).click()
    assert respondent.locator("[data-scan-count]").inner_text() == f"{total - 1} van {total} beantwoord"
    respondent.screenshot(path="/tmp/scan_phone.png")
    respondent.locator("form[data-scan-form] button[type=submit]").click()
    respondent.wait_for_load_state()
    assert "nog 1 open" in respondent.locator(".form-errors").inner_text()
    assert respondent.locator("input[name=rl1][value='3']").is_checked()
    assert respondent.locator("input:checked").count() == total - 1
    respondent.screenshot(path="/tmp/scan_phone_error.png")
    respondent.locator(".form-errors a").first.click()
    items.nth(total - 1).locator("label").nth(1).click()
    respondent.locator("form[data-scan-form] button[type=submit]").click()
    respondent.wait_for_url("**/scan/thanks")
    assert not errors, errors
    phone.close()

    # The manager finds the scan from the company page and opens the latest closed round.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/login")
    page.locator("#email").fill(manager.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[data-draft=login] button[type=submit]").click()
    page.wait_for_url("**/dashboard")
    page.goto(f"/organisations/{org.id}")
    page.locator(f"a[href='/organisations/{org.id}/scan']").click()
    page.locator(f"a[href='/scan/rounds/{latest.id}']").click()
    chart = page.locator("svg.radar[role=img]")
    assert chart.is_visible()
    assert chart.locator("title").text_content() and "Medewerkers:" in chart.locator("desc").text_content()
    assert page.locator("polygon.series-employees").count() == 1
    assert page.locator("polygon.series-management").count() == 1
    assert page.locator("polygon.series-previous").count() == 1
    table = page.locator("table.scan-results")
    assert "Verandering" in table.inner_text() and table.locator("td.trend").count() == 12
    assert "Voorjaar 2024" in page.locator("#results-title + *").locator("xpath=..").inner_text()
    page.screenshot(path="/tmp/scan_results.png", full_page=True)
