"""Development trajectories at the action level: ownership, status rules, milestones and
sign-off, the learning log, evidence links, follows, and who may see what (incl. the feed)."""
from datetime import date

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from community import permissions
from community.actions import ActionError, Conflict, NotAllowed
from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions as discussion_actions
from community.actions import trajectories as actions
from community.queries.communities import feed_filter
from community.extensions import db
from community.models import FeedEntry, Trajectory, TrajectoryLink


@pytest.fixture
def w(f):
    """Company A (manager, employee), company B (manager), a coach teacher, a student, an
    outside teacher, all in one community; A runs a trajectory there."""
    admin = f.admin()
    coordinator = f.user(name="Coördinator")
    community = community_actions.create_community(admin, name="Lassen", coordinator=coordinator)
    company_a, company_b = f.organisation(name="Metaal A", actor=admin), f.organisation(name="Metaal B", actor=admin)
    people = dict(
        manager_a=f.member(company_a, f.user(name="HR A"), role="manager"),
        employee_a=f.member(company_a, f.user(name="Lasser A")),
        manager_b=f.member(company_b, f.user(name="HR B"), role="manager"),
        coach=f.user(name="Docent", kind="teacher"),
        student=f.user(name="Student", kind="student"),
        other_teacher=f.user(name="Andere docent", kind="teacher"),
        outsider=f.user(name="Buitenstaander"),
    )
    for key in ("manager_a", "employee_a", "manager_b", "coach", "student", "other_teacher"):
        community_actions.join(people[key], community)
    trajectory = actions.create_trajectory(
        people["manager_a"], company_a, community, title="Lascobot invoeren", goal="**Sneller** inwerken",
        visibility="confidential", planned_start=date(2026, 9, 1), planned_end=date(2027, 6, 30))
    actions.add_participant(people["manager_a"], trajectory, people["employee_a"], "employee")
    actions.add_participant(people["manager_a"], trajectory, people["coach"], "coach")
    actions.add_participant(people["manager_a"], trajectory, people["student"], "student")
    return dict(admin=admin, coordinator=coordinator, community=community, company_a=company_a,
                company_b=company_b, trajectory=trajectory, **people)


def test_only_company_managers_start_trajectories(w):
    with pytest.raises(NotAllowed):
        actions.create_trajectory(w["employee_a"], w["company_a"], w["community"], title="X")
    with pytest.raises(NotAllowed):
        actions.create_trajectory(w["manager_b"], w["company_a"], w["community"], title="X")
    assert "<strong>Sneller</strong>" in w["trajectory"].goal_html
    assert w["trajectory"].status == "concept"


@pytest.mark.parametrize("data,field", [
    (dict(title=""), "title"),
    (dict(title="x" * 201), "title"),
    (dict(title="T", visibility="secret"), "visibility"),
    (dict(title="T", planned_start=date(2027, 1, 2), planned_end=date(2027, 1, 1)), "planned_end"),
    (dict(title="T", planned_start="2027-01-01"), "planned_start"),
    (dict(title="T", goal="x" * 20_001), "goal"),
])
def test_bad_trajectory_input_writes_nothing(w, data, field):
    before = db.session.scalar(sa.select(sa.func.count(Trajectory.id)))
    with pytest.raises(ActionError) as error:
        actions.create_trajectory(w["manager_a"], w["company_a"], w["community"], **data)
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Trajectory.id))) == before


def test_status_transitions(w):
    t, owner = w["trajectory"], w["manager_a"]
    for wrong in ("paused", "completed", "concept"):
        with pytest.raises(ActionError) as error:
            actions.change_status(owner, t, wrong)
        assert error.value.code in ("invalid_transition",)
    actions.change_status(owner, t, "active")
    actions.change_status(owner, t, "paused")
    actions.change_status(owner, t, "active")
    with pytest.raises(ActionError) as error:
        actions.change_status(owner, t, "completed", evaluation="kort")
    assert error.value.field == "evaluation" and t.status == "active"
    with pytest.raises(NotAllowed):
        actions.change_status(w["coach"], t, "paused")
    actions.change_status(owner, t, "completed", evaluation="Twee lassers zelfstandig op de cobot ingewerkt.")
    assert t.status == "completed" and t.completed_at is not None
    with pytest.raises(ActionError):
        actions.change_status(owner, t, "active")


