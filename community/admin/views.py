"""Platform administration: organisations and users."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community import permissions
from community.actions import account_deletion, accounts, organisations as org_actions
from community.admin import bp
from community.extensions import db
from community.models import Organisation, OrganisationMembership, User
from community.pagination import like_pattern, offset_page, page_number


@bp.route("/")
def index():
    pending = db.session.execute(
        sa.select(Organisation, User).outerjoin(User, User.id == Organisation.requested_by_id)
        .where(Organisation.status == "pending").order_by(Organisation.created_at)).all()
    counts = {
        "users": db.session.scalar(sa.select(sa.func.count(User.id))),
        "disabled": db.session.scalar(sa.select(sa.func.count(User.id)).where(User.active.is_(False))),
        "organisations": db.session.scalar(sa.select(sa.func.count(Organisation.id))
                                           .where(Organisation.status == "active")),
    }
    return render_template("admin/index.html", pending=pending, counts=counts)


@bp.route("/organisations/<int:org_id>/<any(approve, reject):decision>", methods=["POST"])
def decide_organisation(org_id, decision):
    org = permissions.access_organisation_or_404(org_id, current_user)
    name = org.name
    org_actions.decide_organisation(current_user, org, decision == "approve")
    if decision == "approve":
        flash(_("%(name)s is approved and visible to everyone.", name=name), "success")
    else:
        flash(_("The proposal %(name)s is rejected and removed.", name=name), "info")
    return redirect(url_for("admin.index"))


@bp.route("/users")
def users():
    q = (request.args.get("q") or "").strip()[:100]
    stmt = sa.select(User)
    if q:
        like = like_pattern(q)
        stmt = stmt.where(sa.or_(User.email.like(like, escape="\\"),
                                 sa.func.lower(User.display_name).like(like, escape="\\")))
    page = offset_page(stmt.order_by(User.display_name, User.id), number=page_number(), per_page=25, scalars=True)
    return render_template("admin/users.html", page=page, q=q)


@bp.route("/users/<int:user_id>")
def user(user_id):
    user = permissions.access_user_for_admin_or_404(user_id, current_user)
    memberships = db.session.execute(
        sa.select(OrganisationMembership, Organisation)
        .join(Organisation, Organisation.id == OrganisationMembership.organisation_id)
        .where(OrganisationMembership.user_id == user.id).order_by(Organisation.name)).all()
    return render_template("admin/user.html", user=user, memberships=memberships)


@bp.route("/users/<int:user_id>/<any(enable, disable):change>", methods=["POST"])
def set_active(user_id, change):
    user = permissions.access_user_for_admin_or_404(user_id, current_user)
    accounts.set_user_active(current_user, user, change == "enable")
    flash(_("%(name)s can log in again.", name=user.display_name) if change == "enable"
          else _("%(name)s is disabled and logged out everywhere.", name=user.display_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/admin", methods=["POST"])
def set_admin(user_id):
    user = permissions.access_user_for_admin_or_404(user_id, current_user)
    make_admin = request.form.get("is_admin") == "1"
    accounts.set_user_admin(current_user, user, make_admin)
    flash(_("The administrator rights of %(name)s are changed.", name=user.display_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/delete", methods=["POST"])
def delete_user(user_id):
    """Delete (anonymise) a member's account, as they could themselves; the audit log keeps who."""
    user = permissions.access_user_for_admin_or_404(user_id, current_user)
    account_deletion.delete_account(current_user, user)
    flash(_("The account is deleted: it now shows as %(name)s.", name=user.display_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/researcher", methods=["POST"])
def set_researcher(user_id):
    user = permissions.access_user_for_admin_or_404(user_id, current_user)
    accounts.set_user_researcher(current_user, user, request.form.get("is_researcher") == "1")
    flash(_("%(name)s can now use the research area.", name=user.display_name) if user.is_researcher
          else _("%(name)s no longer has the research area.", name=user.display_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))
