"""Development trajectories (ontwikkeltrajecten): list and start them, edit, status, participants,
milestones (with sign-off), the learning-outcome log, evidence links and follows.

Handlers parse input, load and authorise through permissions.access_*, and call the actions in
community.actions.trajectories; they never write. A confidential trajectory exists only for its
insiders: everyone else gets 404, as for one that does not exist. The list and the log answer
with a fixed number of SQL statements (tests/test_api_trajectories.py counts them).
"""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community import permissions
from community.actions import ActionError, trajectories as actions
from community.api import Blueprint, INPUT_REFUSED, patched
from community.api.communities import page_body
from community.api.trajectory_schemas import (
    DoneArgs, EntryCreateArgs, EntryListArgs, EntryPageSchema, EntrySchema, FollowSchema, LinkCreateArgs,
    LinkListSchema, LinkSchema, MilestoneCreateArgs, MilestoneListSchema, MilestoneSchema, MilestoneUpdateArgs,
    MoveArgs, ParticipantArgs, ParticipantSchema, StatusArgs, TrajectoryCreateArgs, TrajectoryListArgs,
    TrajectoryPageSchema, TrajectorySchema, TrajectoryUpdateArgs,
)
from community.errors import answer_saved, kept_after_commit, saved_id
from community.extensions import db
from community.models import (
    Case, Discussion, Milestone, TrajectoryFollow, TrajectoryLink, TrajectoryParticipant, User,
)
from community.queries import trajectories as queries
from community.queries.trajectory_page import log_entries

blp = Blueprint("api_trajectories", __name__, url_prefix="",
                description="Development trajectories: milestones, participants, learning log, evidence, follows")
ENTRIES_PER_PAGE = 50
EDITABLE = ("title", "goal", "visibility", "planned_start", "planned_end", "scan_dimension")
MILESTONE_EDITABLE = ("title", "description", "due_date")

NO_TRAJECTORY = "No such trajectory, or a confidential one you are not part of"
NO_MILESTONE = "No such milestone, or one of a confidential trajectory you are not part of"
NOT_OWNER = "Only the company's managers (and admins) change this"


# --- reading helpers (no writes here) ---------------------------------------------------------------

def summary(trajectory, done, total, following):
    return {"id": trajectory.id, "title": trajectory.title, "status": trajectory.status,
            "visibility": trajectory.visibility, "organisation": trajectory.organisation,
            "community": trajectory.community, "planned_start": trajectory.planned_start,
            "planned_end": trajectory.planned_end, "progress": {"done": done, "total": total},
            "following": bool(following)}


def milestone_item(milestone):
    return {name: getattr(milestone, name) for name in (
        "id", "trajectory_id", "position", "title", "description", "description_html", "due_date", "status",
        "done_at", "signed_off_by", "signed_off_at")}


def _milestones(trajectory):
    return db.session.scalars(sa.select(Milestone).where(Milestone.trajectory_id == trajectory.id)
                              .options(so.joinedload(Milestone.signed_off_by))
                              .order_by(Milestone.position, Milestone.id)).all()


def _milestone_list(trajectory):
    return {"items": [milestone_item(m) for m in _milestones(trajectory)]}


def detail_of(trajectory):
    milestones = _milestones(trajectory)
    following = db.session.scalar(sa.select(TrajectoryFollow.id).where(
        TrajectoryFollow.trajectory_id == trajectory.id, TrajectoryFollow.user_id == current_user.id))
    body = summary(trajectory, sum(m.is_done for m in milestones), len(milestones), following is not None)
    participants = db.session.scalars(
        sa.select(TrajectoryParticipant).where(TrajectoryParticipant.trajectory_id == trajectory.id)
        .options(so.joinedload(TrajectoryParticipant.user)).order_by(TrajectoryParticipant.id)).all()
    body.update(goal=trajectory.goal, goal_html=trajectory.goal_html, evaluation=trajectory.evaluation,
                scan_dimension=trajectory.scan_dimension,
                evaluation_html=trajectory.evaluation_html, created_at=trajectory.created_at,
                completed_at=trajectory.completed_at,
                participants=[{"user": p.user, "role": p.role} for p in participants],
                milestones=[milestone_item(m) for m in milestones],
                my_role=permissions.trajectory_role(current_user, trajectory),
                can_edit=permissions.can_edit_trajectory(current_user, trajectory),
                can_contribute=permissions.can_contribute_to_trajectory(current_user, trajectory))
    return body


