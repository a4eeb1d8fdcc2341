"""The read layer: for each list that a page and the API share, one function in community.queries
answers it, and for the same filter the page and the API show the same rows in the same order.

Each case names the list's function (called here directly), the API address (its items' ids) and
the page address (the rows' markers, in the order they appear in the page's HTML).
"""
import ast
import pathlib
import re
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Callable

import pytest

from community.actions import (
    cases as case_actions, communities as community_actions, discussions, moderation, scan as scan_actions,
    trajectories as trajectory_actions,
)
from community.models import utcnow
from community.queries import (
    cases, communities, discussions as discussion_queries, moderation as moderation_queries, notifications,
    organisations, scan, trajectories,
)
from community.queries.accounts import user_by_email


@pytest.fixture
def world(factories):
    """A community with members, requests, cases, discussions, replies, reports, hidden items,
    sanctions and notifications; names and titles unique, so the page can be read."""
    admin = factories.admin(name="Beheerder Bea")
    coordinator = factories.user(name="Coördinator Cor", kind="teacher")
    kring = factories.community(name="Leeskring Noord", slug="leeskring", join_policy="request", actor=admin,
                        coordinator=coordinator, sector="Metaal")
    viewer, anna, bram, cees = (factories.user(name=name) for name in ("Kijker Kim", "Lid Anna", "lid Bram", "Lid Cees"))
    for who in (viewer, anna, bram, cees):
        community_actions.invite_user(coordinator, kring, who)
        community_actions.join(who, kring)
    for name in ("Vrager Een", "Vrager Twee"):
        community_actions.request_to_join(factories.user(name=name), kring, "Mag ik erbij?")
    # Communities for the list: the viewer's own comes first, then by name.
    for name, visibility in (("Aardige Kring", "public"), ("besloten Kring", "private"), ("Zuid Kring", "public")):
        made = factories.community(name=name, visibility=visibility, actor=admin, sector="Metaal" if name[0] == "A" else "")
        if name == "Zuid Kring":
            community_actions.join(viewer, made)
    company, _beta, _gamma = (factories.organisation(name=name, actor=admin, city="Delft")
                              for name in ("Org Alfa", "org Beta", "Org Gamma"))
    factories.member(company, who=viewer, role="manager")
    plans = [trajectory_actions.create_trajectory(viewer, company, kring, title=f"Traject {n}")
             for n in ("Een", "Twee", "Drie")]
    trajectory_actions.change_status(viewer, plans[0], "active")  # the most recently changed now
    today = scan_actions.today()
    for title, opens in (("Ronde Een", -20), ("Ronde Twee", 0), ("Ronde Drie", -10)):
        scan_actions.create_round(viewer, company, title, today + timedelta(days=opens), today + timedelta(days=5))
    links = [community_actions.create_invite_link(coordinator, kring, note=f"Link {n}")[0]
             for n in ("Een", "Twee", "Drie")]
    community_actions.revoke_invite_link(coordinator, links[1])  # listed after the open ones

    def case(who, title, publish=True, **data):
        return case_actions.create_case(who, kring, title=title, context="x", publish=publish, **data)

    case(anna, "Casus Een", domain="Onderhoud", tags=["cnc"])
    case(bram, "Casus Twee", domain="onderhoud")
    case(viewer, "Casus Concept", publish=False, domain="ONDERHOUD")
    case(cees, "Casus Drie", domain="Lassen", tags=["cnc"])
    case(anna, "Casus Andermans Concept", publish=False)

    threads = [discussions.start_discussion(who, kring, f"Draad {n}", f"Tekst {n}")
               for n, who in zip(("Een", "Twee", "Drie", "Vier"), (viewer, anna, bram, cees))]
    discussions.set_pinned(coordinator, threads[1], True)
    replies = [discussions.post_reply(who, threads[0], f"Antwoord {n}") for n, who in enumerate((anna, bram, cees) * 3)]
    discussions.remove_reply(anna, replies[3])

    moderation.report(viewer, "reply", replies[1], "spam")
    moderation.report(anna, "discussion", threads[2], "inappropriate")
    moderation.report(viewer, "reply", replies[5], "off_topic")
    moderation.hide(coordinator, "reply", replies[7], "Reden verbergen")
    moderation.hide(coordinator, "discussion", threads[3], "Reden draad weg")
    moderation.mute(coordinator, kring, bram, utcnow() + timedelta(days=2), "Reden stilte")
    ban = moderation.ban(coordinator, kring, cees, "Reden verbanning")
    moderation.lift(coordinator, ban)
    return SimpleNamespace(admin=admin, coordinator=coordinator, viewer=viewer, anna=anna, kring=kring, company=company,
                           thread=threads[0], writers=(anna, viewer))


