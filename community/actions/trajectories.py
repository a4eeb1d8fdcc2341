"""Development trajectories: create and edit, status, participants, milestones (with sign-off),
the learning-outcome log, evidence links and follows. Updates go to the hosting community's
feed; those of a confidential trajectory only to its insiders (FeedEntry.audience)."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import markup, permissions
from community.actions import ActionError, Conflict, NotAllowed, attachments
from community.actions.content import TITLE_MAX, render, users_for_mentions
from community.actions.feed import add_entry
from community.actions.notifications import notify_trajectory
from community.realtime.access import recheck_on_commit
from community.search import index as search_index
from community.realtime import payloads, streams
from community.realtime.events import send_event_on_commit
from community.actions.validate import check_choice, clean_line, clean_text
from community.extensions import db
from community.i18n import format_day
from community.scan import scoring
from community.labels import LABELS
from community.models import (
    ENTRY_KINDS, PARTICIPANT_ROLES, STATUS_TRANSITIONS, TRAJECTORY_VISIBILITIES, VALUE_KINDS, Case,
    Milestone, OutcomeEntry, Trajectory, TrajectoryFollow, TrajectoryLink, TrajectoryParticipant, utcnow,
)

GOAL_MAX = 20_000
EVALUATION_MIN = 20
ENTRY_MAX = 10_000
MILESTONES_MAX = 50
PARTICIPANTS_MAX = 200


def _refuse(message, field=None, status=422, code="invalid"):
    raise ActionError(message, field=field, status=status, code=code)


def _check_dates(start, end, start_field="planned_start", end_field="planned_end"):
    for value, field in ((start, start_field), (end, end_field)):
        if value is not None and not isinstance(value, date):
            _refuse(_l("Enter a valid date."), field=field)
    if start and end and end < start:
        _refuse(_l("The end date cannot be before the start date."), field=end_field)


def _render(source):
    return render(source, users_for_mentions(source))[0]


def _scan_dimension(code):
    """None (no dimension) or a dimension code of the scan's questionnaire."""
    if code in (None, ""):
        return None
    return check_choice(code, [d["code"] for d in scoring.questionnaire()["dimensions"]], "scan_dimension")


def _clean(title, goal="", visibility="community", planned_start=None, planned_end=None, scan_dimension=None):
    _check_dates(planned_start, planned_end)
    goal = clean_text(goal, "goal", GOAL_MAX)
    return dict(title=clean_line(title, "title", TITLE_MAX), goal=goal, goal_html=_render(goal),
                visibility=check_choice(visibility, TRAJECTORY_VISIBILITIES, "visibility"),
                planned_start=planned_start, planned_end=planned_end, scan_dimension=_scan_dimension(scan_dimension),
                render_version=markup.RENDER_VERSION)


def create_trajectory(actor, organisation, community, **data):
    """A manager of a company starts a trajectory, hosted in a community they are a member of."""
    if organisation.kind != "company" or organisation.status != "active":
        _refuse(_l("A trajectory belongs to a company."), field="organisation_id")
    if not permissions.can_start_trajectory(actor, organisation):
        raise NotAllowed(_l("Only managers of the company can start its trajectories."))
    if community.archived or not (permissions.is_community_member(actor, community) or permissions.is_admin(actor)):
        _refuse(_l("Choose a community you are a member of (and that is not archived)."), field="community_id")
    trajectory = Trajectory(organisation_id=organisation.id, community_id=community.id, status="concept",
                            created_by_id=actor.id, **_clean(**data))
    db.session.add(trajectory)
    if attachments.ATTACHMENT_LINK.search(trajectory.goal):
        db.session.flush()  # the trajectory's id, for the images its goal shows
        attachments.claim_uploads(actor, trajectory.goal, trajectory_id=trajectory.id)
    search_index.trajectory_changed(trajectory)
    db.session.commit()
    return trajectory


def update_trajectory(actor, trajectory, **data):
    _check_owner(actor, trajectory)
    visibility = trajectory.visibility
    for key, value in _clean(**data).items():
        setattr(trajectory, key, value)
    attachments.claim_uploads(actor, trajectory.goal, trajectory_id=trajectory.id)
    _changed(trajectory, "updated")
    if trajectory.visibility != visibility:
        recheck_on_commit(community=trajectory.community)  # made confidential: outsiders stop now
    db.session.commit()
    return trajectory


def _changed(trajectory, what):
    """Changes without a feed line (those send one, see _feed) still tell open pages; its
    title, goal and milestones are searched: the index follows."""
    search_index.trajectory_changed(trajectory)
    send_event_on_commit(streams.trajectory(trajectory.id), "trajectory", what,
                         **payloads.trajectory_data(trajectory))


def _check_owner(actor, trajectory):
    if not permissions.can_edit_trajectory(actor, trajectory):
        raise NotAllowed(_l("Only the company's managers can change this trajectory."))


