"""In Chromium, details a person sees at once (issue 18): the live notice stays hidden until
something changed, and the trajectory's progress bar has its real width."""
import re

import pytest
from playwright.sync_api import expect

from community.actions import trajectories as trajectory_actions
from tests import worlds
from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_live_notice_hidden_until_something_changes_and_gone_after_reload(page, factories):
    world = worlds.trajectories()
    t = worlds.trajectory(world, "community")
    browser_login(page, world.owner)
    page.goto(f"/t/{t.id}")
    page.wait_for_selector("body[data-live-state=connected]")
    notice = page.locator("[data-live-page]")
    expect(notice).to_be_hidden()
    assert notice.evaluate("el => getComputedStyle(el).display") == "none"

    trajectory_actions.add_entry_to_log(world.coach, t, "Iets nieuws", "reflection", "applied")
    expect(notice).to_be_visible()
    notice.locator("a").click()
    page.wait_for_url(re.compile(rf".*/t/{t.id}$"))
    page.wait_for_selector("body[data-live-state=connected]")
    expect(page.locator("[data-live-page]")).to_be_hidden()


def test_progress_bar_is_as_wide_as_the_share_of_milestones_done(page, factories):
    world = worlds.trajectories()
    t = worlds.trajectory(world, "community")
    first = trajectory_actions.add_milestone(world.owner, t, title="Eerste")
    trajectory_actions.add_milestone(world.owner, t, title="Tweede")
    trajectory_actions.set_milestone_done(world.owner, first)
    browser_login(page, world.owner)
    page.goto(f"/t/{t.id}")
    bar = page.locator(".progress-bar")
    fill = page.locator(".progress-fill")
    expect(page.locator(".progress-label")).to_contain_text("50%")
    bar_width = bar.evaluate("el => el.getBoundingClientRect().width")
    fill_width = fill.evaluate("el => el.getBoundingClientRect().width")
    assert bar_width > 200
    assert abs(fill_width - bar_width / 2) < 2


def test_badges_share_one_case_style(page, factories):
    """Status badges ("actief") and others ("Vertrouwelijk") show a capital first letter alike."""
    world = worlds.trajectories()
    t = worlds.trajectory(world, "confidential")
    trajectory_actions.change_status(world.owner, t, "active")
    browser_login(page, world.owner)
    page.goto(f"/t/{t.id}")
    styles = page.locator(".badge:not(.level)").evaluate_all(
        "els => els.map(el => [el.textContent.trim(), getComputedStyle(el, '::first-letter').textTransform])")
    assert any(text == "actief" for text, _ in styles), styles
    assert styles and all(transform == "uppercase" for _, transform in styles), styles


def _rows(page, selector):
    """How many rows the elements matching ``selector`` take (distinct top edges)."""
    return len(set(page.locator(selector).evaluate_all(
        "els => els.filter(el => el.offsetParent).map(el => Math.round(el.getBoundingClientRect().top))")))


def test_admin_menus_stay_on_one_line_at_1366(browser, live_server, factories):
    from tests.factories import PASSWORD

    admin = factories.admin(name="Beheerder van het Platform Leerkring")
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    browser_login(page, admin, PASSWORD)
    for url in ("/admin/", "/admin/users", "/admin/reports"):
        page.goto(url)
        assert _rows(page, "nav.tabs > a") == 1, url
        header = page.locator(".header-row").evaluate("el => el.getBoundingClientRect().height")
        assert header < 70, (url, header)  # brand, menu and user links in one row
    context.close()


CONTRAST = """el => {
  const rgb = text => text.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(c => { c /= 255; return c <= .03928 ? c / 12.92 : ((c + .055) / 1.055) ** 2.4; })
    .reduce((sum, c, i) => sum + c * [.2126, .7152, .0722][i], 0);
  let node = el.parentElement, background = [255, 255, 255];
  while (node) {  // the first opaque background around the element: what the ring is drawn on
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || colour[3] > 0) { background = colour; break; }
    node = node.parentElement;
  }
  const style = getComputedStyle(el);
  const [a, b] = [lum(rgb(style.outlineColor)), lum(background)].sort((x, y) => y - x);
  return {tag: el.tagName, text: el.textContent.trim().slice(0, 20), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), ratio: (a + .05) / (b + .05)};
}"""


