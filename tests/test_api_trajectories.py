"""The trajectories JSON API: a role × endpoint permission matrix for a confidential and a
community-visible trajectory, the rules the actions enforce as API clients meet them (status moves,
dates, sign-off, lengths, evidence you cannot see), nothing half-written, fixed query counts, the
OpenAPI document and the demo trajectories. State is built through the real actions and factories."""
from datetime import date

import pytest
import sqlalchemy as sa

from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions as discussion_actions
from community.actions import trajectories as actions
from community.extensions import db
from community.models import (
    Milestone, OutcomeEntry, Trajectory, TrajectoryFollow, TrajectoryLink, TrajectoryParticipant,
)
from tests import worlds
from tests.helpers import assert_error, assert_matrix, count, counted_get

ROLES = ("anonymous", "outsider", "member", "owner", "employee", "coach", "other_manager", "teacher", "admin")
INSIDERS = ("owner", "employee", "coach", "admin")
OWNERS = ("owner", "admin")
API = "/api/v1"


@pytest.fixture
def world(api):
    """The trajectories world (tests.worlds.trajectories) with a token client for every role."""
    world = worlds.trajectories()
    world.clients = {role: api(world.users.get(role)) for role in ROLES}
    return world


def expect(readers, allowed, ok, refused=403, only=None):
    """Expected statuses: 401 anonymous, 404 for those who may not see the trajectory, ``ok`` for
    ``allowed``, ``refused`` for the other readers. Allowed roles come last, so that refusals are
    tried before the state changes. ``only`` limits the roles checked."""
    result = {}
    for role in ROLES:
        if role == "anonymous":
            result[role] = 401
        elif role not in readers:
            result[role] = 404
        elif role not in allowed:
            result[role] = refused
    for role in allowed:
        result[role] = ok
    return {role: status for role, status in result.items() if only is None or role in only}


