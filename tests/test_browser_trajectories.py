"""End to end in Chromium: a manager starts a trajectory with two milestones and links an existing
case to one of them; a teacher follows it and sees its progress on the follow page; an outsider
gets 404. A reader of older learning-log entries hears of a new one and finds it on top."""
import re

import pytest
from playwright.sync_api import expect

from community.actions import cases as case_actions
from community.actions import communities as community_actions
from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def _add_milestone(page, title):
    page.locator("a[href$='/milestones/new']").first.click()
    page.locator("#title").fill(title)
    page.locator("form[data-draft^=milestone-new] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/t/\d+(#.*)?$"))


def test_trajectory_with_linked_case_followed_by_a_teacher(browser, live_server, page, factories):
    from tests.factories import PASSWORD

    admin = factories.admin()
    community = community_actions.create_community(admin, name="Lassen met cobots", coordinator=factories.user())
    company = factories.organisation(name="Metaalbedrijf Noord", actor=admin)
    manager = factories.member(company, factories.user(name="Hanna de Vries"), role="manager")
    teacher = factories.user(name="Docent Bakker", kind="teacher")
    outsider = factories.user(name="Buiten Staander")
    for person in (manager, teacher):
        community_actions.join(person, community)
    case = case_actions.create_case(manager, community, title="Eerste cobotlas", context="Op de vloer", publish=True)

    # The manager starts a trajectory from the company page and adds two milestones.
    browser_login(page, manager, PASSWORD)
    page.goto(f"/organisations/{company.id}")
    page.locator(f"a[href='/organisations/{company.id}/trajectories/new']").first.click()
    page.locator("#title").fill("Cobotlassen invoeren")
    page.locator("#community_id").select_option(str(community.id))
    page.locator("form[data-draft^=trajectory-new] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/t/\d+$"))
    trajectory_url = page.url
    trajectory_id = int(re.search(r"/t/(\d+)$", trajectory_url).group(1))
    _add_milestone(page, "Veiligheidsinstructie gevolgd")
    _add_milestone(page, "Eerste las geprogrammeerd")
    page.goto(trajectory_url)
    assert page.locator("ol.milestones > li").count() == 2
    page.locator("form.status-form button[type=submit]").first.click()  # concept -> active
    page.wait_for_url(re.compile(r".*/t/\d+(#.*)?$"))

    # ... and links the existing case to the second milestone, from the case page.
    page.goto(f"/cases/{case.id}")
    page.locator(".trajectory-links a", has_text="Koppelen aan een traject").click()
    option = page.locator("#evidence-choice option", has_text="Eerste las geprogrammeerd")
    page.locator("#evidence-choice").select_option(option.get_attribute("value"))
    page.locator(".trajectory-link-form button[type=submit]").click()
    page.wait_for_url(f"**/cases/{case.id}")
    box = page.locator(".trajectory-links")
    assert "Cobotlassen invoeren" in box.inner_text() and "Eerste las geprogrammeerd" in box.inner_text()

    # The teacher finds it in the community's Trajectories tab and follows it.
    teacher_context = browser.new_context(base_url=live_server, locale="nl-NL")
    other = teacher_context.new_page()
    browser_login(other, teacher, PASSWORD)
    other.goto(f"/c/{community.slug}/")
    other.locator(f"nav.tabs a[href='/c/{community.slug}/trajectories']").click()
    other.locator(f".trajectory-card a[href='/t/{trajectory_id}']").click()
    other.wait_for_url(f"**/t/{trajectory_id}")
    with other.expect_navigation():
        other.locator("#follow-level-trajectory").select_option("following")
    other.wait_for_url(re.compile(rf".*/t/{trajectory_id}(#.*)?$"))
    other.locator("nav.main-nav a[href='/trajectories/following']").click()
    card = other.locator(".trajectory-card", has_text="Cobotlassen invoeren").first
    assert "Metaalbedrijf Noord" in card.inner_text()
    assert card.locator("progress").get_attribute("value") == "0"

    # The manager completes a milestone; the teacher sees the update on the follow page.
    page.goto(trajectory_url)
    page.locator("ol.milestones > li").first.locator("form[action$='/done'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/t/\d+(#.*)?$"))
    other.reload()
    card = other.locator(".trajectory-card", has_text="Cobotlassen invoeren").first
    assert card.locator("progress").get_attribute("value") == "1"
    assert card.locator("progress").get_attribute("max") == "2"
    teacher_context.close()

    # An outsider (not in the community) gets the not-found page.
    outsider_context = browser.new_context(base_url=live_server, locale="nl-NL")
    stranger = outsider_context.new_page()
    browser_login(stranger, outsider, PASSWORD)
    response = stranger.goto(f"/t/{trajectory_id}")
    assert response.status == 404
    assert "Cobotlassen invoeren" not in stranger.content()
    stranger.goto("/trajectories/following")
    assert "Cobotlassen invoeren" not in stranger.content()
    outsider_context.close()


def test_a_new_log_entry_reaches_a_reader_of_older_entries(browser, live_server, page, factories):
    """The log shows 20 entries a page. A reader on the page of older entries gets the live
    notice when a participant writes one; its link opens the newest page, the entry on top."""
    from community.actions import trajectories as trajectory_actions
    from tests import worlds

    world = worlds.trajectories()
    t = worlds.trajectory(world, "community", title="Lang logboek", roles=("employee", "coach"))
    for i in range(25):
        trajectory_actions.add_entry_to_log(world.coach, t, f"Oude notitie {i}", "reflection", "applied")

    browser_login(page, world.member)
    page.goto(f"/t/{t.id}")
    assert page.locator("ol.log-entries > li").count() == 20
    page.locator(".log-pager a[rel=next]").click()  # a plain link, to the log of page 2
    page.wait_for_url(re.compile(rf".*/t/{t.id}\?log_page=2#log$"))
    assert page.locator("ol.log-entries > li").count() == 5
    assert "Oude notitie 4" in page.locator("ol.log-entries > li").first.inner_text()
    page.wait_for_selector("body[data-live-state=connected]")

    writer_context = browser.new_context(base_url=live_server, locale="nl-NL")
    writer = writer_context.new_page()
    browser_login(writer, world.employee)
    writer.goto(f"/t/{t.id}")
    writer.locator(".log-form textarea").fill("Nieuwe notitie: de lasnaad blijft strak.")
    writer.locator(".log-form button[type=submit]").click()
    writer.wait_for_url(re.compile(rf".*/t/{t.id}#log$"))
    writer_context.close()

    notice = page.locator("[data-live-page]")
    expect(notice).to_be_visible()
    notice.locator("a").click()
    page.wait_for_url(re.compile(rf".*/t/{t.id}$"))
    first = page.locator("ol.log-entries > li").first
    expect(first).to_contain_text("Nieuwe notitie: de lasnaad blijft strak.")
    assert page.locator("ol.log-entries > li").count() == 20
