"""Development trajectories at the action level: ownership, status rules, milestones and
sign-off, the learning log, evidence links, follows, and who may see what (incl. the feed)."""
from datetime import date

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from community import permissions
from community.actions import ActionError, Conflict, NotAllowed
from community.actions import cases as case_actions
from community.actions import discussions as discussion_actions
from community.actions import trajectories as actions
from community.queries.communities import feed_filter
from community.extensions import db
from community.models import FeedEntry, Trajectory, TrajectoryLink
from tests import worlds


@pytest.fixture
def world():
    """The trajectories world (tests.worlds.trajectories) with company A's confidential
    trajectory (``world.trajectory``): the employee, the coach and the student take part."""
    world = worlds.trajectories()
    world.trajectory = worlds.trajectory(world, "confidential", roles=("employee", "coach", "student"))
    return world


def test_only_company_managers_start_trajectories(world):
    with pytest.raises(NotAllowed):
        actions.create_trajectory(world.employee, world.company_a, world.community, title="X")
    with pytest.raises(NotAllowed):
        actions.create_trajectory(world.other_manager, world.company_a, world.community, title="X")
    assert "<strong>Sneller</strong>" in world.trajectory.goal_html
    assert world.trajectory.status == "concept"


@pytest.mark.parametrize("data,field", [
    (dict(title=""), "title"),
    (dict(title="x" * 201), "title"),
    (dict(title="T", visibility="secret"), "visibility"),
    (dict(title="T", planned_start=date(2027, 1, 2), planned_end=date(2027, 1, 1)), "planned_end"),
    (dict(title="T", planned_start="2027-01-01"), "planned_start"),
    (dict(title="T", goal="x" * 20_001), "goal"),
])
def test_bad_trajectory_input_writes_nothing(world, data, field):
    before = db.session.scalar(sa.select(sa.func.count(Trajectory.id)))
    with pytest.raises(ActionError) as error:
        actions.create_trajectory(world.owner, world.company_a, world.community, **data)
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Trajectory.id))) == before


def test_status_transitions(world):
    t, owner = world.trajectory, world.owner
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
        actions.change_status(world.coach, t, "paused")
    actions.change_status(owner, t, "completed", evaluation="Twee lassers zelfstandig op de cobot ingewerkt.")
    assert t.status == "completed" and t.completed_at is not None
    with pytest.raises(ActionError):
        actions.change_status(owner, t, "active")


def test_milestones_order_due_dates_and_sign_off(world):
    t, owner = world.trajectory, world.owner
    first = actions.add_milestone(owner, t, title="Veiligheidsinstructie", due_date=date(2026, 10, 1))
    second = actions.add_milestone(owner, t, title="Eerste las", due_date=date(2026, 11, 1))
    assert [m.title for m in t.milestones] == ["Veiligheidsinstructie", "Eerste las"]
    actions.move_milestone(owner, second, -1)
    assert [m.title for m in t.milestones] == ["Eerste las", "Veiligheidsinstructie"]
    with pytest.raises(ActionError) as error:
        actions.add_milestone(owner, t, title="Te vroeg", due_date=date(2026, 8, 1))
    assert error.value.field == "due_date"
    for not_coach in ("owner", "employee", "student", "teacher", "admin"):
        with pytest.raises(NotAllowed):
            actions.sign_off_milestone(world[not_coach], first)
    actions.sign_off_milestone(world.coach, first)
    assert first.is_done and first.signed_off_by_id == world.coach.id and first.signed_off_at
    with pytest.raises(Conflict):
        actions.sign_off_milestone(world.coach, first)
    actions.set_milestone_done(owner, second, True)
    actions.set_milestone_done(owner, second, False)
    assert not second.is_done


def test_learning_log_by_participants(world):
    t = world.trajectory
    milestone = actions.add_milestone(world.owner, t, title="Eerste las")
    entry = actions.add_entry_to_log(world.student, t, "Ik leerde de **lastoorts** te kalibreren.", "reflection",
                                     "applied", milestone=milestone)
    assert "<strong>lastoorts</strong>" in entry.body_html and entry.milestone_id == milestone.id
    for outsider in ("teacher", "other_manager", "coordinator"):
        with pytest.raises(NotAllowed):
            actions.add_entry_to_log(world[outsider], t, "tekst", "result", "realised")
    for kind, value in (("poem", "applied"), ("result", "priceless")):
        with pytest.raises(ActionError):
            actions.add_entry_to_log(world.student, t, "tekst", kind, value)
    with pytest.raises(ActionError):
        actions.add_entry_to_log(world.student, t, "   ", "result", "applied")


def test_visibility_matrix(world):
    t = world.trajectory
    expected_confidential = dict(owner=True, employee=True, coach=True, student=True, admin=True,
                                 other_manager=False, teacher=False, coordinator=False, outsider=False)
    for role, allowed in expected_confidential.items():
        assert permissions.can_view_trajectory(world[role], t) is allowed, role
    assert not permissions.can_view_trajectory(AnonymousUserMixin(), t)
    actions.update_trajectory(world.owner, t, title=t.title, goal=t.goal, visibility="community")
    expected_community = dict(expected_confidential, other_manager=True, teacher=True, coordinator=True)
    for role, allowed in expected_community.items():
        assert permissions.can_view_trajectory(world[role], t) is allowed, role
    visible = db.session.scalars(sa.select(Trajectory.id).where(
        permissions.visible_trajectories_filter(world.outsider))).all()
    assert visible == []


def test_confidential_updates_reach_only_insiders_in_the_feed(world):
    t = world.trajectory
    actions.change_status(world.owner, t, "active")

    def feed_kinds(user):
        return db.session.scalars(sa.select(FeedEntry.kind).where(feed_filter(user, world.community))).all()

    assert "trajectory_status" in feed_kinds(world.student)
    assert "trajectory_status" in feed_kinds(world.owner)
    assert "trajectory_status" not in feed_kinds(world.teacher)
    assert "trajectory_status" not in feed_kinds(world.other_manager)


def test_evidence_links_need_both_ends(world):
    t = world.trajectory
    milestone = actions.add_milestone(world.owner, t, title="Eerste las")
    case = case_actions.create_case(world.student, world.community, title="Mijn eerste cobotlas", context="c",
                                    publish=True)
    foreign = discussion_actions.start_discussion(world.teacher, world.community, "Vraag", "tekst")
    link = actions.link_evidence(world.student, t, case, milestone)
    assert (link.target, link.milestone_id) == ("case", milestone.id)
    with pytest.raises(NotAllowed):  # the student may not edit someone else's discussion
        actions.link_evidence(world.student, t, foreign)
    with pytest.raises(NotAllowed):  # the other teacher is not part of the trajectory
        actions.link_evidence(world.teacher, t, foreign)
    again = actions.link_evidence(world.student, t, case)  # linking twice moves, never duplicates
    assert again.id == link.id and again.milestone_id is None
    assert db.session.scalar(sa.select(sa.func.count(TrajectoryLink.id))) == 1


def test_follow_needs_sight(world):
    t = world.trajectory
    actions.follow(world.coach, t)
    actions.follow(world.coach, t)
    with pytest.raises(NotAllowed):
        actions.follow(world.teacher, t)
    actions.follow(world.coach, t, following=False)
