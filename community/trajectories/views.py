"""Trajectory pages: starting and editing a trajectory, its page (progress, timeline, milestones,
learning log, participants, evidence), the printable report, and every button on it.

Each view loads through permissions.access_* (404 when the user may not see the trajectory) and
leaves the rest to actions.trajectories: a refusal (NotAllowed) is the 403 page, any other
ActionError from a button a flash and a redirect back (community/errors.py). A view checks the
can_* predicate first only where it shows a form (a GET must be refused before the form), looks
someone up by e-mail for the action, or allows less than the action does.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community import permissions
from community.actions import ActionError, trajectories as actions
from community.errors import kept_after_commit
from community.forms import row_id
from community.labels import LABELS
from community.models import STATUS_TRANSITIONS
from community.pagination import page_number
from community.queries import trajectories as lists_queries, trajectory_page as queries
from community.queries.accounts import user_by_email
from community.scan import texts
from community.trajectories import bp
from community.trajectories.forms import EntryForm, MilestoneForm, TrajectoryForm
from community.security import keeps_input


def _owned_or_403(trajectory):
    if not permissions.can_edit_trajectory(current_user, trajectory):
        abort(403)
    return trajectory


def _back(trajectory, anchor=None):
    return redirect(url_for("trajectories.view", trajectory_id=trajectory.id, _anchor=anchor))


# --- starting and editing ----------------------------------------------------------------------

def _with_dimensions(form):
    form.scan_dimension.choices = [("", _("No particular dimension"))] + [
        (d["code"], d["name"]) for d in texts.dimensions()]
    return form


@bp.route("/organisations/<int:org_id>/trajectories/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new(org_id):
    org = permissions.access_organisation_or_404(org_id, current_user)
    if not permissions.can_start_trajectory(current_user, org):
        abort(403)
    # Title and goal can come pre-filled from a link (the scan's "start a trajectory on this
    # dimension"); the manager still reads, changes and confirms them.
    prefill = {name: request.args.get(name, "")[:limit]
               for name, limit in (("title", 200), ("goal", 2000), ("scan_dimension", 40))}
    form = _with_dimensions(TrajectoryForm(data=prefill if request.method == "GET" else None))
    communities = queries.host_communities(current_user)
    form.community_id.choices = [("", _("Choose a community"))] + [(str(c.id), c.name) for c in communities]
    if form.validate_on_submit():
        chosen = next((c for c in communities if str(c.id) == form.community_id.data), None)
        if chosen is None:
            form.community_id.errors = [_("Choose a community you are a member of (and that is not archived).")]
        else:
            try:
                trajectory = actions.create_trajectory(current_user, org, chosen, **form.values())
            except ActionError as error:
                if error.field == "community_id":
                    form.community_id.errors = [error.message]
                else:
                    form.add_error(error)
            else:
                flash(_("The trajectory is created as a concept. Add milestones and participants."), "success")
                return _back(trajectory)
    return render_template("trajectories/form.html", form=form, organisation=org, trajectory=None,
                           has_communities=bool(communities)), form.status


@bp.route("/t/<int:trajectory_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit(trajectory_id):
    trajectory = _owned_or_403(permissions.access_trajectory_or_404(trajectory_id, current_user))
    form = TrajectoryForm(data=dict(title=trajectory.title, goal=trajectory.goal, visibility=trajectory.visibility,
                                    planned_start=trajectory.planned_start, planned_end=trajectory.planned_end,
                                    scan_dimension=trajectory.scan_dimension or ""))
    _with_dimensions(form)
    del form.community_id  # the hosting community and the company stay
    if form.saved(lambda: actions.update_trajectory(current_user, trajectory, **form.values()),
                  _("Your changes are saved.")):
        return _back(trajectory)
    return render_template("trajectories/form.html", form=form, organisation=trajectory.organisation,
                           trajectory=trajectory, has_communities=True), form.status


# --- the page and the report ---------------------------------------------------------------------

def _entry_form(trajectory, page, form=None):
    form = form or EntryForm(formdata=None)
    form.milestone_id.choices = [("", _("No milestone"))] + [(str(m.id), m.title) for m in page.milestones]
    return form


def _page(trajectory, entry_form=None, status=200):
    page = queries.trajectory_page(current_user, trajectory, log_page=page_number(name="log_page"))
    return render_template(
        "trajectories/view.html", trajectory=trajectory, community=trajectory.community, page=page,
        organisation=trajectory.organisation, entry_form=_entry_form(trajectory, page, entry_form),
        may_link_evidence=lists_queries.may_link_evidence(current_user, trajectory),
        next_statuses=STATUS_TRANSITIONS.get(trajectory.status, ()), today=lists_queries.today(),
        candidates=(lists_queries.participant_candidates(trajectory)
                    if permissions.can_edit_trajectory(current_user, trajectory) else []),
        scan_dimension=texts.dimension_names().get(trajectory.scan_dimension) if trajectory.scan_dimension else None,
        follow_level=page.follow_level, live_last=page.live_last), status


@bp.route("/t/<int:trajectory_id>")
@login_required
def view(trajectory_id):
    return _page(permissions.access_trajectory_or_404(trajectory_id, current_user))


@bp.route("/t/<int:trajectory_id>/evidence/new")
@login_required
def evidence_form(trajectory_id):
    """The form to link a case or discussion of the hosting community: its choices load here,
    not on every view of the trajectory."""
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    if not lists_queries.may_link_evidence(current_user, trajectory):
        abort(403)
    milestones = sorted(trajectory.milestones, key=lambda m: m.position)
    return render_template("trajectories/evidence_form.html", trajectory=trajectory, milestones=milestones,
                           linkable=lists_queries.linkable_evidence(current_user, trajectory))


@bp.route("/t/<int:trajectory_id>/report")
@login_required
def report(trajectory_id):
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    page = queries.trajectory_page(current_user, trajectory, log_page=None, with_following=False)
    return render_template("trajectories/report.html", trajectory=trajectory, page=page,
                           organisation=trajectory.organisation, community=trajectory.community,
                           today=lists_queries.today())


# --- status, follow, participants -------------------------------------------------------------------

@bp.route("/t/<int:trajectory_id>/status", methods=["POST"])
@login_required
def status(trajectory_id):
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    actions.change_status(current_user, trajectory, request.form.get("status", ""),
                          evaluation=request.form.get("evaluation", ""))
    flash(_("The status is now: %(status)s.", status=LABELS["trajectory_status"][trajectory.status]),
          "success")
    return _back(trajectory)


@bp.route("/t/<int:trajectory_id>/follow", methods=["POST"])
@login_required
def follow(trajectory_id):
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    following = request.form.get("following", "1") != "0"
    actions.follow(current_user, trajectory, following)
    flash(_("You follow this trajectory.") if following else _("You no longer follow this trajectory."), "success")
    return _back(trajectory)


@bp.route("/t/<int:trajectory_id>/participants", methods=["POST"])
@login_required
def add_participant(trajectory_id):
    trajectory = _owned_or_403(permissions.access_trajectory_or_404(trajectory_id, current_user))
    chosen = row_id(request.form.get("user_id") or "")
    email = (request.form.get("email") or "").strip()
    if chosen is not None:
        # Only a colleague from the list: an id is no way to reach someone outside the company.
        found = lists_queries.participant_candidates(trajectory, user_id=chosen)
        if not found:
            raise ActionError(_("Choose a colleague from the list."), field="user_id")
        user = found[0]
    else:
        user = user_by_email(email) if email and len(email) <= 254 else None
        if user is None:
            raise ActionError(_("No one with this e-mail address has an account."), field="email")
    participant = actions.add_participant(current_user, trajectory, user, request.form.get("role", ""))
    flash(_("%(name)s takes part.", name=participant.user.display_name), "success")
    return _back(trajectory, "participants")


@bp.route("/t/<int:trajectory_id>/participants/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_participant(trajectory_id, user_id):
    trajectory = _owned_or_403(permissions.access_trajectory_or_404(trajectory_id, current_user))
    participant = next((p for p in trajectory.participants if p.user_id == user_id), None)
    if participant is None:
        abort(404)
    name = participant.user.display_name
    actions.remove_participant(current_user, trajectory, participant.user)
    flash(_("%(name)s no longer takes part.", name=name), "success")
    return _back(trajectory, "participants")


# --- milestones ---------------------------------------------------------------------------------------

@bp.route("/t/<int:trajectory_id>/milestones/new", methods=["GET", "POST"])
@login_required
@keeps_input
def add_milestone(trajectory_id):
    trajectory = _owned_or_403(permissions.access_trajectory_or_404(trajectory_id, current_user))
    form = MilestoneForm()
    if form.saved(lambda: actions.add_milestone(current_user, trajectory, **form.values()),
                  _("The milestone is added.")):
        return _back(trajectory, "milestones")
    return render_template("trajectories/milestone_form.html", form=form, trajectory=trajectory,
                           milestone=None), form.status


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit_milestone(milestone_id):
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    _owned_or_403(milestone.trajectory)
    form = MilestoneForm(data=dict(title=milestone.title, description=milestone.description,
                                   due_date=milestone.due_date))
    if form.saved(lambda: actions.update_milestone(current_user, milestone, **form.values()),
                  _("Your changes are saved.")):
        return _back(milestone.trajectory, "milestones")
    return render_template("trajectories/milestone_form.html", form=form, trajectory=milestone.trajectory,
                           milestone=milestone), form.status


@bp.route("/milestones/<int:milestone_id>/done", methods=["POST"])
@login_required
def milestone_done(milestone_id):
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    done = request.form.get("done", "1") != "0"
    actions.set_milestone_done(current_user, milestone, done)
    flash(_("The milestone is done.") if done else _("The milestone is open again."), "success")
    return _back(milestone.trajectory, "milestones")


@bp.route("/milestones/<int:milestone_id>/sign-off", methods=["POST"])
@login_required
def sign_off(milestone_id):
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    actions.sign_off_milestone(current_user, milestone)
    flash(_("The milestone is signed off."), "success")
    return _back(milestone.trajectory, "milestones")


@bp.route("/milestones/<int:milestone_id>/move", methods=["POST"])
@login_required
def move_milestone(milestone_id):
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    actions.move_milestone(current_user, milestone, -1 if direction == "up" else 1)
    return _back(milestone.trajectory, "milestones")


@bp.route("/milestones/<int:milestone_id>/delete", methods=["POST"])
@login_required
def delete_milestone(milestone_id):
    milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    trajectory, title = milestone.trajectory, milestone.title
    actions.delete_milestone(current_user, milestone)
    flash(_("The milestone %(title)s is deleted.", title=title), "success")
    return _back(trajectory, "milestones")


# --- the learning log -------------------------------------------------------------------------------

@bp.route("/t/<int:trajectory_id>/log", methods=["POST"])
@login_required
@keeps_input
def add_entry(trajectory_id):
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    if not permissions.can_contribute_to_trajectory(current_user, trajectory):
        abort(403)
    form = EntryForm()
    if form.validate_on_submit():
        milestone_value = (form.milestone_id.data or "").strip()
        milestone = None
        try:
            if milestone_value:
                milestone = next((m for m in trajectory.milestones if m.id == row_id(milestone_value)), None)
                if milestone is None:
                    raise ActionError(_("Choose a milestone of this trajectory."), field="milestone_id")
            with kept_after_commit():  # the answer below reads nothing back (see errors.py)
                actions.add_entry_to_log(current_user, trajectory, form.body.data or "", form.kind.data,
                                         form.value_kind.data, milestone=milestone)
        except ActionError as error:
            form.add_error(error)
        else:
            flash(_("Your entry is added to the learning log."), "success")
            return redirect(url_for("trajectories.view", trajectory_id=trajectory_id, _anchor="log"))
    if not form.errors and not form.form_errors:
        form.form_errors.append(_("Please correct the fields marked below."))
    return _page(trajectory, entry_form=form, status=400)