def test_milestones_order_due_dates_and_sign_off(w):
    t, owner = w["trajectory"], w["manager_a"]
    first = actions.add_milestone(owner, t, title="Veiligheidsinstructie", due_date=date(2026, 10, 1))
    second = actions.add_milestone(owner, t, title="Eerste las", due_date=date(2026, 11, 1))
    assert [m.title for m in t.milestones] == ["Veiligheidsinstructie", "Eerste las"]
    actions.move_milestone(owner, second, -1)
    assert [m.title for m in t.milestones] == ["Eerste las", "Veiligheidsinstructie"]
    with pytest.raises(ActionError) as error:
        actions.add_milestone(owner, t, title="Te vroeg", due_date=date(2026, 8, 1))
    assert error.value.field == "due_date"
    for not_coach in ("manager_a", "employee_a", "student", "other_teacher", "admin"):
        with pytest.raises(NotAllowed):
            actions.sign_off_milestone(w[not_coach], first)
    actions.sign_off_milestone(w["coach"], first)
    assert first.is_done and first.signed_off_by_id == w["coach"].id and first.signed_off_at
    with pytest.raises(Conflict):
        actions.sign_off_milestone(w["coach"], first)
    actions.set_milestone_done(owner, second, True)
    actions.set_milestone_done(owner, second, False)
    assert not second.is_done


def test_learning_log_by_participants(w):
    t = w["trajectory"]
    milestone = actions.add_milestone(w["manager_a"], t, title="Eerste las")
    entry = actions.add_entry_to_log(w["student"], t, "Ik leerde de **lastoorts** te kalibreren.", "reflection",
                                     "applied", milestone=milestone)
    assert "<strong>lastoorts</strong>" in entry.body_html and entry.milestone_id == milestone.id
    for outsider in ("other_teacher", "manager_b", "coordinator"):
        with pytest.raises(NotAllowed):
            actions.add_entry_to_log(w[outsider], t, "tekst", "result", "realised")
    for kind, value in (("poem", "applied"), ("result", "priceless")):
        with pytest.raises(ActionError):
            actions.add_entry_to_log(w["student"], t, "tekst", kind, value)
    with pytest.raises(ActionError):
        actions.add_entry_to_log(w["student"], t, "   ", "result", "applied")


def test_visibility_matrix(w):
    t = w["trajectory"]
    expected_confidential = dict(manager_a=True, employee_a=True, coach=True, student=True, admin=True,
                                 manager_b=False, other_teacher=False, coordinator=False, outsider=False)
    for role, allowed in expected_confidential.items():
        assert permissions.can_view_trajectory(w[role], t) is allowed, role
    assert not permissions.can_view_trajectory(AnonymousUserMixin(), t)
    actions.update_trajectory(w["manager_a"], t, title=t.title, goal=t.goal, visibility="community")
    expected_community = dict(expected_confidential, manager_b=True, other_teacher=True, coordinator=True)
    for role, allowed in expected_community.items():
        assert permissions.can_view_trajectory(w[role], t) is allowed, role
    visible = db.session.scalars(sa.select(Trajectory.id).where(
        permissions.visible_trajectories_filter(w["outsider"]))).all()
    assert visible == []


def test_confidential_updates_reach_only_insiders_in_the_feed(w):
    t = w["trajectory"]
    actions.change_status(w["manager_a"], t, "active")

    def feed_kinds(user):
        return db.session.scalars(sa.select(FeedEntry.kind).where(feed_filter(user, w["community"]))).all()

    assert "trajectory_status" in feed_kinds(w["student"])
    assert "trajectory_status" in feed_kinds(w["manager_a"])
    assert "trajectory_status" not in feed_kinds(w["other_teacher"])
    assert "trajectory_status" not in feed_kinds(w["manager_b"])


def test_evidence_links_need_both_ends(w):
    t = w["trajectory"]
    milestone = actions.add_milestone(w["manager_a"], t, title="Eerste las")
    case = case_actions.create_case(w["student"], w["community"], title="Mijn eerste cobotlas", context="c",
                                    publish=True)
    foreign = discussion_actions.start_discussion(w["other_teacher"], w["community"], "Vraag", "tekst")
    link = actions.link_evidence(w["student"], t, case, milestone)
    assert (link.target, link.milestone_id) == ("case", milestone.id)
    with pytest.raises(NotAllowed):  # the student may not edit someone else's discussion
        actions.link_evidence(w["student"], t, foreign)
    with pytest.raises(NotAllowed):  # the other teacher is not part of the trajectory
        actions.link_evidence(w["other_teacher"], t, foreign)
    again = actions.link_evidence(w["student"], t, case)  # linking twice moves, never duplicates
    assert again.id == link.id and again.milestone_id is None
    assert db.session.scalar(sa.select(sa.func.count(TrajectoryLink.id))) == 1


def test_follow_needs_sight(w):
    t = w["trajectory"]
    actions.follow(w["coach"], t)
    actions.follow(w["coach"], t)
    with pytest.raises(NotAllowed):
        actions.follow(w["other_teacher"], t)
    actions.follow(w["coach"], t, following=False)
