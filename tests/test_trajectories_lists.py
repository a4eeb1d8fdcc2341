"""Trajectory lists and evidence links at the page level: the follow page, the company overview,
the community tab, the dashboard panel, the boxes on case and discussion pages and the feed —
who sees which trajectory (confidential ones only their insiders), linking rules, and constant
query counts."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions as discussion_actions
from community.actions import trajectories as actions
from community.extensions import db
from community.models import TrajectoryLink
from community.queries import trajectories as queries, trajectory_page as page
from tests.helpers import assert_matrix

SECRET, OPEN = "Geheim lastraject", "Open cobottraject"
ROLES = ("anonymous", "outsider", "member", "manager", "coach", "other_manager", "other_teacher", "admin")
INSIDERS = {"manager", "coach", "admin"}
READERS = INSIDERS | {"member", "other_manager", "other_teacher"}


@pytest.fixture
def w(factories, make_client):
    admin = factories.admin(name="Beheerder")
    community = community_actions.create_community(admin, name="Lassen", coordinator=factories.user(name="Coördinator"))
    company_a, company_b = factories.organisation(name="Metaal A",
                                                  actor=admin), factories.organisation(name="Metaal B", actor=admin)
    people = dict(
        admin=admin,
        outsider=factories.user(name="Buitenstaander"),
        member=factories.user(name="Lid"),
        manager=factories.member(company_a, factories.user(name="HR A"), role="manager"),
        coach=factories.user(name="Docent", kind="teacher"),
        other_manager=factories.member(company_b, factories.user(name="HR B"), role="manager"),
        other_teacher=factories.user(name="Andere docent", kind="teacher"),
    )
    for key in ("member", "manager", "coach", "other_manager", "other_teacher"):
        community_actions.join(people[key], community)
    secret = actions.create_trajectory(people["manager"], company_a, community, title=SECRET,
                                       visibility="confidential")
    public = actions.create_trajectory(people["manager"], company_a, community, title=OPEN)
    for t in (secret, public):
        actions.add_participant(people["manager"], t, people["coach"], "coach")
        actions.add_milestone(people["manager"], t, title=f"Mijlpaal van {t.title}")
        actions.change_status(people["manager"], t, "active")
        actions.add_entry_to_log(people["coach"], t, "Eerste **reflectie** over lassen", "reflection", "immediate")
    case = case_actions.create_case(people["coach"], community, title="Cobotcasus", context="c", publish=True)
    discussion = discussion_actions.start_discussion(people["coach"], community, "Lasvraag", "tekst")
    for t in (secret, public):
        actions.link_evidence(people["coach"], t, case, t.milestones[0])
        actions.link_evidence(people["coach"], t, discussion)
    clients = {role: make_client(people.get(role)) for role in ROLES}
    return dict(community=community, company_a=company_a, company_b=company_b, secret=secret, public=public,
                case=case, discussion=discussion, clients=clients, **people)


def _html(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def _check_titles(w, url, readers, insiders, status=200):
    """Every signed-in role gets `status`; the open title shows to `readers` only, the secret one
    to `insiders` only."""
    failures = []
    for role in ROLES[1:]:
        code, html = _html(w["clients"][role], url)
        if code != status:
            failures.append(f"{role}: status {code}")
            continue
        if (OPEN in html) != (role in readers):
            failures.append(f"{role}: open title {'missing' if role in readers else 'shown'}")
        if (SECRET in html) != (role in insiders):
            failures.append(f"{role}: confidential title {'missing' if role in insiders else 'shown'}")
    assert not failures, f"{url}:\n" + "\n".join(failures)


def test_pages_need_login(w):
    anonymous = w["clients"]["anonymous"]
    for url in ("/trajectories/following", f"/organisations/{w['company_a'].id}/trajectories",
                f"/c/{w['community'].slug}/trajectories"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_follow_page_shows_only_what_followers_may_see(w):
    for role in ROLES[1:]:
        user = w[role]
        for t in (w["secret"], w["public"]):
            if role in INSIDERS or (role in READERS and t is w["public"]):
                actions.follow(user, t)
    _check_titles(w, "/trajectories/following", READERS, INSIDERS)
    code, html = _html(w["clients"]["member"], "/trajectories/following")
    assert "Eerste reflectie over lassen" in html  # an excerpt as plain text (issue 18: no raw markdown)
    assert "<strong>reflectie</strong>" not in html and "**reflectie**" not in html
    # Someone who loses access no longer sees what they followed.
    community_actions.leave(w["member"], w["community"])
    code, html = _html(w["clients"]["member"], "/trajectories/following")
    assert code == 200 and OPEN not in html


def test_follow_page_empty_state_and_taking_part(w, make_client, factories):
    code, html = _html(make_client(factories.user()), "/trajectories/following")
    assert code == 200 and 'class="trajectory-card"' not in html and 'class="empty"' in html
    code, html = _html(w["clients"]["coach"], "/trajectories/following")
    assert SECRET in html and OPEN in html  # taking part, without following


def test_follow_page_groups_owned_coached_taking_part_and_followed(w, factories):
    """Issue 18: the menu's "Trajecten" is no dead end for the company's manager; each trajectory
    shows once, under the user's closest role."""
    actions.add_participant(w["manager"], w["public"], w["member"], "employee")
    actions.follow(w["coach"], w["public"])
    actions.follow(w["other_teacher"], w["public"])
    expected = {"manager": {"owned": {SECRET, OPEN}}, "coach": {"coached": {SECRET, OPEN}},
                "member": {"taking-part": {OPEN}}, "other_teacher": {"followed": {OPEN}}}
    for role, groups in expected.items():
        code, html = _html(w["clients"][role], "/trajectories/following")
        assert code == 200 and 'class="empty"' not in html, role
        found = {}
        for key, body in re.findall(r'data-group="([\w-]+)">(.*?)</section>', html, re.S):
            found[key] = {title for title in (SECRET, OPEN) if title in body}
        assert found == groups, role
        assert html.count('class="trajectory-card"') == sum(len(titles) for titles in groups.values()), role
    page = queries.following_page(w["manager"])
    assert [s.trajectory.title for s in page.owned] == [OPEN, SECRET] and not page.followed


