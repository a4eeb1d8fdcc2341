"""In Chromium, what the screenshot review of the main pages (issue 18) found: the header shows an
ordinary name whole and cuts a long one with an ellipsis, the header search is one row, and on a
phone "2 of 4", a discussion's stats and the filter fields do not wrap raggedly, and the scan's
radar chart names its axes in letters one can read."""
import pytest

from community.actions import discussions
from community.actions import trajectories as trajectory_actions
from tests import scan_factories, worlds
from tests.factories import PASSWORD
from tests.helpers import browser_login

pytestmark = pytest.mark.browser

NAME_BOX = """el => ({cut: el.scrollWidth > el.clientWidth + 1, overflow: getComputedStyle(el).textOverflow,
                     width: el.clientWidth})"""


def _context(browser, live_server, width, height):
    return browser.new_context(base_url=live_server, locale="nl-NL", viewport={"width": width, "height": height})


def test_header_name_whole_or_cut_with_an_ellipsis(browser, live_server, factories):
    for name, cut in (("Ahmed El Amrani", False), ("Beheerder van het Platform Leerkring", True)):
        person = factories.user(name=name)
        context = _context(browser, live_server, 1366, 900)
        page = context.new_page()
        browser_login(page, person, PASSWORD)
        box = page.locator(".user-link .user-name").evaluate(NAME_BOX)
        assert box["overflow"] == "ellipsis" and box["cut"] is cut, (name, box)
        search = page.locator(".header-search")
        assert search.evaluate("el => getComputedStyle(el).display") == "flex"
        tops = search.locator("input, button").evaluate_all("els => els.map(el => Math.round(el.getBoundingClientRect().top))")
        assert abs(tops[0] - tops[1]) <= 4, tops  # the box and its button side by side
        context.close()


def _lines(locator):
    """How many lines an inline element's text takes."""
    return locator.evaluate("el => el.getClientRects().length")


def test_phone_counts_stats_and_filters_do_not_wrap_raggedly(browser, live_server, factories):
    world = worlds.trajectories()
    t = worlds.trajectory(world, "community")
    for title in ("Eerste", "Tweede", "Derde", "Vierde"):
        milestone = trajectory_actions.add_milestone(world.owner, t, title=title)
    trajectory_actions.set_milestone_done(world.owner, milestone)
    discussions.start_discussion(world.owner, world.community, "Lasrobot of cobot voor kleine series?", "Wie weet het?")
    context = _context(browser, live_server, 390, 844)
    page = context.new_page()
    browser_login(page, world.owner, PASSWORD)

    page.goto("/trajectories/following")
    count = page.locator(".trajectory-progress > .muted").first
    assert count.text_content().strip() == "1 van 4" and _lines(count) == 1

    page.goto("/c/lassen/discussions")
    stats = page.locator(".discussion-stats").first
    lefts = stats.locator("> *").evaluate_all("els => els.map(el => Math.round(el.getBoundingClientRect().left))")
    assert len(set(lefts)) == 1, lefts  # count and last activity start at one edge, under the title

    for url in ("/zoeken?q=lassen", "/communities/"):
        page.goto(url)
        form = page.locator("form.filters").evaluate("el => Math.round(el.getBoundingClientRect().width)")
        widths = page.locator("form.filters .field").locator("input, select").evaluate_all(
            "els => els.map(el => Math.round(el.getBoundingClientRect().width))")
        assert widths and all(abs(width - form) <= 2 for width in widths), (url, form, widths)
    context.close()


def test_case_page_edit_button_apart_from_the_side_panel_and_a_link_on_its_own_lines(page, factories):
    world = worlds.trajectories()
    t = worlds.trajectory(world, "community")
    milestone = trajectory_actions.add_milestone(world.owner, t, title="Inwerkprogramma met de cobot beschreven")
    case = factories.case(world.community, world.owner, title="Een nieuwe lasser inwerken met een cobot")
    trajectory_actions.link_evidence(world.owner, t, case, milestone)
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, world.owner)
    page.goto(f"/cases/{case.id}")
    edit = page.locator(".case > .page-head .inline-actions").evaluate("el => el.getBoundingClientRect().bottom")
    panel = page.locator(".side-column .panel").first.evaluate("el => el.getBoundingClientRect().top")
    assert panel - edit >= 12, (edit, panel)
    link = page.locator(".trajectory-links li").first
    title = link.locator("a").evaluate("el => el.getBoundingClientRect().bottom")
    under = link.locator(".link-milestone").evaluate("el => el.getBoundingClientRect().top")
    remove = link.locator("form").evaluate("el => el.getBoundingClientRect().top")
    assert title <= under + 1 and under < remove, (title, under, remove)
    assert "›" not in link.text_content()


def test_follow_select_shows_its_whole_choice_apart_from_leave_in_the_side_column(browser, live_server, factories):
    world = worlds.trajectories()
    for width in (1366, 390):
        context = _context(browser, live_server, width, 900)
        page = context.new_page()
        browser_login(page, world.member, PASSWORD)
        page.goto("/c/lassen/")
        select = page.locator(".side-column .follow-level select")
        text = select.evaluate("el => el.options[el.selectedIndex].text")
        # The chosen option's text, measured in the select's own font, fits beside the arrow.
        needed = select.evaluate("""el => { const c = document.createElement('canvas').getContext('2d');
            const s = getComputedStyle(el); c.font = s.fontWeight + ' ' + s.fontSize + ' ' + s.fontFamily;
            return c.measureText(el.options[el.selectedIndex].text).width + 32; }""")
        room = select.evaluate("el => el.clientWidth")
        assert needed <= room, (width, text, needed, room)
        form = page.locator(".side-column .follow-level").evaluate("el => el.getBoundingClientRect().bottom")
        leave = page.locator(".side-column form.follow-level + form").evaluate("el => el.getBoundingClientRect().top")
        assert leave - form >= 6, (width, form, leave)  # "Leave community" does not touch the select
        context.close()


RENDERED_SIZES = """els => els.map(el => Math.round(el.getBoundingClientRect().height)).filter(height => height > 0)"""


def test_radar_axes_readable_on_a_phone_and_named_on_a_desktop(browser, live_server, factories):
    """On a phone the chart is drawn at half size: the six names were 6 px high."""
    org, manager = factories.company_with_manager(name="Metaalbedrijf Noord")
    done = scan_factories.closed_round(org, manager, employees=[3, 4, 4, 5, 3, 2], management=[4, 5, 4, 4, 5])
    for width, names_in_chart in ((390, False), (1366, True)):
        context = _context(browser, live_server, width, 900)
        page = context.new_page()
        browser_login(page, manager, PASSWORD)
        page.goto(f"/scan/rounds/{done.id}")
        label_sizes = page.locator("svg.radar .axis-label tspan").evaluate_all(RENDERED_SIZES)
        number_sizes = page.locator("svg.radar .axis-number").evaluate_all(RENDERED_SIZES)
        listed = page.locator(".axis-names li:visible").count()
        if names_in_chart:  # the names in the chart; no numbers, no list
            assert len(label_sizes) >= 6 and number_sizes == [] and listed == 0, (label_sizes, number_sizes, listed)
        else:  # six large numbers in the chart, named in the list under it
            assert label_sizes == [] and len(number_sizes) == 6 and listed == 6, (label_sizes, number_sizes, listed)
        assert all(size >= 11 for size in label_sizes + number_sizes), (width, label_sizes, number_sizes)
        context.close()
