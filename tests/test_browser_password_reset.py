"""End to end in Chromium, without a mail server: a member who forgot their password asks for a
link on the login page; the admin finds the mail in the outbox (Beheer → Mail) and sees it as the
member would, both parts; the member follows its link, chooses a new password and logs in with
it, and the browser where they were still logged in is logged out."""
import pytest
from playwright.sync_api import expect

from tests.helpers import browser_login, settings

pytestmark = pytest.mark.browser


def test_forgotten_password_through_the_outbox(browser, live_server, page, factories, app):
    member = factories.user("Wim Lasser", email="wim@example.com")
    admin = factories.admin()
    old_browser = browser.new_context(base_url=live_server, locale="nl-NL")
    old_page = old_browser.new_page()
    browser_login(old_page, member)

    with settings(app, BASE_URL=live_server):  # the links in mails point at this server
        page.goto("/login")
        page.get_by_role("link", name="Wachtwoord vergeten?").click()
        page.get_by_label("E-mailadres").fill("wim@example.com")
        page.get_by_role("button", name="Stuur me een link").click()
        page.wait_for_url("**/login")
        expect(page.locator("main")).to_contain_text("een link onderweg")
        assert page.get_by_label("E-mailadres").input_value() == "wim@example.com"

        admin_context = browser.new_context(base_url=live_server, locale="nl-NL")
        admin_page = admin_context.new_page()
        browser_login(admin_page, admin)
        admin_page.goto("/admin/")
        admin_page.get_by_role("link", name="Mail", exact=True).click()
        expect(admin_page.locator("main")).to_contain_text("outbox")
        admin_page.get_by_role("link", name="Kies een nieuw wachtwoord voor Leerkring").click()
        expect(admin_page.locator("pre.mail-text")).to_contain_text("Hallo Wim Lasser,")
        html_part = admin_page.frame_locator("iframe.mail-html")
        expect(html_part.get_by_role("link", name="Kies een nieuw wachtwoord")).to_be_visible()
        link = admin_page.locator("pre.mail-text a").first.get_attribute("href")
        assert link.startswith(live_server + "/password/reset/")
        admin_context.close()

        page.goto(link)
        page.get_by_label("Nieuw wachtwoord").fill("mijn nieuwe lange wachtwoord")
        page.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
        page.wait_for_url("**/login")
        expect(page.locator("main")).to_contain_text("Je wachtwoord is gewijzigd")
        page.get_by_label("Wachtwoord").fill("mijn nieuwe lange wachtwoord")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**/dashboard")

        page.goto(link)  # the link worked once
        expect(page.locator("main")).to_contain_text("Deze link werkt niet (meer)")

    old_page.goto("/dashboard")
    assert "/login" in old_page.url  # the other browser was logged out
    old_browser.close()
