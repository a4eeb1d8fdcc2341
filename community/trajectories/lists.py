"""Trajectory lists: the follow page ("trajectories I follow"), the company overview and the
community tab. Each a fixed number of queries (see community/queries/trajectories.py)."""
from flask import current_app, render_template, url_for
from flask_login import current_user, login_required

from community import permissions
from community.queries import trajectories as queries
from community.trajectories import bp


def trajectory_url(trajectory_id):
    """The trajectory page, or None while that page is not there (the feed, cards and link
    boxes use it)."""
    if trajectory_id and "trajectories.view" in current_app.view_functions:
        return url_for("trajectories.view", trajectory_id=trajectory_id)
    return None


@bp.record_once
def _jinja_globals(state):
    # Globals, not a context processor: macros imported without context (the feed) use them too.
    state.app.jinja_env.globals.update(trajectory_url=trajectory_url, excerpt=queries.excerpt)


@bp.route("/trajectories/following")
@login_required
def following():
    return render_template("trajectories/following.html", groups=queries.following_page(current_user),
                           today=queries.today())


@bp.route("/organisations/<int:org_id>/trajectories")
@login_required
def company(org_id):
    org = permissions.access_organisation_or_404(org_id, current_user)
    return render_template("trajectories/company.html", org=org, groups=queries.company_page(current_user, org),
                           may_start=org.kind == "company" and org.status == "active"
                           and permissions.can_manage_organisation(current_user, org))


@bp.route("/c/<slug>/trajectories")
@login_required
def community(slug):
    community = permissions.access_community_or_404(slug, current_user)
    return render_template("trajectories/community.html", community=community,
                           summaries=queries.community_page(current_user, community))
