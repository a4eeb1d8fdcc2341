"""End to end in Chromium: a researcher opens the research area, instrument quality and the
learning-outcome monitor; the charts render as accessible SVG and both CSVs download.
A screenshot goes to /tmp/research_outcomes.png for a human look."""
import pytest

from community.actions import accounts
from tests.factories import PASSWORD
from tests.test_research_area import _company_round
from tests.test_research_outcomes import _company_trajectory

pytestmark = pytest.mark.browser


def _read(download):
    with open(download.path(), encoding="utf-8") as downloaded:
        return downloaded.read()


def test_researcher_opens_instrument_quality_and_the_outcome_monitor(browser, live_server, page, factories):
    community = factories.community()
    for index in range(5):
        _company_round(factories, index, name=f"Geheim Bedrijf {index}")
        _company_trajectory(factories, community, f"Verborgen Bedrijf {index}", entries=("applied", "potential"))
    researcher = factories.member(factories.organisation(kind="school"))
    accounts.set_user_researcher(factories.admin(), researcher, True)

    page.set_viewport_size({"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/login")
    page.locator("#email").fill(researcher.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[data-draft=login] button[type=submit]").click()
    page.wait_for_url("**/dashboard")
    page.locator("a[href='/research/']").first.click()
    page.locator("a[href='/research/instrument?version=1']").click()
    assert "Cronbach" in page.content() and page.locator("table.research-figures").count() > 1
    with page.expect_download() as download:
        page.locator("a[href='/research/instrument.csv?version=1']").click()
    assert download.value.suggested_filename == "leerkring-scan-v1-instrument.csv"
    assert _read(download.value).startswith("questionnaire_version,")

    page.goto("/research/")
    page.locator("a[href='/research/outcomes']").click()
    charts = page.locator("svg.bars[role=img]")
    assert charts.count() == 3 and all(charts.nth(i).is_visible() for i in range(3))
    assert charts.first.locator("title").text_content()
    assert "5" in charts.first.locator("desc").text_content()
    page.locator("#by").select_option("sector")
    page.locator("form.inline-form button[type=submit]").click()
    page.wait_for_url("**/research/outcomes?by=sector")
    assert "Metaal" in page.locator("table.research-figures").first.inner_text()
    assert "Geheim Bedrijf" not in page.content() and "Verborgen Bedrijf" not in page.content()  # no names
    page.screenshot(path="/tmp/research_outcomes.png", full_page=True)
    with page.expect_download() as download:
        page.locator("a[href='/research/outcomes.csv?by=sector']").click()
    text = _read(download.value)
    assert text.startswith("breakdown,cell,shown,") and "Verborgen Bedrijf" not in text
    assert not errors, errors
