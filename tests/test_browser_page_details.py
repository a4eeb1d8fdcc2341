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
