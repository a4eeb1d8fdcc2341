"""Trajectory pages: the role × endpoint matrix for a confidential and a community-visible
trajectory, bad input through the pages (nothing half-written), the query budget of the
trajectory page, and the printable report.

Users read English (language="en"), so assertions on page text hold once Dutch exists.
"""
from datetime import date

import pytest
import sqlalchemy as sa

from community.actions import trajectories as actions
from community.extensions import db
from community.models import Milestone, OutcomeEntry, Trajectory, TrajectoryFollow
from tests import worlds
from tests.helpers import assert_matrix

ROLES = ("anonymous", "outsider", "member", "owner", "employee", "coach", "student", "other_manager", "teacher",
         "admin")
INSIDERS = {"owner", "employee", "coach", "student", "admin"}
READERS = {"member", "other_manager", "teacher"}  # community members who take no part


@pytest.fixture
def world(make_client):
    """The trajectories world (tests.worlds.trajectories) in English, with a confidential and a
    community-visible trajectory (employee, coach and student take part; two milestones) and a
    browser for every role."""
    world = worlds.trajectories(language="en")
    world.trajectories = {}
    for visibility in ("confidential", "community"):
        t = worlds.trajectory(world, visibility, title=f"Traject {visibility}", roles=("employee", "coach", "student"))
        actions.add_milestone(world.owner, t, title="Eerste las", due_date=date(2026, 10, 1))
        actions.add_milestone(world.owner, t, title="Tweede las", due_date=date(2026, 11, 1))
        world.trajectories[visibility] = t
    world.clients = worlds.clients(make_client, world.users)
    return world


def _row(visibility, allowed, ok):
    """anonymous → login; who cannot see the trajectory → 404; allowed → ok; the rest → 403."""
    viewers = INSIDERS | (READERS if visibility == "community" else set())
    row = {}
    for role in ROLES:
        if role == "anonymous":
            row[role] = 302
        elif role not in viewers:
            row[role] = 404
        else:
            row[role] = ok if role in allowed else 403
    return row


OWNERS = {"owner", "admin"}
EVERYONE = set(ROLES)


@pytest.mark.parametrize("visibility", ["confidential", "community"])
def test_read_pages_matrix(world, visibility):
    t = world.trajectories[visibility]
    m = t.milestones[0]
    assert_matrix(world.clients, [
        ("GET", f"/t/{t.id}", _row(visibility, EVERYONE, 200)),
        ("GET", f"/t/{t.id}/report", _row(visibility, EVERYONE, 200)),
        ("GET", f"/t/{t.id}/edit", _row(visibility, OWNERS, 200)),
        ("GET", f"/t/{t.id}/milestones/new", _row(visibility, OWNERS, 200)),
        ("GET", f"/milestones/{m.id}/edit", _row(visibility, OWNERS, 200)),
        ("GET", "/t/999999", _row(visibility, set(), 404) | {r: 404 for r in ROLES if r != "anonymous"}),
        ("GET", "/t/99999999999999999999", {r: 404 for r in ROLES if r != "anonymous"}),
    ])


def test_new_trajectory_matrix(world):
    org = world.company_a.id
    assert_matrix(world.clients, [
        ("GET", f"/organisations/{org}/trajectories/new",
         {"anonymous": 302, "outsider": 403, "member": 403, "owner": 200, "employee": 403, "coach": 403,
          "student": 403, "other_manager": 403, "teacher": 403, "admin": 200}),
        ("POST", f"/organisations/{org}/trajectories/new",
         {"anonymous": 302, "outsider": 403, "employee": 403, "other_manager": 403}, {"title": "Gekaapt"}),
        ("GET", "/organisations/999999/trajectories/new", {"owner": 404, "admin": 404}),
    ])
    assert db.session.scalar(sa.select(sa.func.count(Trajectory.id))) == 2