def test_focus_ring_has_three_to_one_contrast(page, factories):
    world = worlds.trajectories()
    browser_login(page, world.owner)
    page.goto("/dashboard")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(f"({CONTRAST})(document.activeElement)"))
    assert all(ring["style"] != "none" and ring["width"] >= 2 for ring in seen), seen
    assert all(ring["ratio"] >= 3 for ring in seen), seen


def test_arrow_keys_on_the_setting_selects_do_not_submit(page, factories):
    """WCAG 3.2.2: arrows move the choice; Enter or leaving the select applies it. (A mouse
    choice still applies at once: tests/test_browser_trajectories.py.)"""
    from community.models import TrajectoryFollow

    world = worlds.trajectories()
    t = worlds.trajectory(world, "community")
    browser_login(page, world.teacher)
    page.goto(f"/t/{t.id}")
    page.wait_for_load_state("load")
    level = page.locator("#follow-level-trajectory")
    before = level.input_value()
    level.focus()
    page.evaluate("window.notReloaded = true")
    page.keyboard.press("ArrowUp" if before != "following" else "ArrowDown")
    page.wait_for_timeout(700)
    assert page.evaluate("window.notReloaded === true")  # no submit on the arrow key
    assert level.input_value() != before  # the choice moved ...
    with page.expect_navigation():
        page.keyboard.press("Enter")  # ... and applies on Enter
    page.wait_for_load_state("load")
    from community.extensions import db
    db.session.expire_all()
    assert db.session.scalar(db.select(TrajectoryFollow).filter_by(user_id=world.teacher.id,
                                                                    trajectory_id=t.id)) is not None

    language = page.locator("#lang-select")
    language.focus()
    page.evaluate("window.notReloaded = true")
    page.keyboard.press("ArrowDown")  # Nederlands -> English, not applied yet
    page.wait_for_timeout(700)
    assert page.evaluate("window.notReloaded === true")
    assert page.locator("html").get_attribute("lang") == "nl"
    with page.expect_navigation():
        page.keyboard.press("Tab")  # leaving the select applies it
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_composer_buttons_say_their_visible_text(page, factories):
    """axe's label-content-name-mismatch: a button's name contains the words it shows."""
    world = worlds.lassen()
    browser_login(page, world.member)
    page.goto(f"/d/{world.discussion.id}")
    page.wait_for_selector(".composer-bar:not([hidden])")
    buttons = page.locator(".composer-bar button[aria-label]").evaluate_all(
        "els => els.map(el => [el.innerText.trim(), el.getAttribute('aria-label')])")
    worded = [(text, name) for text, name in buttons if sum(c.isalnum() for c in text) >= 2]
    # The toolbar shows icons: each icon-only button is named, and where words show they are in the name.
    assert len(buttons) >= 6 and all(name.strip() for _text, name in buttons), buttons
    assert ("", "Koppeling naar een URL invoegen") in [(text, name) for text, name in buttons]
    assert all(text.lower() in name.lower() for text, name in worded), worded


def test_opening_a_trajectory_page_marks_its_notifications_read(page, factories):
    """Issue 18: a notification is read once its trajectory has been read on the site."""
    from community.extensions import db
    from community.models import Notification

    world = worlds.trajectories()
    t = worlds.trajectory(world, "community")
    trajectory_actions.add_entry_to_log(world.coach, t, "Nieuw in het logboek", "reflection", "applied")

    def unread():
        db.session.expire_all()
        return db.session.scalar(db.select(db.func.count(Notification.id)).where(
            Notification.user_id == world.employee.id, Notification.object_type == "trajectory",
            Notification.read_at.is_(None)))

    assert unread() >= 1
    browser_login(page, world.employee)
    page.goto(f"/t/{t.id}")
    page.wait_for_load_state("networkidle")
    for _ in range(20):
        if not unread():
            break
        page.wait_for_timeout(100)
    assert unread() == 0
