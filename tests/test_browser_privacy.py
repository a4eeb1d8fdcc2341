"""End to end in Chromium, in Dutch: a member downloads their data from the account page and then
deletes their account with their password; their discussion stays, under a pseudonym, and the
browser forgets their local drafts."""
import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD, browser_login

pytestmark = pytest.mark.browser

DRAFT_KEYS = "Object.keys(localStorage).filter(key => key.startsWith('leerkring-draft:'))"


def test_export_and_delete_through_the_pages(page, factories):
    coordinator = factories.user(name="Carla Coördinator")
    kring = factories.community(name="Kring", coordinator=coordinator)
    member = factories.user(name="Wim Lasser", email="wim@example.com")
    factories.community_member(kring, member)
    discussion = factories.discussion(kring, member, title="Lassen in de winter")
    browser_login(page, member)

    page.goto("/account/")
    page.get_by_role("link", name="Mijn gegevens", exact=True).click()
    expect(page.get_by_role("heading", name="Mijn gegevens downloaden")).to_be_visible()
    page.get_by_role("button", name="Mijn gegevens aanvragen").click()
    expect(page.locator("main")).to_contain_text("We zetten je gegevens klaar")
    page.reload()  # built by the job after the request (at once in tests)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Downloaden (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("leerkring-") and download.suggested_filename.endswith(".zip")
    with open(download.path(), "rb") as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    assert json.loads(archive.read("profile.json"))[0]["email"] == "wim@example.com"
    assert [d["title"] for d in json.loads(archive.read("discussions.json"))] == ["Lassen in de winter"]
    page.goto("/notifications")
    expect(page.locator("main")).to_contain_text("Je gegevens staan klaar om te downloaden.")

    page.goto(f"/d/{discussion.id}")  # a half-written reply, kept in this browser as a local draft
    page.locator("form[data-draft] textarea").first.fill("Een halve gedachte")
    page.wait_for_timeout(700)
    assert page.evaluate(DRAFT_KEYS)

    page.goto("/account/privacy")
    page.get_by_role("link", name="Mijn account verwijderen…").click()
    expect(page.locator("main")).to_contain_text("Dit kan niet ongedaan worden gemaakt.")
    page.get_by_label("Je wachtwoord").fill("niet het goede wachtwoord")
    page.get_by_role("button", name="Mijn account definitief verwijderen").click()
    expect(page.locator("main")).to_contain_text("Je wachtwoord klopt niet.")
    page.get_by_label("Je wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Mijn account definitief verwijderen").click()
    expect(page.locator("body")).to_contain_text("Je account is verwijderd.")
    assert page.evaluate(DRAFT_KEYS) == []  # like logging out: the browser forgets the drafts
    page.goto("/dashboard")
    assert "/login" in page.url  # logged out

    page.get_by_label("E-mailadres").fill("wim@example.com")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    assert "/login" in page.url  # the old address no longer logs in

    browser_login(page, coordinator)
    page.goto(f"/d/{discussion.id}")
    expect(page.locator("main")).to_contain_text("Lassen in de winter")
    expect(page.locator("main")).to_contain_text("Voormalig lid")
    expect(page.locator("main")).not_to_contain_text("Wim Lasser")