@pytest.mark.parametrize("visibility", ["confidential", "community"])
def test_writes_matrix(world, visibility):
    t = world.trajectories[visibility]
    m1, m2 = t.milestones
    coach_id = world.users["coach"].id
    entry = {"body": "Ik heb geleerd om sneller te lassen.", "kind": "reflection", "value_kind": "immediate"}
    refused = {role: status for role, status in _row(visibility, set(), 0).items() if status}  # 302/403/404
    not_owner = {r: s for r, s in refused.items() if r not in OWNERS}
    not_coach = {r: s for r, s in refused.items() if r != "coach"}
    assert_matrix(world.clients, [
        ("POST", f"/t/{t.id}/edit", not_owner, {"title": "Gekaapt"}),
        ("POST", f"/t/{t.id}/status", not_owner, {"status": "active"}),
        ("POST", f"/t/{t.id}/participants", not_owner, {"email": world.users["teacher"].email, "role": "coach"}),
        ("POST", f"/t/{t.id}/participants/{coach_id}/remove", not_owner),
        ("POST", f"/t/{t.id}/milestones/new", not_owner, {"title": "Gekaapt"}),
        ("POST", f"/milestones/{m1.id}/edit", not_owner, {"title": "Gekaapt"}),
        ("POST", f"/milestones/{m1.id}/done", not_owner, {"done": "1"}),
        ("POST", f"/milestones/{m1.id}/move", not_owner, {"direction": "down"}),
        ("POST", f"/milestones/{m1.id}/delete", not_owner),
        ("POST", f"/milestones/{m1.id}/sign-off", not_coach),
        ("POST", f"/t/{t.id}/log", {r: s for r, s in refused.items() if r not in INSIDERS}, entry),
    ])
    db.session.refresh(t)
    assert t.title == f"Traject {visibility}" and t.status == "concept"
    assert [m.title for m in t.milestones] == ["Eerste las", "Tweede las"]
    assert not any(m.is_done or m.signed_off_at for m in t.milestones)
    assert len(t.participants) == 3
    assert db.session.scalar(sa.select(sa.func.count(OutcomeEntry.id))) == 0
    # And now those who may: every insider writes in the log, the owner works the milestones.
    assert_matrix(world.clients, [
        ("POST", f"/t/{t.id}/log", {r: 302 for r in INSIDERS}, entry),
        ("POST", f"/t/{t.id}/follow", {r: 302 for r in ROLES if refused[r] not in (302, 404)}, {"following": "1"}),
        ("POST", f"/milestones/{m1.id}/move", {"owner": 302}, {"direction": "down"}),
        ("POST", f"/milestones/{m1.id}/sign-off", {"coach": 302}),
        ("POST", f"/milestones/{m2.id}/done", {"admin": 302}, {"done": "1"}),
        ("POST", f"/milestones/{m2.id}/edit", {"owner": 302}, {"title": "Tweede las, herzien"}),
        ("POST", f"/t/{t.id}/participants", {"owner": 302},
         {"email": world.users["teacher"].email, "role": "coach"}),
        ("POST", f"/t/{t.id}/status", {"owner": 302}, {"status": "active"}),
    ])
    db.session.refresh(t)
    assert t.status == "active"
    assert [m.title for m in t.milestones] == ["Tweede las, herzien", "Eerste las"]
    assert m1.signed_off_by_id == coach_id and m1.is_done and m2.is_done
    assert db.session.scalar(sa.select(sa.func.count(OutcomeEntry.id))) == len(INSIDERS)
    followers = 5 if visibility == "confidential" else 8
    assert db.session.scalar(sa.select(sa.func.count(TrajectoryFollow.id))) == followers
    assert_matrix(world.clients, [
        ("POST", f"/t/{t.id}/participants/{coach_id}/remove", {"owner": 302}),
        ("POST", f"/milestones/{m2.id}/delete", {"admin": 302}),
    ])
    db.session.refresh(t)
    assert [m.title for m in t.milestones] == ["Eerste las"]
    assert world.users["coach"].id not in [p.user_id for p in t.participants]