def change_status(actor, trajectory, status, evaluation=""):
    """concept -> active <-> paused -> completed; completing needs a short evaluation."""
    _check_owner(actor, trajectory)
    if status not in STATUS_TRANSITIONS.get(trajectory.status, ()):
        names = LABELS["trajectory_status"]
        _refuse(_l("A trajectory cannot go from %(old)s to %(new)s.", old=names.get(trajectory.status, ""),
                   new=names.get(status, status if isinstance(status, str) else "")),
                field="status", status=409, code="invalid_transition")
    if status == "completed":
        evaluation = clean_text(evaluation, "evaluation", GOAL_MAX)
        if len(evaluation) < EVALUATION_MIN:
            _refuse(_l("Write a short evaluation (at least %(min)d characters) to complete the trajectory.",
                       min=EVALUATION_MIN), field="evaluation")
        trajectory.evaluation, trajectory.evaluation_html = evaluation, _render(evaluation)
        attachments.claim_uploads(actor, evaluation, trajectory_id=trajectory.id)
        trajectory.completed_at = utcnow()
    trajectory.status = status
    _feed(trajectory, "trajectory_status", actor, status=status)
    db.session.commit()
    return trajectory


def _feed(trajectory, kind, actor, **data):
    """A feed line for exactly the people who may see the trajectory (its stream admits only
    them: members of the hosting community, or only insiders when confidential), so a public
    community's outside readers never get a line that leads to a 404."""
    add_entry(trajectory.community, kind, actor=actor, object_type="trajectory", object_id=trajectory.id,
              audience=streams.trajectory(trajectory.id), title=trajectory.title, **data)
    notify_trajectory(actor, trajectory, kind, **data)


# --- participants ------------------------------------------------------------------------------

def add_participant(actor, trajectory, user, role):
    _check_owner(actor, trajectory)
    role = check_choice(role, PARTICIPANT_ROLES, "role")
    if not user.active:
        _refuse(_l("This account is disabled."), field="user")
    if permissions.trajectory_role(user, trajectory) is not None:
        raise Conflict(_l("%(name)s already takes part.", name=user.display_name), field="user")
    if len(trajectory.participants) >= PARTICIPANTS_MAX:
        _refuse(_l("A trajectory can have at most %(max)d participants.", max=PARTICIPANTS_MAX), field="user")
    participant = TrajectoryParticipant(trajectory_id=trajectory.id, user_id=user.id, role=role)
    db.session.add(participant)
    _changed(trajectory, "participants")
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict(_l("%(name)s already takes part.", name=user.display_name), field="user")
    db.session.refresh(trajectory)
    return participant


def remove_participant(actor, trajectory, user):
    if actor.id != user.id:
        _check_owner(actor, trajectory)
    participant = db.session.scalar(sa.select(TrajectoryParticipant).where(
        TrajectoryParticipant.trajectory_id == trajectory.id, TrajectoryParticipant.user_id == user.id))
    if participant is None:
        _refuse(_l("%(name)s does not take part.", name=user.display_name), status=404, code="not_found")
    db.session.delete(participant)
    _changed(trajectory, "participants")
    recheck_on_commit(user=user)  # they may no longer see a confidential trajectory
    db.session.commit()
    db.session.refresh(trajectory)


# --- milestones --------------------------------------------------------------------------------

def _clean_milestone(trajectory, title, description="", due_date=None):
    if due_date is not None and not isinstance(due_date, date):
        _refuse(_l("Enter a valid date."), field="due_date")
    if due_date and trajectory.planned_start and due_date < trajectory.planned_start:
        _refuse(_l("The due date cannot be before the trajectory starts (%(start)s).",
                   start=format_day(trajectory.planned_start)), field="due_date")
    description = clean_text(description, "description", GOAL_MAX)
    return dict(title=clean_line(title, "title", TITLE_MAX), description=description,
                description_html=_render(description), due_date=due_date, render_version=markup.RENDER_VERSION)


def add_milestone(actor, trajectory, **data):
    _check_owner(actor, trajectory)
    if len(trajectory.milestones) >= MILESTONES_MAX:
        _refuse(_l("A trajectory can have at most %(max)d milestones.", max=MILESTONES_MAX), field="title")
    position = max((m.position for m in trajectory.milestones), default=0) + 1
    milestone = Milestone(trajectory_id=trajectory.id, position=position, **_clean_milestone(trajectory, **data))
    db.session.add(milestone)
    attachments.claim_uploads(actor, milestone.description, trajectory_id=trajectory.id)
    _changed(trajectory, "milestones")
    db.session.commit()
    db.session.refresh(trajectory)
    return milestone


def update_milestone(actor, milestone, **data):
    _check_owner(actor, milestone.trajectory)
    for key, value in _clean_milestone(milestone.trajectory, **data).items():
        setattr(milestone, key, value)
    attachments.claim_uploads(actor, milestone.description, trajectory_id=milestone.trajectory_id)
    _changed(milestone.trajectory, "milestones")
    db.session.commit()
    return milestone


def move_milestone(actor, milestone, direction):
    """Swap with the previous (direction -1) or next (+1) milestone."""
    trajectory = milestone.trajectory
    _check_owner(actor, trajectory)
    ordered = list(trajectory.milestones)
    index = ordered.index(milestone)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(ordered):
        milestone.position, ordered[other].position = ordered[other].position, milestone.position
        _changed(trajectory, "milestones")
        db.session.commit()
        db.session.refresh(trajectory)
    return milestone


