"""Landing page, personal dashboard, language switch and health check."""
import sqlalchemy as sa
from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from community import permissions
from community.actions import ActionError, accounts
from community.extensions import db
from community.main import bp
from community.models import Community, CommunityMembership, Organisation, OrganisationMembership
from community.queries import trajectories as trajectory_queries
from community.security import safe_next


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/privacy")
def privacy():
    """The privacy statement (for everyone, logged in or not); its periods come from config.py."""
    from community.main.privacy import rows

    return render_template("main/privacy.html", rows=rows(), version=current_app.config["PRIVACY_VERSION"])


@bp.route("/dashboard")
@login_required
def dashboard():
    memberships = db.session.execute(
        sa.select(OrganisationMembership, Organisation)
        .join(Organisation, Organisation.id == OrganisationMembership.organisation_id)
        .where(OrganisationMembership.user_id == current_user.id)
        .order_by(Organisation.name)
    ).all()
    managed_ids = [org.id for m, org in memberships if m.is_active and m.role == "manager"]
    pending_requests = 0
    if managed_ids:
        pending_requests = db.session.scalar(sa.select(sa.func.count(OrganisationMembership.id)).where(
            OrganisationMembership.organisation_id.in_(managed_ids),
            OrganisationMembership.state == "pending"))
    pending_orgs = 0
    if permissions.is_admin(current_user):
        pending_orgs = db.session.scalar(sa.select(sa.func.count(Organisation.id))
                                         .where(Organisation.status == "pending"))
    communities = db.session.execute(
        sa.select(CommunityMembership, Community)
        .join(Community, Community.id == CommunityMembership.community_id)
        .where(CommunityMembership.user_id == current_user.id)
        .order_by(Community.archived, sa.func.lower(Community.name))
    ).all()
    permissions.prime_memberships(current_user, {c.id: m for m, c in communities})
    coordinated = [c.id for m, c in communities if m.is_coordinator]
    waiting = 0
    if coordinated:
        waiting = db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
            CommunityMembership.community_id.in_(coordinated), CommunityMembership.state == "pending"))
    return render_template("main/dashboard.html", memberships=memberships, communities=communities,
                           pending_requests=pending_requests, pending_orgs=pending_orgs,
                           waiting_community_requests=waiting,
                           trajectories=trajectory_queries.dashboard_trajectories(current_user))


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language; kept on the account when signed in."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        if current_user.is_authenticated:
            try:
                accounts.set_language(current_user, language)
            except ActionError:
                pass
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        current_app.logger.exception("health check failed")
        db.session.rollback()
        return jsonify({"status": "error", "database": "unavailable"}), 503
    return jsonify({"status": "ok"})