def test_confidential_trajectory_is_nowhere_for_outsiders(world):
    t = world.trajectories["confidential"]
    for role in ("outsider", "member", "other_manager", "teacher"):
        for url in (f"/t/{t.id}", f"/t/{t.id}/report"):
            response = world.clients[role].get(url)
            assert response.status_code == 404
            assert t.title not in response.get_data(as_text=True)


def test_view_shows_progress_timeline_and_controls(world):
    t, users = world.trajectories["community"], world.users
    actions.sign_off_milestone(users["coach"], t.milestones[0])
    actions.add_entry_to_log(users["student"], t, "Ik **snap** het nu.", "result", "applied", milestone=t.milestones[0])
    owner_html = world.clients["owner"].get(f"/t/{t.id}").get_data(as_text=True)
    assert "1 of 2 milestones done" in owner_html and "w-50" in owner_html and "style=" not in owner_html
    assert "Signed off by Docent on" in owner_html
    assert "<strong>snap</strong>" in owner_html and "Applied value" in owner_html
    assert "Make active" in owner_html and "Make completed" not in owner_html
    assert "Add participant" in owner_html and 'data-confirm="Remove' in owner_html
    assert "Teacher / coach" in owner_html and 'class="timeline"' in owner_html
    member_html = world.clients["member"].get(f"/t/{t.id}").get_data(as_text=True)
    assert "Make active" not in member_html and "Add participant" not in member_html
    assert "Add entry" not in member_html and "Follow" in member_html
    coach_html = world.clients["coach"].get(f"/t/{t.id}").get_data(as_text=True)
    assert "Sign off" in coach_html and "Add entry" in coach_html


# --- bad input through the pages ---------------------------------------------------------------------

def test_invalid_status_transitions_are_refused(world):
    t, client = world.trajectories["confidential"], world.clients["owner"]
    response = client.submit(f"/t/{t.id}/status", {"status": "completed", "evaluation": "x" * 30},
                             follow_redirects=True)
    assert "cannot go from concept to completed" in response.get_data(as_text=True)
    client.submit(f"/t/{t.id}/status", {"status": "active"})
    response = client.submit(f"/t/{t.id}/status", {"status": "completed", "evaluation": "kort"},
                             follow_redirects=True)
    assert "Write a short evaluation" in response.get_data(as_text=True)
    response = client.submit(f"/t/{t.id}/status", {"status": "bogus"}, follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(t)
    assert t.status == "active" and t.evaluation == "" and t.completed_at is None


def test_milestone_due_before_start_is_refused_with_input_kept(world):
    t, client = world.trajectories["confidential"], world.clients["owner"]
    response = client.submit(f"/t/{t.id}/milestones/new",
                             {"title": "Te vroeg", "description": "Mijn tekst", "due_date": "2026-08-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be before the trajectory starts" in html and "Te vroeg" in html and "Mijn tekst" in html
    response = client.submit(f"/t/{t.id}/milestones/new", {"title": "Rommel", "due_date": "gisteren"})
    assert response.status_code == 400 and "Rommel" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id)).where(Milestone.trajectory_id == t.id)) == 2


def test_sign_off_by_non_coach_is_refused(world):
    t = world.trajectories["community"]
    milestone = t.milestones[0]
    for role in ("owner", "employee", "student", "admin"):
        response = world.clients[role].submit(f"/milestones/{milestone.id}/sign-off")
        assert response.status_code == 403
        assert "Only a teacher or coach" in response.get_data(as_text=True)
    db.session.refresh(milestone)
    assert milestone.signed_off_at is None and not milestone.is_done


