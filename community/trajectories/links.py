"""Evidence links: a case or discussion linked to a trajectory (and one of its milestones), made
from the case or discussion page by someone who may edit both ends."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community import permissions
from community.actions import ActionError, NotAllowed
from community.actions import trajectories as actions
from community.forms import row_id
from community.queries import trajectories as queries
from community.security import safe_next
from community.trajectories import bp


def _row_id(value):
    """A form field as a row id (0 when it is not one: the loaders then answer 404)."""
    return row_id(value) or 0


def _back(fallback):
    return redirect(safe_next(request.form.get("next"), fallback))


def _ids():
    """trajectory_id and milestone_id, or one "evidence" choice "<trajectory>[:<milestone>]" (the
    select on the case and discussion pages)."""
    choice = (request.form.get("evidence") or "").strip()
    if choice:
        trajectory_id, _sep, milestone_id = choice.partition(":")
        return _row_id(trajectory_id), _row_id(milestone_id) if milestone_id else None
    milestone_id = request.form.get("milestone_id")
    return _row_id(request.form.get("trajectory_id")), _row_id(milestone_id) if milestone_id else None


def _target(kind, target_id):
    """The case or discussion a link is made from (404 unless the user may read it) and its URL."""
    if kind == "case":
        case = permissions.access_case_or_404(target_id, current_user)
        return case, url_for("cases.view", case_id=case.id)
    if kind == "discussion":
        discussion = permissions.access_discussion_or_404(target_id, current_user)
        return discussion, url_for("discussions.view", discussion_id=discussion.id)
    abort(404)


@bp.route("/t/links/new")
@login_required
def link_form():
    """The form to link a case or discussion to a trajectory, opened from its "Trajectories" box:
    its choices load here, not on every view of the case or discussion."""
    kind = request.args.get("target") or ""
    target, target_url = _target(kind, _row_id(request.args.get("target_id")))
    if not queries.may_link(current_user, target):
        abort(403)
    return render_template("trajectories/link_form.html", target=target, kind=kind, target_url=target_url,
                           options=queries.link_options(current_user, target))


@bp.route("/t/links", methods=["POST"])
@login_required
def link():
    trajectory_id, milestone_id = _ids()
    trajectory = permissions.access_trajectory_or_404(trajectory_id, current_user)
    kind, target_id = request.form.get("target") or "", request.form.get("target_id")
    if ":" in kind:  # one select on the trajectory page: "case:12" or "discussion:7"
        kind, _sep, target_id = kind.partition(":")
    target, target_url = _target(kind, _row_id(target_id))
    milestone = None
    if milestone_id is not None:
        milestone = permissions.access_milestone_or_404(milestone_id, current_user)
    try:
        actions.link_evidence(current_user, trajectory, target, milestone)
    except NotAllowed:
        raise  # the 403 page (community/errors.py)
    except ActionError as error:
        flash(error.message, "error")
        return _back(target_url)
    flash(_("Linked to the trajectory “%(title)s”.", title=trajectory.title), "success")
    return _back(target_url)


@bp.route("/t/links/<int:link_id>/remove", methods=["POST"])
@login_required
def unlink(link_id):
    link, trajectory = permissions.access_trajectory_link_or_404(link_id, current_user)
    actions.unlink_evidence(current_user, link)
    flash(_("The link is removed."), "success")
    return _back(url_for("trajectories.community", slug=trajectory.community.slug))