def set_milestone_done(actor, milestone, done=True, at=None):
    """``at``: when it was done (the demo seed backdates it); now by default."""
    trajectory = milestone.trajectory
    _check_owner(actor, trajectory)
    if done == milestone.is_done:
        return milestone
    milestone.status = "done" if done else "open"
    milestone.done_at = (at or utcnow()) if done else None
    if not done:
        milestone.signed_off_by_id = milestone.signed_off_at = None
        _changed(trajectory, "milestones")
    else:
        _feed(trajectory, "milestone_done", actor, milestone=milestone.title)
    db.session.commit()
    return milestone


def sign_off_milestone(actor, milestone):
    """A coach participant signs off ("tekent af") a milestone; it is then done as well."""
    if not permissions.can_sign_off_milestone(actor, milestone):
        raise NotAllowed(_l("Only a teacher or coach of this trajectory can sign off milestones."))
    if milestone.signed_off_at is not None:
        raise Conflict(_l("This milestone is already signed off."))
    now = utcnow()
    milestone.signed_off_by_id, milestone.signed_off_at = actor.id, now
    if not milestone.is_done:
        milestone.status, milestone.done_at = "done", now
    _feed(milestone.trajectory, "milestone_signed_off", actor, milestone=milestone.title)
    db.session.commit()
    return milestone


def delete_milestone(actor, milestone):
    trajectory = milestone.trajectory
    _check_owner(actor, trajectory)
    db.session.delete(milestone)
    _changed(trajectory, "milestones")
    db.session.commit()
    db.session.refresh(trajectory)


# --- the learning-outcome log -------------------------------------------------------------------

def add_entry_to_log(actor, trajectory, body, kind, value_kind, milestone=None):
    if not permissions.can_contribute_to_trajectory(actor, trajectory):
        raise NotAllowed(_l("Only participants can write in the learning log."))
    kind = check_choice(kind, ENTRY_KINDS, "kind")
    value_kind = check_choice(value_kind, VALUE_KINDS, "value_kind")
    body = clean_text(body, "body", ENTRY_MAX)
    if not body:
        _refuse(_l("Write something first: this text is empty."), field="body")
    if milestone is not None and milestone.trajectory_id != trajectory.id:
        _refuse(_l("Choose a milestone of this trajectory."), field="milestone_id")
    entry = OutcomeEntry(trajectory_id=trajectory.id, author_id=actor.id, kind=kind, value_kind=value_kind,
                         milestone_id=milestone.id if milestone else None, body=body, body_html=_render(body),
                         render_version=markup.RENDER_VERSION)
    db.session.add(entry)
    attachments.claim_uploads(actor, body, trajectory_id=trajectory.id)
    _feed(trajectory, "outcome_logged", actor, entry_kind=kind)
    search_index.trajectory_changed(trajectory)
    db.session.commit()
    return entry


# --- evidence links and follows -------------------------------------------------------------------

def link_evidence(actor, trajectory, target, milestone=None):
    """Link a discussion or published case to the trajectory (and a milestone of it)."""
    if not permissions.can_link_to_trajectory(actor, trajectory, target):
        raise NotAllowed(_l("You can link only things you may edit, to a trajectory you take part in."))
    if milestone is not None and milestone.trajectory_id != trajectory.id:
        _refuse(_l("Choose a milestone of this trajectory."), field="milestone_id")
    kind = "case" if isinstance(target, Case) else "discussion"
    existing = db.session.scalar(sa.select(TrajectoryLink).where(
        TrajectoryLink.trajectory_id == trajectory.id, TrajectoryLink.target == kind,
        TrajectoryLink.target_id == target.id))
    if existing is not None:
        existing.milestone_id = milestone.id if milestone else None
        db.session.commit()
        return existing
    link = TrajectoryLink(trajectory_id=trajectory.id, milestone_id=milestone.id if milestone else None,
                          target=kind, target_id=target.id, created_by_id=actor.id)
    db.session.add(link)
    _feed(trajectory, "evidence_linked", actor, target=kind, target_title=target.title)
    db.session.commit()
    return link


def unlink_evidence(actor, link):
    trajectory = db.session.get(Trajectory, link.trajectory_id)
    if not permissions.can_contribute_to_trajectory(actor, trajectory):
        raise NotAllowed(_l("Only participants and the company's managers can remove links."))
    db.session.delete(link)
    _changed(trajectory, "links")
    db.session.commit()


def follow(actor, trajectory, following=True):
    if not permissions.can_follow_trajectory(actor, trajectory):
        raise NotAllowed(_l("You cannot follow this trajectory."))
    existing = db.session.scalar(sa.select(TrajectoryFollow).where(
        TrajectoryFollow.trajectory_id == trajectory.id, TrajectoryFollow.user_id == actor.id))
    if following and existing is None:
        db.session.add(TrajectoryFollow(trajectory_id=trajectory.id, user_id=actor.id))
    elif not following and existing is not None:
        db.session.delete(existing)
    else:
        return
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # a double click
        db.session.rollback()