def test_overlong_and_bad_trajectory_input(world):
    t, client = world.trajectories["confidential"], world.clients["owner"]
    response = client.submit(f"/t/{t.id}/edit", {"title": "x" * 201, "goal": "Mijn doel", "visibility": "community"})
    assert response.status_code == 400 and "Mijn doel" in response.get_data(as_text=True)
    response = client.submit(f"/t/{t.id}/edit", {"title": "Goed", "visibility": "community",
                                                 "planned_start": "2027-02-01", "planned_end": "2027-01-01"})
    assert response.status_code == 400 and "cannot be before the start date" in response.get_data(as_text=True)
    response = client.submit(f"/t/{t.id}/log", {"body": "x" * 10_001, "kind": "result", "value_kind": "applied"})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OutcomeEntry.id))) == 0
    db.session.refresh(t)
    assert t.title == "Traject confidential" and t.visibility == "confidential"


def test_create_trajectory_through_the_page(world):
    org, community = world.company_a, world.community
    client = world.clients["owner"]
    page = client.get(f"/organisations/{org.id}/trajectories/new").get_data(as_text=True)
    assert 'type="date"' in page and "data-draft" in page and community.name in page
    url = f"/organisations/{org.id}/trajectories/new"
    response = client.submit(url, {"title": "Nieuw", "goal": "Doel", "community_id": str(community.id),
                                   "visibility": "community", "planned_start": "2027-02-01",
                                   "planned_end": "2027-01-01"})
    assert response.status_code == 400 and "Doel" in response.get_data(as_text=True)
    response = client.submit(url, {"title": "Nieuw", "goal": "Doel", "community_id": "999999",
                                   "visibility": "community"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Trajectory.id))) == 2
    response = client.submit(url, {"title": "Nieuw", "goal": "Doel", "community_id": str(community.id),
                                   "visibility": "confidential", "planned_start": "2027-01-01"})
    assert response.status_code == 302
    created = db.session.scalar(sa.select(Trajectory).where(Trajectory.title == "Nieuw"))
    assert created.visibility == "confidential" and created.organisation_id == org.id


# --- query budget and the report ------------------------------------------------------------------------

def test_trajectory_page_query_count_is_constant(world, factories, count_queries):
    owner, client = world.users["owner"], world.clients["owner"]

    def build(n):
        t = actions.create_trajectory(owner, world.company_a, world.community, title=f"Groot {n}",
                                      visibility="community", planned_start=date(2026, 9, 1))
        for i in range(n):
            person = factories.user(language="en")
            actions.add_participant(owner, t, person, ("employee", "coach", "student")[i % 3])
            milestone = actions.add_milestone(owner, t, title=f"Mijlpaal {i}", due_date=date(2026, 10, 1 + i))
            actions.add_entry_to_log(person, t, f"Leeropbrengst {i}", "result", "applied", milestone=milestone)
            if i % 3 == 1:
                actions.sign_off_milestone(person, milestone)
        return t

    counts = []
    for t in (build(2), build(20)):
        client.get(f"/t/{t.id}")  # warm up
        with count_queries() as counter:
            response = client.get(f"/t/{t.id}")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_report_after_completion(world):
    t, users = world.trajectories["community"], world.users
    client = world.clients["owner"]
    client.submit(f"/t/{t.id}/status", {"status": "active"})
    actions.add_entry_to_log(users["employee"], t, "We lassen sneller.", "result", "realised")
    evaluation = "Het traject leverde een kortere inwerktijd op."
    client.submit(f"/t/{t.id}/status", {"status": "completed", "evaluation": evaluation})
    db.session.refresh(t)
    assert t.status == "completed"
    response = world.clients["member"].get(f"/t/{t.id}/report")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert evaluation in html and "Realised value" in html and "We lassen sneller." in html
    assert "data-print" in html and "js/print.js" in html and "Eerste las" in html
    view = world.clients["employee"].get(f"/t/{t.id}").get_data(as_text=True)
    assert evaluation in view and "Add entry" not in view  # the log closes when completed


def test_link_ids_beyond_any_table_are_not_found(factories, make_client, api):
    admin = factories.admin()
    assert make_client(admin).submit("/t/links/99999999999999999999/remove").status_code == 404
    assert api(admin).delete("/api/v1/trajectory-links/99999999999999999999").status_code == 404