def _milestone_of(trajectory, milestone_id):
    """The milestone named in the body, which must belong to this trajectory (or None)."""
    if milestone_id is None:
        return None
    milestone = permissions.get_row(Milestone, milestone_id)
    if milestone is None or milestone.trajectory_id != trajectory.id:
        raise ActionError(_l("Choose a milestone of this trajectory."), field="milestone_id")
    return milestone


def link_item(link, title):
    return {"id": link.id, "trajectory_id": link.trajectory_id, "milestone_id": link.milestone_id,
            "target": link.target, "target_id": link.target_id, "title": title, "created_at": link.created_at}


def _visible_links(trajectory):
    """The trajectory's links whose target the caller may see; targets load in one query a kind."""
    links = db.session.scalars(sa.select(TrajectoryLink).where(TrajectoryLink.trajectory_id == trajectory.id)
                               .order_by(TrajectoryLink.id)).all()
    wanted = {kind: [link.target_id for link in links if link.target == kind] for kind in ("case", "discussion")}
    cases = {case.id: case for case in db.session.scalars(
        sa.select(Case).where(Case.id.in_(wanted["case"])).options(so.joinedload(Case.community)))} \
        if wanted["case"] else {}
    discussions = {d.id: d for d in db.session.scalars(
        sa.select(Discussion).where(Discussion.id.in_(wanted["discussion"]))
        .options(so.joinedload(Discussion.community), so.joinedload(Discussion.case)))} \
        if wanted["discussion"] else {}
    items = []
    for link in links:
        if link.target == "case":
            target = cases.get(link.target_id)
            visible = target is not None and permissions.can_view_case(current_user, target)
        else:
            target = discussions.get(link.target_id)
            visible = target is not None and permissions.can_read_discussion(current_user, target)
        if visible:
            items.append(link_item(link, target.title))
    return items


def _access_link_or_404(link_id):
    return permissions.access_trajectory_link_or_404(link_id, current_user)


# --- trajectories ------------------------------------------------------------------------------------

@blp.route("/trajectories")
@blp.response(200, TrajectoryPageSchema)
@blp.arguments(TrajectoryListArgs, location="query")
def list_trajectories(args):
    """The trajectories you may see, 30 a page, the most recently changed first (as the pages
    list them). Filter by `organisation` (id), `community` (slug), `status`, or `following=true`
    for those you follow."""
    filters = queries.TrajectoryFilters(organisation=args["organisation"], community=args["community"],
                                        status=args["status"], following=args["following"], page=args["page"])
    page = queries.trajectory_page(current_user, filters)
    return page_body(page, [summary(*row) for row in page.rows])


@blp.route("/trajectories", methods=["POST"])
@blp.response(201, TrajectorySchema, errors={403: "Only managers of the company start its trajectories",
                                             404: "No such organisation or community (or a private one)",
                                             422: INPUT_REFUSED})
@blp.arguments(TrajectoryCreateArgs)
def create_trajectory(args):
    """Start a trajectory for a company you manage, hosted in a community you are a member of.
    It starts as a concept."""
    data = dict(args)
    organisation = permissions.access_organisation_or_404(data.pop("organisation_id"), current_user)
    community = permissions.access_community_or_404(data.pop("community_slug"), current_user)
    return detail_of(actions.create_trajectory(current_user, organisation, community, **data))


@blp.route("/trajectories/<int:trajectory_id>")
@blp.response(200, TrajectorySchema, errors={404: NO_TRAJECTORY})
def get_trajectory(trajectory_id):
    """One trajectory with its goal, participants and milestones."""
    return detail_of(permissions.access_trajectory_or_404(trajectory_id, current_user))


@blp.route("/trajectories/<int:trajectory_id>", methods=["PATCH"])
@blp.response(200, TrajectorySchema, errors={403: NOT_OWNER, 404: NO_TRAJECTORY, 422: INPUT_REFUSED})
@blp.arguments(TrajectoryUpdateArgs)
def update_trajectory(args, trajectory_id):
    """Change title, goal, visibility or dates. Fields left out stay as they are."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    return detail_of(actions.update_trajectory(current_user, trajectory, **patched(trajectory, args, EDITABLE)))


@blp.route("/trajectories/<int:trajectory_id>/status", methods=["POST"])
@blp.response(200, TrajectorySchema, errors={403: NOT_OWNER, 404: NO_TRAJECTORY,
                                             409: "Not a possible move (code invalid_transition)",
                                             422: "Evaluation missing or too short (field: evaluation)"})
@blp.arguments(StatusArgs)
def change_status(args, trajectory_id):
    """concept -> active <-> paused; active or paused -> completed, with an `evaluation`."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    return detail_of(actions.change_status(current_user, trajectory, args["status"], args["evaluation"]))