def _more_replies(world, count=46):
    """Replies 10 to 55: a second page of replies."""
    for n in range(count):
        discussions.post_reply(world.writers[n % 2], world.thread, f"Antwoord {n + 9}")


@dataclass
class Shared:
    """One list: ``rows(world, args)`` calls its function and answers [(API id, page marker)];
    ``api`` and ``page`` are addresses (formatted with world); ``start`` is where the list begins in
    the page; ``who`` reads."""
    rows: Callable
    api: str
    page: str
    start: str
    api_id: Callable = lambda item: item["id"]
    who: str = "viewer"


def _feed_marker(entry):
    if entry.kind == "member_joined":
        return entry.subject.display_name
    return entry.data.get("title") or None


def _audit(world, args):
    """The page shows each step's reason; a reason said twice (a lift repeats the ban's) marks
    only its first row."""
    filters = moderation_queries.AuditFilters(action=args.get("action", ""))
    rows, seen = [], set()
    for entry, _community in moderation_queries.audit_page(world.kring, filters).rows:
        rows.append((entry.id, entry.reason if entry.reason and entry.reason not in seen else None))
        seen.add(entry.reason)
    return rows


LISTS = {
    "communities": Shared(
        lambda world, args: [(c.id, c.name) for c, _n, _m in communities.community_page(
            world.viewer, communities.CommunityFilters(**args)).rows],
        "/api/v1/communities", "/communities/", 'class="cards two community-list"'),
    "members": Shared(
        lambda world, args: [(m.id, u.display_name) for m, u in communities.member_page(
            world.kring, communities.MemberFilters()).rows],
        "/api/v1/communities/leeskring/members", "/c/leeskring/members", '<table class="table">',
        api_id=lambda item: item["membership_id"]),
    "requests": Shared(
        lambda world, args: [(m.id, u.display_name) for m, u in communities.member_page(
            world.kring, communities.MemberFilters(state="pending")).rows],
        "/api/v1/communities/leeskring/requests", "/c/leeskring/manage/requests", 'class="list"',
        api_id=lambda item: item["membership_id"], who="coordinator"),
    "feed": Shared(
        lambda world, args: [(e.id, _feed_marker(e)) for e in communities.feed_page(
            world.viewer, world.kring, communities.FeedFilters()).rows],
        "/api/v1/communities/leeskring/feed", "/c/leeskring/", 'class="feed"'),
    "organisations": Shared(
        lambda world, args: [(o.id, o.name) for o, _n, _s in organisations.organisation_page(
            world.viewer, organisations.OrganisationFilters(**args)).rows],
        "/api/v1/organisations", "/organisations/", 'class="cards two org-list"'),
    "cases": Shared(
        lambda world, args: [(c.id, c.title) for c, _n in cases.case_page(
            world.viewer, world.kring, cases.CaseFilters(**args)).rows],
        "/api/v1/communities/leeskring/cases", "/c/leeskring/cases", 'class="cards case-list"'),
    "discussions": Shared(
        lambda world, args: [(d.id, d.title) for d, _r in discussion_queries.discussion_page(
            world.viewer, world.kring, discussion_queries.DiscussionFilters()).rows],
        "/api/v1/communities/leeskring/discussions", "/c/leeskring/discussions", 'class="discussion-list"'),
    "replies": Shared(
        lambda world, args: [(r.id, f'id="reply-{r.number}"') for r in discussion_queries.reply_page(
            world.thread, discussion_queries.ReplyFilters(**args)).rows],
        "/api/v1/discussions/{world.thread.id}/replies", "/d/{world.thread.id}", 'class="replies"'),
    "review queue": Shared(
        lambda world, args: [((g.target, g.target_id), f'id="queue-{g.target}-{g.target_id}"') for g in
                         moderation_queries.queue(world.kring, moderation_queries.QueueFilters()).page.rows],
        "/api/v1/communities/leeskring/reports", "/c/leeskring/manage/reports", 'class="queue"',
        api_id=lambda item: (item["target"], item["target_id"]), who="coordinator"),
    "audit log": Shared(
        _audit, "/api/v1/communities/leeskring/audit", "/c/leeskring/manage/audit", 'class="table audit"',
        who="coordinator"),
    "sanctions": Shared(
        lambda world, args: [(s.id, s.reason) for s, _by, _lifter in moderation_queries.sanction_page(
            world.kring, moderation_queries.SanctionFilters()).rows],
        "/api/v1/communities/leeskring/sanctions", "/c/leeskring/manage/sanctions", 'id="active-title"',
        who="coordinator"),
    "trajectories": Shared(
        lambda world, args: [(s.trajectory.id, s.trajectory.title)
                         for s in trajectories.community_page(world.viewer, world.kring)],
        "/api/v1/trajectories?community=leeskring", "/c/leeskring/trajectories", 'class="plain trajectory-cards"'),
    "invitation links": Shared(
        lambda world, args: [(i.id, i.note) for i in communities.invitation_page(
            world.kring, communities.InvitationFilters()).rows],
        "/api/v1/communities/leeskring/invitations", "/c/leeskring/manage/invitations", '<table class="table">',
        who="coordinator"),
    "scan rounds": Shared(
        lambda world, args: [(r.id, r.title) for r in scan.round_page(world.company, scan.RoundFilters()).rows],
        "/api/v1/organisations/{world.company.id}/scan-rounds", "/organisations/{world.company.id}/scan",
        'class="table scan-rounds"'),
    "notifications": Shared(
        lambda world, args: [(n.id, f'id="notification-{n.id}"') for n in notifications.notification_page(
            world.viewer, notifications.NotificationFilters())[1]],
        "/api/v1/notifications", "/notifications", 'id="notification-list"'),
}