@pytest.mark.parametrize("visibility", ["confidential", "community"])
def test_permission_matrix(world, factories, visibility):
    t = worlds.trajectory(world, visibility)
    readers = INSIDERS + (("member", "other_manager", "teacher") if visibility == "community" else ())
    newcomers = [factories.user(name=f"Nieuw {n}") for n in range(2)]
    actions.add_participant(world.owner, t, world.student, "student")
    m_edit, m_sign, m_del1, m_del2 = [actions.add_milestone(world.owner, t, title=f"Mijlpaal {n}") for n in range(4)]
    discussions = [discussion_actions.start_discussion(world.employee, world.community, f"Bewijs {n}", "tekst")
                   for n in range(5)]
    links = [actions.link_evidence(world.employee, t, d) for d in discussions[1:]]
    base, m = f"{API}/trajectories/{t.id}", f"{API}/milestones"
    everyone = {role: (401 if role == "anonymous" else 200) for role in ROLES}
    # Refused (403) or not found (404) for everyone but the owners, or but the insiders.
    refusals = {role: status for role, status in expect(readers, OWNERS, 0).items() if status}
    outsiders = {role: status for role, status in expect(readers, INSIDERS, 0).items() if status}
    assert_matrix(world.clients, [
        ("GET", f"{API}/trajectories", everyone),
        ("GET", base, expect(readers, readers, 200)),
        ("PATCH", base, expect(readers, OWNERS, 200), {"title": "Lascobot invoeren (fase 2)"}),
        ("POST", f"{base}/status", {**refusals, "owner": 200}, {"status": "active"}),
        ("POST", f"{base}/status", {"admin": 200}, {"status": "paused"}),
        ("POST", f"{base}/participants", {**refusals, "owner": 201}, {"user_id": newcomers[0].id, "role": "student"}),
        ("POST", f"{base}/participants", {"admin": 201}, {"user_id": newcomers[1].id, "role": "student"}),
        ("DELETE", f"{base}/participants/{newcomers[0].id}", {**refusals, "owner": 204}),
        ("DELETE", f"{base}/participants/{newcomers[1].id}", {"admin": 204}),
        ("GET", f"{base}/milestones", expect(readers, readers, 200)),
        ("POST", f"{base}/milestones", expect(readers, OWNERS, 201), {"title": "Nieuwe mijlpaal"}),
        ("PATCH", f"{m}/{m_edit.id}", expect(readers, OWNERS, 200), {"title": "Andere titel"}),
        ("POST", f"{m}/{m_edit.id}/done", expect(readers, OWNERS, 200), {"done": True}),
        ("POST", f"{m}/{m_edit.id}/move", expect(readers, OWNERS, 200), {"direction": "down"}),
        ("POST", f"{m}/{m_sign.id}/sign-off", expect(readers, ("coach",), 200)),
        ("DELETE", f"{m}/{m_del1.id}", {**refusals, "owner": 204}),
        ("DELETE", f"{m}/{m_del2.id}", {"admin": 204}),
        ("GET", f"{base}/entries", expect(readers, readers, 200)),
        ("POST", f"{base}/entries", expect(readers, INSIDERS, 201),
         {"body": "Geleerd", "kind": "reflection", "value_kind": "applied"}),
        ("GET", f"{base}/links", expect(readers, readers, 200)),
        # Linking needs the right to edit both ends: the discussion's author (a participant) and
        # the admin (who moderates every discussion); the owner and coach may not edit it.
        ("POST", f"{base}/links", expect(readers, ("employee", "admin"), 201),
         {"target": "discussion", "target_id": discussions[0].id}),
        *[("DELETE", f"{API}/trajectory-links/{link.id}",
           {**outsiders, role: 204} if n == 0 else {role: 204})
          for n, (link, role) in enumerate(zip(links, INSIDERS))],
        ("PUT", f"{base}/follow", expect(readers, readers, 200)),
        ("DELETE", f"{base}/follow", expect(readers, readers, 200)),
    ])
    # Missing ones answer exactly like a confidential one does to an outsider.
    outsider = world.clients["outsider"]
    assert_error(outsider.get(f"{API}/trajectories/999999"), 404, "not_found")
    assert_error(outsider.post(f"{API}/milestones/999999/done", json={"done": True}), 404, "not_found")
    assert_error(outsider.delete(f"{API}/trajectory-links/999999"), 404, "not_found")


def test_list_shows_what_each_may_see_with_filters(world, factories):
    confidential = worlds.trajectory(world, "confidential", title="Vertrouwelijk")
    open_one = worlds.trajectory(world, "community", title="Open")
    actions.change_status(world.owner, open_one, "active")
    actions.add_milestone(world.owner, open_one, title="Een")
    actions.set_milestone_done(world.owner, actions.add_milestone(world.owner, open_one, title="Twee"), True)

    def titles(role, query=""):
        response = world.clients[role].get(f"{API}/trajectories{query}")
        assert response.status_code == 200
        return {item["title"]: item for item in response.get_json()["items"]}

    assert set(titles("owner")) == set(titles("coach")) == set(titles("admin")) == {"Vertrouwelijk", "Open"}
    assert set(titles("member")) == set(titles("other_manager")) == {"Open"}
    assert titles("outsider") == {}
    item = titles("member")["Open"]
    assert item["progress"] == {"done": 1, "total": 2} and item["following"] is False
    assert item["organisation"] == {"id": world.company_a.id, "name": "Metaal A"}
    assert item["community"] == {"slug": "lassen", "name": "Lassen"}
    assert item["planned_start"] == "2026-09-01" and item["planned_end"] == "2027-06-30"
    assert set(titles("owner", "?status=active")) == {"Open"}
    assert set(titles("owner", f"?organisation={world.company_b.id}")) == set()
    assert set(titles("owner", "?community=lassen")) == {"Vertrouwelijk", "Open"}
    assert world.clients["member"].put(f"{API}/trajectories/{open_one.id}/follow").get_json() == {"following": True}
    following = titles("member", "?following=true")
    assert set(following) == {"Open"} and following["Open"]["following"] is True
    assert_error(world.clients["member"].get(f"{API}/trajectories?status=weg"), 422)
    assert confidential.id  # listed above for insiders only


