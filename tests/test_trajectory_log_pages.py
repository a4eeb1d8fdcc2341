"""A trajectory page stays bounded however long its learning log grows: one page of entries
(newest first) with plain links to older and newer ones that show every entry exactly once, all
milestones (at most MILESTONES_MAX) with the progress counted over all of them, the same SQL
statements at any length and on any log page; the API's log pages the same way, and the printable
report keeps the whole log."""
import re
from datetime import date, timedelta

import pytest

from community.actions import trajectories as actions
from community.queries.trajectory_page import LOG_PER_PAGE
from tests import worlds

ENTRIES, MILESTONES = 200, 40
MARKER = re.compile(r"Entry (\d{3}) marker")
NEXT = re.compile(r'rel="next" href="([^"]+)"')
PREV = re.compile(r'rel="prev" href="([^"]+)"')


def _build(world, entries, milestones, title):
    t = worlds.trajectory(world, "community", title=title, roles=("employee", "coach"))
    made = []
    for i in range(milestones):
        made.append(actions.add_milestone(world.owner, t, title=f"Mijlpaal {i}",
                                          due_date=date(2026, 9, 7) + timedelta(weeks=i)))
        if i % 3 == 0:
            actions.set_milestone_done(world.owner, made[-1], True)
    for i in range(entries):
        actions.add_entry_to_log(world.employee, t, f"Entry {i:03d} marker", ("reflection", "result")[i % 2],
                                 "applied", milestone=made[i % milestones] if made and i % 2 else None)
    return t


@pytest.fixture
def world(make_client):
    world = worlds.trajectories(language="en")
    world.big = _build(world, ENTRIES, MILESTONES, "Lang traject")
    world.clients = worlds.clients(make_client, world.users)
    return world


def _log(html):
    """The entry numbers in the learning log (only the log shows an entry's text)."""
    return [int(n) for n in MARKER.findall(html)]


def test_the_log_pages_through_every_entry_once_without_script(world):
    t, client = world.big, world.clients["member"]
    html = client.get(f"/t/{t.id}").get_data(as_text=True)
    assert html.count('class="log-entry card"') == LOG_PER_PAGE
    assert _log(html) == list(range(ENTRIES - 1, ENTRIES - 1 - LOG_PER_PAGE, -1))  # the newest, newest first
    assert f"Entries 1–{LOG_PER_PAGE} of {ENTRIES}, newest first" in html
    assert not PREV.search(html)
    seen, url, pages = [], f"/t/{t.id}", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert html.count('class="log-entry card"') <= LOG_PER_PAGE
        assert html.count("timeline-item is-entry") <= LOG_PER_PAGE
        seen += _log(html)
        pages += 1
        following = NEXT.search(html)
        if following:
            url = following.group(1).replace("&amp;", "&")
            assert url == f"/t/{t.id}?log_page={pages + 1}#log"  # lands at the log
            assert "Show older entries" in html
        else:
            url = None
    assert seen == list(range(ENTRIES - 1, -1, -1))  # nothing lost, nothing twice
    assert pages == ENTRIES // LOG_PER_PAGE
    # Back from the last page to the newer ones; page 2 links to the first without a number.
    assert PREV.search(html).group(1) == f"/t/{t.id}?log_page={pages - 1}#log"
    second = client.get(f"/t/{t.id}?log_page=2").get_data(as_text=True)
    assert PREV.search(second).group(1) == f"/t/{t.id}#log"
    assert "Show newer entries" in second
    _odd_log_page_numbers(world)


def test_the_page_keeps_every_milestone_the_report_the_whole_log(world):
    """All milestones on every log page, progress over all of them; the report prints the whole
    log; the live notice's link reloads the newest log page, where a new entry is on top."""
    t, client = world.big, world.clients["owner"]
    done = len(range(0, MILESTONES, 3))
    for url in (f"/t/{t.id}", f"/t/{t.id}?log_page=7"):
        html = client.get(url).get_data(as_text=True)
        assert html.count('class="milestone card') == MILESTONES
        assert html.count("timeline-item is-milestone") == MILESTONES
        assert f"{done} of {MILESTONES} milestones done" in html and f"({round(100 * done / MILESTONES)}%)" in html
        assert "All milestones, and the learning-log entries shown on this page." in html
    report = world.clients["member"].get(f"/t/{t.id}/report").get_data(as_text=True)
    assert sorted(_log(report)) == list(range(ENTRIES))
    assert f"{done} of {MILESTONES} milestones done" in report
    html = world.clients["member"].get(f"/t/{t.id}?log_page=3").get_data(as_text=True)
    notice = re.search(r'<div class="notice live-notice" data-live-page.*?</div>', html, re.S).group(0)
    assert f'href="/t/{t.id}"' in notice


def _odd_log_page_numbers(world):
    t, client = world.big, world.clients["member"]
    last = ENTRIES // LOG_PER_PAGE
    past = client.get(f"/t/{t.id}?log_page=999").get_data(as_text=True)  # past the end: the last page
    assert _log(past) == list(range(LOG_PER_PAGE - 1, -1, -1)) and not NEXT.search(past)
    assert f"Entries {ENTRIES - LOG_PER_PAGE + 1}–{ENTRIES} of {ENTRIES}" in past
    assert PREV.search(past).group(1) == f"/t/{t.id}?log_page={last - 1}#log"
    for bad in ("0", "-1", "abc", "²", "9" * 30):
        response = client.get(f"/t/{t.id}?log_page={bad}")
        assert response.status_code == 200
        assert _log(response.get_data(as_text=True))[0] == ENTRIES - 1
    small = worlds.trajectory(world, "community", title="Kort", roles=("employee",))
    actions.add_entry_to_log(world.employee, small, "Entry 000 marker", "result", "applied")
    html = client.get(f"/t/{small.id}?log_page=3").get_data(as_text=True)
    assert _log(html) == [0] and "log-pager" not in html and "Show older entries" not in html


def test_statements_are_the_same_at_any_length_and_on_any_log_page(world, count_queries):
    small = _build(world, 5, 3, "Kort traject")
    client = world.clients["owner"]
    counts = {}
    for url in (f"/t/{small.id}", f"/t/{world.big.id}", f"/t/{world.big.id}?log_page=4",
                f"/t/{world.big.id}?log_page=10"):
        client.get(url)  # warm up
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts[url] = counter.count
    assert len(set(counts.values())) == 1, counts


def test_the_api_pages_the_log_in_the_same_order(world, api):
    t = world.big
    client = api(world.users["member"])
    pages = []
    for number in (1, 2, 3, 4, 5):
        body = client.get(f"/api/v1/trajectories/{t.id}/entries?page={number}").get_json()
        assert body["total"] == ENTRIES and body["pages"] == 4
        pages.append([int(MARKER.search(item["body"]).group(1)) for item in body["items"]])
    assert pages[4] == []  # past the end: empty, as before
    assert sum(pages, []) == list(range(ENTRIES - 1, -1, -1))
    html = world.clients["member"].get(f"/t/{t.id}?log_page=3").get_data(as_text=True)
    assert _log(html) == sum(pages, [])[2 * LOG_PER_PAGE:3 * LOG_PER_PAGE]