CASES = [
    ("communities", {}), ("communities", {"q": "kring"}), ("communities", {"sector": "Metaal"}),
    ("members", {}), ("requests", {}), ("feed", {}),
    ("organisations", {}), ("organisations", {"q": "org"}),
    ("cases", {}), ("cases", {"domain": "onderhoud"}), ("cases", {"domain": "OnderHoud", "tag": "cnc"}),
    ("discussions", {}), ("replies", {}), ("replies", {"page": 2}), ("replies", {"page": 9}),
    ("trajectories", {}), ("invitation links", {}), ("scan rounds", {}),
    ("review queue", {}), ("audit log", {}), ("audit log", {"action": "hide"}), ("sanctions", {}),
    ("notifications", {}),
]


def _query_string(args):
    return "?" + "&".join(f"{name}={value}" for name, value in args.items()) if args else ""


def _in_page_order(html, start, markers):
    """The markers' positions in the page, after where the list starts (each must be there)."""
    html = html[html.index("<main"):]
    html = html[html.index(start):]
    positions = []
    for marker in markers:
        assert marker in html, marker
        positions.append(html.index(marker))
    return positions


@pytest.mark.parametrize("name, args", CASES, ids=[f"{name}{_query_string(args)}" for name, args in CASES])
def test_page_and_api_answer_the_same_rows_in_the_same_order(world, app, make_client, name, args):
    shared = LISTS[name]
    user = getattr(world, shared.who)
    if name == "replies":
        _more_replies(world)
    with app.test_request_context():
        expected = shared.rows(world, args)
    assert expected, "the world must give this list some rows"
    client = make_client(user)
    query = _query_string(args)
    response = client.get(shared.api.format(world=world) + query)
    assert response.status_code == 200, response.get_json()
    assert [shared.api_id(item) for item in response.get_json()["items"]] == [row_id for row_id, _m in expected]
    response = client.get(shared.page.format(world=world) + query)
    assert response.status_code == 200
    markers = [marker for _id, marker in expected if marker]
    positions = _in_page_order(response.get_data(as_text=True), shared.start, markers)
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


def test_the_rules_that_used_to_differ(world, app):
    """The case list matches the domain in any case and lists newest first (a draft by its last
    change) for page and API alike; replies page by reply number, a page past the end showing
    the last page."""
    _more_replies(world)
    with app.test_request_context():
        titles = [c.title for c, _n in cases.case_page(world.viewer, world.kring, cases.CaseFilters(domain="ONDERHOUD")).rows]
        assert titles == ["Casus Concept", "Casus Twee", "Casus Een"]
        page = discussion_queries.reply_page(world.thread, discussion_queries.ReplyFilters(page=9))
        assert (page.number, page.pages, [r.number for r in page.rows]) == (2, 2, [51, 52, 53, 54, 55])
        assert user_by_email(world.viewer.email.upper()) == world.viewer


def _imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_module_under_queries_imports_a_view_api_or_blueprint():
    """Importing a package runs its __init__, so a module inside a blueprint's package (one whose
    __init__ makes a Blueprint) counts as the blueprint too; so does anything with a route."""
    root = pathlib.Path(__file__).parent.parent

    def handler(name):
        parts = name.split(".")
        for end in range(2, len(parts) + 1):
            path = root.joinpath(*parts[:end])
            for source in (path / "__init__.py", path.with_suffix(".py")):
                if source.exists() and re.search(r"Blueprint\(|\.route\(", source.read_text()):
                    return True
        return False

    for path in sorted((root / "community" / "queries").glob("*.py")):
        upward = [name for name in _imported_modules(path) if name.startswith("community.") and handler(name)]
        assert upward == [], path.name
