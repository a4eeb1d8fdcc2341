"""In Chromium, with the keyboard alone: the header menu on a phone and on a desktop screen, and
hiding a reported reply from the moderation queue; every focused element shows a focus ring with
at least 3:1 contrast against what is around it (WCAG 2.4.11/1.4.11)."""
import re

import pytest
from playwright.sync_api import expect

from community.actions import discussions, moderation
from tests.helpers import browser_login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# The focused element, named by its text (or label), and its focus ring's contrast against the
# nearest background behind it (the outline is drawn outside the element).
FOCUSED_JS = """() => {
  const el = document.activeElement;
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let behind = [255, 255, 255];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { behind = colour.slice(0, 3); break; }
  }
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 ? rgb(style.outlineColor).slice(0, 3) : null;
  const [a, b] = ring ? [lum(ring), lum(behind)] : [0, 0];
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  // The visible text without what is hidden from assistive technology (an avatar's initials).
  const copy = el.cloneNode(true);
  copy.querySelectorAll('[aria-hidden="true"]').forEach((node) => node.remove());
  const shown = el.innerText && copy.textContent.replace(/\\s+/g, " ").trim();
  const name = (el.getAttribute("aria-label") || label || shown || el.value || el.tagName).trim().split("\\n")[0];
  return {name: name, tag: el.tagName.toLowerCase(), contrast: ring ? (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) : 0};
}"""


def _tab(page, times=1):
    """Press Tab, check the focus ring, and say what has the focus."""
    for _ in range(times):
        page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED_JS)
    assert focused["contrast"] >= 3, f"focus ring on {focused} has less than 3:1 contrast"
    return focused["name"]


def _walk(page, count):
    return [_tab(page) for _ in range(count)]


def test_the_header_menu_on_a_phone_and_a_desktop_with_the_keyboard(page, factories):
    member = factories.user("Ahmed El Amrani")
    page.set_viewport_size(PHONE)
    browser_login(page, member)
    toggle, menu = page.locator(".menu-toggle"), page.locator("#site-menu")

    # On a phone the menu is folded away behind one button, after the skip link and the brand.
    expect(menu).to_be_hidden()
    page.locator("body").focus()
    assert _walk(page, 3) == ["Naar de inhoud", "Leerkring", "Menu"]
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # Enter opens it; Tab goes through the menu, the search box, the language, the account and
    # logging out.
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    assert _walk(page, 10) == ["Dashboard", "Leergemeenschappen", "Trajecten", "Organisaties", "Zoeken", "Zoeken",
                               "Taal", "Ahmed El Amrani", "Uitloggen", "Meldingen"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Escape closes it and gives the focus back to the button.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")

    # Space opens it again, and a menu item is followed with Enter.
    page.keyboard.press("Space")
    _tab(page, 2)
    page.keyboard.press("Enter")
    page.wait_for_url("**/communities/")
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # On a desktop screen the menu is always there and the button is not.
    page.set_viewport_size(DESKTOP)
    expect(toggle).to_be_hidden()
    expect(menu).to_be_visible()
    page.locator("body").focus()
    assert _walk(page, 11) == ["Naar de inhoud", "Leerkring", "Dashboard", "Leergemeenschappen", "Trajecten",
                               "Organisaties", "Zoeken", "Zoeken", "Taal", "Ahmed El Amrani", "Uitloggen"]


def test_without_javascript_the_phone_menu_stays_open(browser, live_server, factories):
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto("/login")
    expect(page.locator(".menu-toggle")).to_be_hidden()
    expect(page.locator("#site-menu a[href='/register']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_hiding_a_reported_reply_from_the_queue_with_the_keyboard(page, factories):
    coordinator = factories.user("Coco Coördinator")
    community = factories.community(coordinator=coordinator)
    spammer, reporter = factories.user("Sam Spam"), factories.user("Rita Melder")
    for person in (spammer, reporter):
        factories.community_member(community, person)
    discussion = discussions.start_discussion(reporter, community, "Onderhoud compressor", "Hoe vaak?")
    reply = discussions.post_reply(spammer, discussion, "Koop nu goedkope lasdraad op example.com!")
    moderation.report(reporter, "reply", reply, "spam", "Reclame")

    browser_login(page, coordinator)
    page.goto(f"/c/{community.slug}/manage/reports")
    item = page.locator("#queue-list .queue-item")
    expect(item).to_contain_text("Koop nu goedkope lasdraad")

    # From the top of the page, Tab reaches the item's link, the reason field and the Hide button.
    page.locator("body").focus()
    seen = []
    for _ in range(40):
        seen.append(_tab(page))
        if page.evaluate("document.activeElement.name === 'reason'"):
            break
    else:
        raise AssertionError(f"Tab never reached the reason for hiding; it went through {seen}")
    assert "Onderhoud compressor" in seen
    page.keyboard.type("Reclame")
    assert _tab(page) == "Verbergen"
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Verborgen")
    expect(page.locator(".hidden-list")).to_contain_text("Reden: Reclame")

    # The hidden reply's Restore button is reachable too, and works with Space.
    for _ in range(40):
        if _tab(page) == "Terugzetten":
            break
    else:
        raise AssertionError("Tab never reached Restore")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r".*/manage/reports$"))
    expect(page.locator(".hidden-list")).to_have_count(0)