def test_create_detail_and_update(world):
    owner = world.clients["owner"]
    body = {"organisation_id": world.company_a.id, "community_slug": "lassen", "title": "Onderhoud leren",
            "goal": "Een **doel**", "visibility": "confidential", "planned_start": "2026-09-01",
            "planned_end": "2027-01-31"}
    response = owner.post(f"{API}/trajectories", json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "concept" and "<strong>doel</strong>" in created["goal_html"]
    assert created["planned_end"] == "2027-01-31" and created["can_edit"] is True
    tid = created["id"]
    assert_error(world.clients["employee"].post(f"{API}/trajectories", json=body), 403, "forbidden")
    assert_error(world.clients["other_manager"].post(f"{API}/trajectories", json=body), 403)
    assert_error(owner.post(f"{API}/trajectories", json={**body, "organisation_id": 999999}), 404)
    assert_error(owner.post(f"{API}/trajectories", json={**body, "community_slug": "bestaat-niet"}), 404)
    assert_error(world.clients["anonymous"].post(f"{API}/trajectories", json=body), 401)
    assert count(Trajectory) == 1

    actions.add_participant(world.owner, db.session.get(Trajectory, tid), world.coach, "coach")
    detail = world.clients["coach"].get(f"{API}/trajectories/{tid}").get_json()
    assert detail["participants"] == [{"user": {"id": world.coach.id, "display_name": "Docent"}, "role": "coach"}]
    assert detail["my_role"] == "coach" and detail["can_edit"] is False and detail["milestones"] == []
    patched = owner.patch(f"{API}/trajectories/{tid}", json={"title": "Nieuwe titel"}).get_json()
    assert patched["title"] == "Nieuwe titel" and patched["goal"] == "Een **doel**"
    assert patched["visibility"] == "confidential" and patched["planned_start"] == "2026-09-01"


def test_status_transitions(world):
    t = worlds.trajectory(world, "community")
    owner, url = world.clients["owner"], f"{API}/trajectories/{t.id}/status"
    for wrong in ("paused", "completed", "concept", "weg"):
        assert_error(owner.post(url, json={"status": wrong}), 409, "invalid_transition", "status")
    assert owner.post(url, json={"status": "active"}).get_json()["status"] == "active"
    assert_error(owner.post(url, json={"status": "completed", "evaluation": "kort"}), 422, "invalid", "evaluation")
    done = owner.post(url, json={"status": "completed", "evaluation": "Twee lassers werken zelfstandig."})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    assert done.get_json()["evaluation_html"].startswith("<p>")
    assert_error(owner.post(url, json={"status": "active"}), 409, "invalid_transition")
    # A completed trajectory takes no more log entries.
    assert_error(world.clients["employee"].post(f"{API}/trajectories/{t.id}/entries", json={
        "body": "Nog iets", "kind": "reflection", "value_kind": "applied"}), 403)
    assert_error(owner.post(url, json={}), 422)


def test_dates_must_be_iso_and_in_order(world):
    t = worlds.trajectory(world, "community")
    owner = world.clients["owner"]
    before = (count(Trajectory), count(Milestone))
    base = {"organisation_id": world.company_a.id, "community_slug": "lassen", "title": "Datum"}
    for bad in ("01-09-2026", "2026-13-01", "morgen", 20260901):
        assert_error(owner.post(f"{API}/trajectories", json={**base, "planned_start": bad}), 422)
        assert_error(owner.post(f"{API}/trajectories/{t.id}/milestones", json={"title": "M", "due_date": bad}), 422)
    assert_error(owner.post(f"{API}/trajectories", json={**base, "planned_start": "2027-01-02",
                                                         "planned_end": "2027-01-01"}), 422, "invalid", "planned_end")
    assert_error(owner.post(f"{API}/trajectories/{t.id}/milestones",
                            json={"title": "Te vroeg", "due_date": "2026-08-31"}), 422, "invalid", "due_date")
    milestone = actions.add_milestone(world.owner, t, title="Op tijd", due_date=date(2026, 10, 1))
    assert_error(owner.patch(f"{API}/milestones/{milestone.id}", json={"due_date": "2026-01-01"}), 422,
                 field="due_date")
    assert (count(Trajectory), count(Milestone)) == (before[0], before[1] + 1)
    db.session.refresh(milestone)
    assert milestone.due_date == date(2026, 10, 1)
    ok = owner.post(f"{API}/trajectories/{t.id}/milestones", json={"title": "Goed", "due_date": "2026-11-02"})
    assert ok.status_code == 201 and ok.get_json()["due_date"] == "2026-11-02"


def test_milestones_sign_off_and_order(world):
    t = worlds.trajectory(world, "confidential")
    actions.add_participant(world.owner, t, world.student, "student")
    first, second = (actions.add_milestone(world.owner, t, title=title) for title in ("Eerste", "Tweede"))
    for role in ("owner", "employee", "admin"):
        assert_error(world.clients[role].post(f"{API}/milestones/{first.id}/sign-off"), 403, "forbidden")
    assert_error(world.clients["member"].post(f"{API}/milestones/{first.id}/sign-off"), 404)
    db.session.refresh(first)
    assert first.signed_off_at is None and not first.is_done
    signed = world.clients["coach"].post(f"{API}/milestones/{first.id}/sign-off").get_json()
    assert signed["status"] == "done" and signed["signed_off_by"]["id"] == world.coach.id
    assert_error(world.clients["coach"].post(f"{API}/milestones/{first.id}/sign-off"), 409, "conflict")
    order = world.clients["owner"].post(f"{API}/milestones/{second.id}/move", json={"direction": "up"}).get_json()
    assert [m["title"] for m in order["items"]] == ["Tweede", "Eerste"]
    assert_error(world.clients["owner"].post(f"{API}/milestones/{second.id}/move", json={"direction": "left"}), 422)
    reopened = world.clients["owner"].post(f"{API}/milestones/{first.id}/done", json={"done": False}).get_json()
    assert reopened["status"] == "open" and reopened["signed_off_by"] is None


def test_overlong_and_bad_input_writes_nothing(world):
    t = worlds.trajectory(world, "community")
    owner, employee = world.clients["owner"], world.clients["employee"]
    milestone = actions.add_milestone(world.owner, t, title="M")
    before = {model: count(model) for model in (Trajectory, Milestone, OutcomeEntry, TrajectoryParticipant)}
    base = {"organisation_id": world.company_a.id, "community_slug": "lassen"}
    assert_error(owner.post(f"{API}/trajectories", json={**base, "title": "x" * 201}), 422, field="title")
    assert_error(owner.post(f"{API}/trajectories", json={**base, "title": "x" * 1000}), 422)
    assert_error(owner.post(f"{API}/trajectories", json={**base, "title": "T", "goal": "x" * 20_001}), 422,
                 field="goal")
    assert_error(owner.post(f"{API}/trajectories", json={**base, "title": "T", "visibility": "geheim"}), 422,
                 field="visibility")
    assert_error(owner.patch(f"{API}/trajectories/{t.id}", json={"title": "   "}), 422, field="title")
    assert_error(owner.post(f"{API}/trajectories/{t.id}/milestones", json={"title": "y" * 201}), 422, field="title")
    entry = {"body": "z" * 10_001, "kind": "reflection", "value_kind": "applied"}
    assert_error(employee.post(f"{API}/trajectories/{t.id}/entries", json=entry), 422, field="body")
    for field, value in (("kind", "roddel"), ("value_kind", "geld"), ("body", "   ")):
        assert_error(employee.post(f"{API}/trajectories/{t.id}/entries",
                                   json={**entry, "body": "Tekst", field: value}), 422, field=field)
    other = worlds.trajectory(world, "community", title="Ander traject")
    foreign = actions.add_milestone(world.owner, other, title="Elders")
    assert_error(employee.post(f"{API}/trajectories/{t.id}/entries",
                               json={**entry, "body": "Tekst", "milestone_id": foreign.id}), 422, field="milestone_id")
    assert_error(owner.post(f"{API}/trajectories/{t.id}/participants", json={"user_id": world.member.id,
                                                                             "role": "baas"}),
                 422, field="role")
    assert_error(owner.post(f"{API}/trajectories/{t.id}/participants", json={"user_id": 999999, "role": "student"}),
                 422, field="user_id")
    assert_error(owner.post(f"{API}/trajectories/{t.id}/participants",
                            json={"user_id": world.employee.id, "role": "student"}), 409)
    assert_error(owner.patch(f"{API}/milestones/{milestone.id}", json={"title": "q" * 201}), 422, field="title")
    after = {model: count(model) for model in before}
    after[Milestone] -= 1  # the one on the other trajectory
    after[Trajectory] -= 1
    after[TrajectoryParticipant] -= 2
    assert after == before
    db.session.refresh(milestone)
    assert milestone.title == "M"
    ok = employee.post(f"{API}/trajectories/{t.id}/entries",
                       json={**entry, "body": "Ik leerde **kalibreren**.", "milestone_id": milestone.id})
    assert ok.status_code == 201 and "<strong>kalibreren</strong>" in ok.get_json()["body_html"]
    assert ok.get_json()["author"] == {"id": world.employee.id, "display_name": "Lasser A"}


def test_links_hide_what_you_cannot_see(world, factories):
    t = worlds.trajectory(world, "community")
    private = factories.community(name="Besloten", slug="besloten", visibility="private", join_policy="invite",
                                  coordinator=world.employee, actor=world.admin)
    hidden = discussion_actions.start_discussion(world.employee, private, "Binnenskamers", "tekst")
    shown = discussion_actions.start_discussion(world.employee, world.community, "Open vraag", "tekst")
    case = case_actions.create_case(world.employee, world.community, title="Eigen casus", context="x", publish=True)
    for target in (hidden, shown, case):
        actions.link_evidence(world.employee, t, target)
    as_employee = world.clients["employee"].get(f"{API}/trajectories/{t.id}/links").get_json()["items"]
    assert {item["title"] for item in as_employee} == {"Binnenskamers", "Open vraag", "Eigen casus"}
    as_member = world.clients["member"].get(f"{API}/trajectories/{t.id}/links").get_json()["items"]
    assert {(i["target"], i["title"]) for i in as_member} == {("discussion", "Open vraag"), ("case", "Eigen casus")}

    # Linking a case (or discussion) you cannot see answers 404 and writes nothing.
    draft = case_actions.create_case(world.member, world.community, title="Concept van een ander", context="x")
    before = count(TrajectoryLink)
    assert_error(world.clients["owner"].post(f"{API}/trajectories/{t.id}/links",
                                             json={"target": "case", "target_id": draft.id}), 404, "not_found")
    assert_error(world.clients["owner"].post(f"{API}/trajectories/{t.id}/links",
                                             json={"target": "discussion", "target_id": hidden.id}), 404)
    assert_error(world.clients["owner"].post(f"{API}/trajectories/{t.id}/links",
                                             json={"target": "case", "target_id": 999999}), 404)
    assert_error(world.clients["owner"].post(f"{API}/trajectories/{t.id}/links",
                                             json={"target": "poll", "target_id": case.id}), 422)
    # Visible but not editable by the owner: 403.
    assert_error(world.clients["owner"].post(f"{API}/trajectories/{t.id}/links",
                                             json={"target": "case", "target_id": case.id}), 403)
    assert count(TrajectoryLink) == before
    milestone = actions.add_milestone(world.owner, t, title="Bewijs")
    moved = world.clients["employee"].post(f"{API}/trajectories/{t.id}/links", json={
        "target": "case", "target_id": case.id, "milestone_id": milestone.id})
    assert moved.status_code == 201 and moved.get_json()["milestone_id"] == milestone.id
    assert count(TrajectoryLink) == before


def test_follow_and_participants(world):
    t = worlds.trajectory(world, "community")
    member = world.clients["member"]
    assert member.put(f"{API}/trajectories/{t.id}/follow").status_code == 200
    assert member.put(f"{API}/trajectories/{t.id}/follow").status_code == 200
    assert count(TrajectoryFollow) == 1
    assert member.get(f"{API}/trajectories/{t.id}").get_json()["following"] is True
    assert member.delete(f"{API}/trajectories/{t.id}/follow").get_json() == {"following": False}
    assert count(TrajectoryFollow) == 0
    added = world.clients["owner"].post(f"{API}/trajectories/{t.id}/participants",
                                        json={"user_id": world.student.id, "role": "student"})
    assert added.status_code == 201
    assert added.get_json() == {"user": {"id": world.student.id, "display_name": "Student"}, "role": "student"}
    # A participant may leave; a missing one answers 404.
    left = world.clients["employee"].delete(f"{API}/trajectories/{t.id}/participants/{world.employee.id}")
    assert left.status_code == 204
    assert_error(world.clients["owner"].delete(f"{API}/trajectories/{t.id}/participants/{world.member.id}"), 404)
    assert_error(world.clients["owner"].delete(f"{API}/trajectories/{t.id}/participants/999999"), 404)


# --- a fixed number of queries ----------------------------------------------------------------------

def test_list_query_count_does_not_grow(world, factories, count_queries):
    def add(n):
        for i in range(n):
            company = factories.organisation(name=f"Bedrijf {count(Trajectory)}", actor=world.admin)
            manager = factories.member(company, factories.user(), role="manager")
            community_actions.join(manager, world.community)
            t = actions.create_trajectory(manager, company, world.community, title=f"Traject {i}",
                                          visibility="community" if i % 3 else "confidential",
                                          planned_start=date(2026, 1, 1))
            actions.add_participant(manager, t, world.member, "student")
            actions.set_milestone_done(manager, actions.add_milestone(manager, t, title="A"), i % 2 == 0)
            if i % 2:
                actions.follow(world.member, t)

    add(2)
    small, body = counted_get(world.clients["member"], f"{API}/trajectories", count_queries)
    assert len(body["items"]) == 2
    add(18)
    large, body = counted_get(world.clients["member"], f"{API}/trajectories", count_queries)
    assert (len(body["items"]), body["total"]) == (20, 20)
    assert len({i["organisation"]["id"] for i in body["items"]}) == 20
    assert {i["following"] for i in body["items"]} == {True, False}
    assert {i["progress"]["done"] for i in body["items"]} == {0, 1}
    assert large.count == small.count, large.statements


def test_entries_query_count_does_not_grow(world, factories, count_queries):
    t = worlds.trajectory(world, "community")
    writers = [world.employee, world.coach, world.owner]

    def add(n, extra=()):
        people = writers + list(extra)
        for i in range(n):
            actions.add_entry_to_log(people[i % len(people)], t, f"Inzicht {i}", "reflection", "applied")

    add(3)
    small, body = counted_get(world.clients["member"], f"{API}/trajectories/{t.id}/entries", count_queries)
    assert len(body["items"]) == 3
    extra = [factories.user() for _ in range(20)]
    for who in extra:
        actions.add_participant(world.owner, t, who, "student")
    add(57, extra)
    large, body = counted_get(world.clients["member"], f"{API}/trajectories/{t.id}/entries", count_queries)
    assert (len(body["items"]), body["total"], body["pages"]) == (50, 60, 2)
    assert len({i["author"]["id"] for i in body["items"]}) > 15
    ids = [i["id"] for i in body["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert large.count == small.count, large.statements
    page2 = world.clients["member"].get(f"{API}/trajectories/{t.id}/entries?page=2").get_json()
    assert len(page2["items"]) == 10


# --- the OpenAPI document -----------------------------------------------------------------------

def test_openapi_lists_every_trajectory_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = {path: set(ops) - {"parameters"} for path, ops in spec["paths"].items()}
    t, m = "/api/v1/trajectories/{trajectory_id}", "/api/v1/milestones/{milestone_id}"
    expected = {
        "/api/v1/trajectories": {"get", "post"},
        t: {"get", "patch"},
        f"{t}/status": {"post"},
        f"{t}/participants": {"post"},
        f"{t}/participants/{{user_id}}": {"delete"},
        f"{t}/milestones": {"get", "post"},
        m: {"patch", "delete"},
        f"{m}/done": {"post"},
        f"{m}/sign-off": {"post"},
        f"{m}/move": {"post"},
        f"{t}/entries": {"get", "post"},
        f"{t}/links": {"get", "post"},
        "/api/v1/trajectory-links/{link_id}": {"delete"},
        f"{t}/follow": {"put", "delete"},
    }
    for path, methods in expected.items():
        assert methods <= paths.get(path, set()), path
        for method in methods:
            assert "401" in spec["paths"][path][method]["responses"], (path, method)
    parameters = spec["paths"]["/api/v1/trajectories"]["get"]["parameters"]
    assert {p["name"] for p in parameters} >= {"organisation", "community", "status", "following", "page"}
    create = spec["components"]["schemas"]["TrajectoryCreateArgs"]["properties"]
    assert create["planned_start"]["format"] == "date"


# --- the demo trajectories ------------------------------------------------------------------------

def test_seed_trajectories_are_complete_and_idempotent(app):
    from community.seed import seed_demo

    def snapshot():
        rows = {}
        for model in (Trajectory, TrajectoryParticipant, Milestone, OutcomeEntry, TrajectoryLink):
            columns = [c for c in model.__table__.columns if c.name not in ("updated_at",)]
            rows[model.__tablename__] = sorted(tuple(r) for r in db.session.execute(sa.select(*columns)))
        return rows

    seed_demo()
    first = snapshot()
    seed_demo()
    assert snapshot() == first

    lascobot = db.session.scalar(sa.select(Trajectory).where(Trajectory.title == "Lascobot invoeren bij Van der Meer"))
    assert (lascobot.organisation.name, lascobot.community.slug, lascobot.status, lascobot.visibility) == (
        "Van der Meer Metaalbewerking", "lasautomatisering-cobots", "active", "community")
    assert sorted((p.user.email, p.role) for p in lascobot.participants) == [
        ("docent@rijnland.example", "coach"), ("lasser@vandermeer.example", "employee"),
        ("student@rijnland.example", "student")]
    assert len(lascobot.milestones) == 4 and all(m.due_date for m in lascobot.milestones)
    assert sum(m.is_done for m in lascobot.milestones) == 2
    signed = [m for m in lascobot.milestones if m.signed_off_by]
    assert [m.signed_off_by.email for m in signed] == ["docent@rijnland.example"]
    entries = db.session.scalars(sa.select(OutcomeEntry).where(OutcomeEntry.trajectory_id == lascobot.id)).all()
    assert 3 <= len(entries) <= 4 and len({e.kind for e in entries}) >= 3 and len({e.value_kind for e in entries}) >= 3
    link = db.session.scalar(sa.select(TrajectoryLink).where(TrajectoryLink.trajectory_id == lascobot.id))
    assert link.target == "case" and link.milestone_id is not None

    onderhoud = db.session.scalar(sa.select(Trajectory).where(Trajectory.title == "Conditiegebaseerd onderhoud"))
    assert (onderhoud.organisation.name, onderhoud.community.slug, onderhoud.status, onderhoud.visibility) == (
        "Twentse Onderhoudstechniek", "smart-maintenance-oost", "active", "confidential")
    assert [(p.user.email, p.role) for p in onderhoud.participants] == [("lector@hogeschooloost.example", "coach")]
    assert len(onderhoud.milestones) == 3
    assert count(OutcomeEntry, OutcomeEntry.trajectory_id == onderhoud.id) == 2