# --- participants ------------------------------------------------------------------------------------

@blp.route("/trajectories/<int:trajectory_id>/participants", methods=["POST"])
@blp.response(201, ParticipantSchema, errors={403: NOT_OWNER, 404: NO_TRAJECTORY, 409: "Already takes part",
                                              422: "No such active user, or an unknown role"})
@blp.arguments(ParticipantArgs)
def add_participant(args, trajectory_id):
    """Add someone as employee, coach (teacher) or student."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    user = permissions.invitable_user(args["user_id"])
    if user is None:
        raise ActionError(_l("There is no active account with this number."), field="user_id")
    participant = actions.add_participant(current_user, trajectory, user, args["role"])
    return {"user": participant.user, "role": participant.role}


@blp.route("/trajectories/<int:trajectory_id>/participants/<int:user_id>", methods=["DELETE"])
@blp.response(204, errors={403: "Only owners remove others (participants may leave)",
                           404: NO_TRAJECTORY + ", or the user does not take part"})
def remove_participant(trajectory_id, user_id):
    """Remove a participant (owners), or leave (participants themselves)."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    user = permissions.get_row(User, user_id)
    if user is None:
        abort(404)
    actions.remove_participant(current_user, trajectory, user)


# --- milestones --------------------------------------------------------------------------------------

@blp.route("/trajectories/<int:trajectory_id>/milestones")
@blp.response(200, MilestoneListSchema, errors={404: NO_TRAJECTORY})
def list_milestones(trajectory_id):
    """The milestones in their order."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    return _milestone_list(trajectory)


@blp.route("/trajectories/<int:trajectory_id>/milestones", methods=["POST"])
@blp.response(201, MilestoneSchema, errors={403: NOT_OWNER, 404: NO_TRAJECTORY,
                                            422: "Input refused, e.g. a due date before the start"})
@blp.arguments(MilestoneCreateArgs)
def add_milestone(args, trajectory_id):
    """Add a milestone at the end."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    return milestone_item(actions.add_milestone(current_user, trajectory, **args))


@blp.route("/milestones/<int:milestone_id>", methods=["PATCH"])
@blp.response(200, MilestoneSchema, errors={403: NOT_OWNER, 404: NO_MILESTONE, 422: INPUT_REFUSED})
@blp.arguments(MilestoneUpdateArgs)
def update_milestone(args, milestone_id):
    """Change title, description or due date. Fields left out stay as they are."""
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    return milestone_item(actions.update_milestone(current_user, milestone,
                                                   **patched(milestone, args, MILESTONE_EDITABLE)))


@blp.route("/milestones/<int:milestone_id>/done", methods=["POST"])
@blp.response(200, MilestoneSchema, errors={403: NOT_OWNER, 404: NO_MILESTONE})
@blp.arguments(DoneArgs)
def set_done(args, milestone_id):
    """Mark done (`done: true`) or open again (which also clears a sign-off)."""
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    return milestone_item(actions.set_milestone_done(current_user, milestone, args["done"]))


@blp.route("/milestones/<int:milestone_id>/sign-off", methods=["POST"])
@blp.response(200, MilestoneSchema, errors={403: "Only a coach participant signs off", 404: NO_MILESTONE,
                                            409: "Already signed off"})
def sign_off(milestone_id):
    """Sign the milestone off (aftekenen) as its trajectory's coach; it is then done as well."""
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    return milestone_item(actions.sign_off_milestone(current_user, milestone))


@blp.route("/milestones/<int:milestone_id>/move", methods=["POST"])
@blp.response(200, MilestoneListSchema, errors={403: NOT_OWNER, 404: NO_MILESTONE})
@blp.arguments(MoveArgs)
def move_milestone(args, milestone_id):
    """Swap with the milestone before (`up`) or after (`down`); answers the new order."""
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    actions.move_milestone(current_user, milestone, -1 if args["direction"] == "up" else 1)
    return _milestone_list(milestone.trajectory)