def test_follow_page_lists_overdue_milestones(w):
    late = actions.add_milestone(w["manager"], w["public"], title="Te late mijlpaal",
                                 due_date=queries.today() - timedelta(days=1))
    actions.add_milestone(w["manager"], w["public"], title="Mijlpaal op tijd", due_date=queries.today())
    actions.follow(w["other_teacher"], w["public"])
    summary = queries.following_page(w["other_teacher"])[0][0]
    assert [m.id for m in summary.overdue] == [late.id]
    assert (summary.done, summary.total) == (0, 3)
    code, html = _html(w["clients"]["other_teacher"], "/trajectories/following")
    assert "Te late mijlpaal" in html and "Mijlpaal op tijd" not in html
    assert "<progress" in html and "style=" not in html.split("<main", 1)[1]


def test_company_overview_matrix(w):
    _check_titles(w, f"/organisations/{w['company_a'].id}/trajectories", READERS, INSIDERS)
    code, html = _html(w["clients"]["manager"], f"/organisations/{w['company_a'].id}/trajectories")
    assert f"/organisations/{w['company_a'].id}/trajectories/new" in html
    code, html = _html(w["clients"]["other_manager"], f"/organisations/{w['company_a'].id}/trajectories")
    assert f"/organisations/{w['company_a'].id}/trajectories/new" not in html
    assert w["clients"]["member"].get("/organisations/999999/trajectories").status_code == 404


def test_company_overview_of_an_unapproved_organisation_is_404(w, factories):
    pending = factories.organisation(name="Voorgesteld", actor=w["admin"])
    from community.models import Organisation
    db.session.get(Organisation, pending.id).status = "pending"
    db.session.commit()
    assert w["clients"]["member"].get(f"/organisations/{pending.id}/trajectories").status_code == 404


def test_community_tab_matrix(w):
    _check_titles(w, f"/c/{w['community'].slug}/trajectories", READERS, INSIDERS)
    code, html = _html(w["clients"]["member"], f"/c/{w['community'].slug}/")
    assert f"/c/{w['community'].slug}/trajectories" in html


def test_dashboard_panel(w):
    for role, expected in (("manager", {SECRET, OPEN}), ("coach", {SECRET, OPEN}), ("member", set()),
                           ("other_manager", set()), ("outsider", set())):
        code, html = _html(w["clients"][role], "/dashboard")
        assert code == 200
        assert {title for title in (SECRET, OPEN) if title in html} == expected, role
        assert "/trajectories/following" in html


def test_case_and_discussion_boxes(w):
    _check_titles(w, f"/cases/{w['case'].id}", READERS, INSIDERS)
    _check_titles(w, f"/d/{w['discussion'].id}", READERS, INSIDERS)
    # Who may link sees a link to the form; its choices load only there (not on every view).
    form_url = f"/t/links/new?target=case&amp;target_id={w['case'].id}"
    code, html = _html(w["clients"]["coach"], f"/cases/{w['case'].id}")
    assert form_url in html and 'name="evidence"' not in html
    code, html = _html(w["clients"]["coach"], form_url.replace("&amp;", "&"))
    assert code == 200 and 'name="evidence"' in html and "Mijlpaal van" in html
    code, html = _html(w["clients"]["member"], f"/cases/{w['case'].id}")
    assert form_url not in html
    code, html = _html(w["clients"]["member"], form_url.replace("&amp;", "&"))
    assert code == 403 and 'name="evidence"' not in html
    code, html = _html(w["clients"]["outsider"], f"/t/links/new?target=case&target_id={w['case'].id + 999}")
    assert code == 404