@blp.route("/milestones/<int:milestone_id>", methods=["DELETE"])
@blp.response(204, errors={403: NOT_OWNER, 404: NO_MILESTONE})
def delete_milestone(milestone_id):
    """Delete a milestone (log entries and links keep existing, without it)."""
    actions.delete_milestone(current_user, permissions.access_milestone_or_404(milestone_id, current_user))


# --- the learning-outcome log ----------------------------------------------------------------------

@blp.route("/trajectories/<int:trajectory_id>/entries")
@blp.response(200, EntryPageSchema, errors={404: NO_TRAJECTORY})
@blp.arguments(EntryListArgs, location="query")
def list_entries(args, trajectory_id):
    """The learning log (leeropbrengsten), 50 a page, newest first."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    page = log_entries(trajectory, args["page"], ENTRIES_PER_PAGE)  # as the page pages it
    return page_body(page, page.rows)


@blp.route("/trajectories/<int:trajectory_id>/entries", methods=["POST"])
@blp.response(201, EntrySchema, errors={403: "Only participants and owners, while not completed", 404: NO_TRAJECTORY,
                                        422: INPUT_REFUSED})
@blp.arguments(EntryCreateArgs)
def add_entry(args, trajectory_id):
    """Write in the learning log: a `kind` (reflection, result, obstacle, next_step) and the kind
    of value it brought (`value_kind`), optionally for a milestone."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    milestone = _milestone_of(trajectory, args["milestone_id"])
    with kept_after_commit():
        entry = actions.add_entry_to_log(current_user, trajectory, args["body"], args["kind"], args["value_kind"],
                                         milestone=milestone)
    # Saved: 201 from the entry as written (read here, inside answer_saved, not while the
    # schema dumps it); should even that fail, the body has at least its id.
    return answer_saved(lambda: {name: getattr(entry, name) for name in EntrySchema().fields},
                        lambda: {"id": saved_id(entry), "trajectory_id": trajectory_id, "body": args["body"]})


# --- evidence links ------------------------------------------------------------------------------------

@blp.route("/trajectories/<int:trajectory_id>/links")
@blp.response(200, LinkListSchema, errors={404: NO_TRAJECTORY})
def list_links(trajectory_id):
    """Cases and discussions linked as evidence; only those you may read yourself."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    return {"items": _visible_links(trajectory)}


@blp.route("/trajectories/<int:trajectory_id>/links", methods=["POST"])
@blp.response(201, LinkSchema, errors={403: "You may not edit both the trajectory and the target",
                                       404: NO_TRAJECTORY + ", or a target you cannot see", 422: INPUT_REFUSED})
@blp.arguments(LinkCreateArgs)
def add_link(args, trajectory_id):
    """Link a published case or a discussion (both of which you may edit) as evidence, optionally
    for a milestone. Linking it again only moves it to that milestone."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    load = permissions.access_case_or_404 if args["target"] == "case" else permissions.access_discussion_or_404
    target = load(args["target_id"], current_user)
    milestone = _milestone_of(trajectory, args["milestone_id"])
    return link_item(actions.link_evidence(current_user, trajectory, target, milestone=milestone), target.title)


@blp.route("/trajectory-links/<int:link_id>", methods=["DELETE"])
@blp.response(204, errors={403: "Only participants and owners, while not completed",
                           404: "No such link, or one of a trajectory you cannot see"})
def delete_link(link_id):
    """Remove an evidence link (the case or discussion itself stays)."""
    link, _ = _access_link_or_404(link_id)
    actions.unlink_evidence(current_user, link)


# --- follows -------------------------------------------------------------------------------------------

@blp.route("/trajectories/<int:trajectory_id>/follow", methods=["PUT"])
@blp.response(200, FollowSchema, errors={404: NO_TRAJECTORY})
def follow(trajectory_id):
    """Follow the trajectory (doing it twice changes nothing)."""
    actions.follow(current_user, permissions.access_trajectory_or_404(trajectory_id, current_user), True)
    return {"following": True}


@blp.route("/trajectories/<int:trajectory_id>/follow", methods=["DELETE"])
@blp.response(200, FollowSchema, errors={404: NO_TRAJECTORY})
def unfollow(trajectory_id):
    """Stop following."""
    actions.follow(current_user, permissions.access_trajectory_or_404(trajectory_id, current_user), False)
    return {"following": False}