def test_feed_hides_confidential_updates(w):
    # The community is public, but trajectory updates reach only those who may open the
    # trajectory (its members; insiders for the confidential one): no feed line leads to a 404.
    _check_titles(w, f"/c/{w['community'].slug}/", READERS, INSIDERS)
    page = w["clients"]["outsider"].get(f"/c/{w['community'].slug}/").get_data(as_text=True)
    assert w["public"].title not in page


def _link(client, t, target, target_id, milestone=None, next_url="/dashboard"):
    data = {"trajectory_id": t.id, "target": target, "target_id": target_id, "next": next_url}
    if milestone is not None:
        data["milestone_id"] = milestone.id
    return client.submit("/t/links", data)


def test_linking_rules(w, factories):
    coach, member = w["clients"]["coach"], w["clients"]["member"]
    t = w["public"]
    case = case_actions.create_case(w["coach"], w["community"], title="Nieuwe casus", context="c", publish=True)
    own = discussion_actions.start_discussion(w["member"], w["community"], "Vraag van lid", "tekst")
    draft = case_actions.create_case(w["member"], w["community"], title="Concept", context="c")
    assert_matrix(w["clients"], [
        # the coach may edit the case and contribute to the trajectory
        ("POST", "/t/links", {"coach": 302}, {"trajectory_id": t.id, "target": "case", "target_id": case.id}),
        # a member edits their discussion but does not take part in the trajectory
        ("POST", "/t/links", {"member": 403}, {"trajectory_id": t.id, "target": "discussion", "target_id": own.id}),
        # the coach cannot edit someone else's discussion
        ("POST", "/t/links", {"coach": 403}, {"trajectory_id": t.id, "target": "discussion", "target_id": own.id}),
        # a case you cannot see (someone else's draft) does not exist
        ("POST", "/t/links", {"coach": 404}, {"trajectory_id": t.id, "target": "case", "target_id": draft.id}),
        # a confidential trajectory does not exist for outsiders of it
        ("POST", "/t/links", {"member": 404, "other_teacher": 404},
         {"trajectory_id": w["secret"].id, "target": "discussion", "target_id": own.id}),
        ("POST", "/t/links", {"coach": 404}, {"trajectory_id": t.id, "target": "nonsense", "target_id": case.id}),
    ])
    link = db.session.scalar(sa.select(TrajectoryLink).where(TrajectoryLink.target == "case",
                                                             TrajectoryLink.target_id == case.id))
    assert link is not None and link.trajectory_id == t.id
    assert db.session.scalar(sa.select(sa.func.count(TrajectoryLink.id)).where(
        TrajectoryLink.target == "discussion", TrajectoryLink.target_id == own.id)) == 0
    # A milestone of another trajectory is refused.
    other_milestone = w["secret"].milestones[0]
    response = _link(coach, t, "case", case.id, other_milestone)
    assert response.status_code == 302
    db.session.refresh(link)
    assert link.milestone_id is None
    assert coach.submit("/t/links", {"trajectory_id": t.id, "milestone_id": "x", "target": "case",
                                     "target_id": case.id}).status_code == 404
    # The select on the page posts "<trajectory>:<milestone>".
    response = coach.submit("/t/links", {"evidence": f"{t.id}:{t.milestones[0].id}", "target": "case",
                                         "target_id": case.id, "next": f"/cases/{case.id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}")
    db.session.refresh(link)
    assert link.milestone_id == t.milestones[0].id
    # next only to this site
    response = _link(coach, t, "case", case.id, next_url="//evil.example")
    assert "evil" not in response.headers["Location"]
    # unlinking: insiders only
    assert member.submit(f"/t/links/{link.id}/remove").status_code == 403
    assert w["clients"]["other_teacher"].submit(f"/t/links/{link.id}/remove").status_code == 403
    link_id = link.id
    assert coach.submit(f"/t/links/{link_id}/remove").status_code == 302
    assert db.session.get(TrajectoryLink, link_id) is None
    assert coach.submit("/t/links/999999/remove").status_code == 404


def test_link_shows_on_both_sides_only_to_who_sees_both_ends(w, factories, make_client):
    """A case in a private community linked to the open trajectory: members of the hosting
    community see the trajectory but not the case; members of the private one only the case."""
    private = community_actions.create_community(w["admin"], name="Besloten", visibility="private",
                                                 join_policy="invite", coordinator=w["coach"])
    private_only = factories.user(name="Alleen besloten")
    community_actions.invite_user(w["admin"], private, private_only)
    community_actions.join(private_only, private)
    hidden_case = case_actions.create_case(w["coach"], private, title="Besloten casus", context="c", publish=True)
    actions.link_evidence(w["coach"], w["public"], hidden_case)

    titles = lambda user, t: [target.title for _kind, target, _m in page.trajectory_page(user,
                                                                                         t).evidence]  # noqa: E731
    assert "Besloten casus" in titles(w["coach"], w["public"])
    assert "Besloten casus" not in titles(w["member"], w["public"])
    assert "Cobotcasus" in titles(w["member"], w["public"])
    assert "Besloten casus" in titles(private_only, w["public"])  # it filters the targets only

    code, html = _html(make_client(private_only), f"/cases/{hidden_case.id}")
    assert code == 200 and OPEN not in html
    code, html = _html(w["clients"]["coach"], f"/cases/{hidden_case.id}")
    assert OPEN in html
    assert w["clients"]["member"].get(f"/cases/{hidden_case.id}").status_code == 404


def _trajectories(factories, n, community, company, manager, coach, follower):
    for i in range(n):
        t = actions.create_trajectory(manager, company, community, title=f"Traject {i}",
                                      visibility="confidential" if i % 2 else "community")
        actions.add_participant(manager, t, coach, "coach")
        actions.add_milestone(manager, t, title="A", due_date=date(2020, 1, 1))
        m = actions.add_milestone(manager, t, title="B")
        actions.set_milestone_done(manager, m)
        for k in range(3):
            actions.add_entry_to_log(coach, t, f"Notitie {k}", "result", "applied")
        actions.follow(follower, t)


def _count(count_queries, client, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def _company_with_trajectories(factories, n):
    """A company whose manager runs n trajectories (see _trajectories) in a community of its own,
    one coach following them all; returns (company, manager, coach)."""
    admin = factories.admin()
    community = community_actions.create_community(admin, name=f"Gemeenschap {n}", coordinator=factories.user())
    company = factories.organisation(actor=admin)
    manager = factories.member(company, factories.user(), role="manager")
    community_actions.join(manager, community)
    coach = factories.user(kind="teacher")
    _trajectories(factories, n, community, company, manager, coach, coach)
    return company, manager, coach


def test_follow_page_query_count_is_constant(factories, make_client, count_queries):
    counts = []
    for n in (2, 20):
        company, manager, coach = _company_with_trajectories(factories, n)
        client = make_client(coach)
        client.get("/trajectories/following")  # warm up
        counts.append(_count(count_queries, client, "/trajectories/following"))
        html = client.get("/trajectories/following").get_data(as_text=True)
        # latest two of three; each trajectory once, under "coached" (it was also under "followed")
        assert html.count("Notitie 2") == n and "Notitie 0" not in html
    assert counts[0] == counts[1], counts


def test_company_overview_query_count_is_constant(factories, make_client, count_queries):
    counts = []
    for n in (3, 25):
        company, manager, coach = _company_with_trajectories(factories, n)
        client = make_client(manager)
        url = f"/organisations/{company.id}/trajectories"
        client.get(url)
        counts.append(_count(count_queries, client, url))
        assert client.get(url).get_data(as_text=True).count('class="trajectory-card"') == n
    assert counts[0] == counts[1], counts


def test_linking_from_the_trajectory_page(w):
    """Linking works from the trajectory's side too: the page offers what the user may link."""
    t, coach = w["public"], w["clients"]["coach"]
    case = case_actions.create_case(w["coach"], w["community"], title="Casus van de coach", context="c",
                                    publish=True)
    html = coach.get(f"/t/{t.id}").get_data(as_text=True)
    form_url = f"/t/{t.id}/evidence/new"
    assert form_url in html and f'value="case:{case.id}"' not in html  # the choices load on their own page
    html = coach.get(form_url).get_data(as_text=True)
    assert f'value="case:{case.id}"' in html
    response = coach.submit("/t/links", {"trajectory_id": t.id, "target": f"case:{case.id}",
                                         "next": f"/t/{t.id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/t/{t.id}"
    assert "Casus van de coach" in coach.get(f"/t/{t.id}").get_data(as_text=True)
    # Someone who does not take part gets no form.
    member = w["clients"]["member"]
    assert form_url not in member.get(f"/t/{t.id}").get_data(as_text=True)
    response = member.get(form_url)
    assert response.status_code == 403 and 'id="evidence-target"' not in response.get_data(as_text=True)
