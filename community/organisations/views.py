"""Organisation list, detail with members, proposing, editing and membership requests."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community import permissions
from community.actions import ActionError, NotAllowed, organisations as actions
from community.errors import flash_back
from community.extensions import db
from community.labels import LABELS
from community.models import OrganisationMembership, User
from community.organisations import bp
from community.organisations.forms import JoinForm, OrganisationForm
from community.pagination import page_number
from community.queries import organisations as queries
from community.security import keeps_input


@bp.route("/")
def index():
    q = (request.args.get("q") or "").strip()[:100]
    kind = request.args.get("kind") if request.args.get("kind") in LABELS["org_kind"] else ""
    page = queries.organisation_page(current_user, queries.OrganisationFilters(q, kind, page=page_number()))
    return render_template("organisations/index.html", page=page, q=q, kind=kind)


@bp.route("/<int:org_id>")
def detail(org_id):
    org = permissions.access_organisation_or_404(org_id, current_user)
    members = db.session.execute(
        sa.select(OrganisationMembership, User).join(User, User.id == OrganisationMembership.user_id)
        .where(OrganisationMembership.organisation_id == org.id)
        .order_by(OrganisationMembership.state.desc(), OrganisationMembership.role.desc(),
                  User.display_name)
    ).all()
    can_manage = permissions.can_manage_organisation(current_user, org)
    active = [(m, u) for m, u in members if m.state == "active"]
    pending = [(m, u) for m, u in members if m.state == "pending"] if can_manage else []
    mine = next((m for m, u in members if u.id == current_user.id), None)
    return render_template("organisations/detail.html", org=org, members=active, pending=pending,
                           mine=mine, can_manage=can_manage, join_form=JoinForm())


@bp.route("/new", methods=["GET", "POST"])
@keeps_input
def new():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            if permissions.is_admin(current_user):
                org = actions.create_organisation(current_user, **form.values())
                flash(_("%(name)s is added.", name=org.name), "success")
            else:
                org = actions.propose_organisation(current_user, **form.values())
                flash(_("Thank you. An administrator checks %(name)s and adds it; you become its "
                        "first manager.", name=org.name), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
        except ActionError as error:
            form.add_error(error)
    return render_template("organisations/form.html", form=form, org=None), form.status


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@keeps_input
def edit(org_id):
    org = permissions.access_organisation_for_managing_or_404(org_id, current_user)
    form = OrganisationForm(obj=org)
    if request.method == "GET":
        form.size_band.data = org.size_band or ""
        form.level.data = org.level or ""
    if form.saved(lambda: actions.update_organisation(current_user, org, **form.values()),
                  _("The changes are saved.")):
        return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=org), form.status


@bp.route("/<int:org_id>/join", methods=["POST"])
def join(org_id):
    org = permissions.access_organisation_or_404(org_id, current_user)
    form = JoinForm()
    actions.request_membership(current_user, org, form.message.data or "")
    flash(_("Your request is sent. A manager of %(name)s will respond.", name=org.name), "success")
    return redirect(url_for("organisations.detail", org_id=org.id))


@bp.route("/memberships/<int:membership_id>/<any(approve, decline):decision>", methods=["POST"])
def decide(membership_id, decision):
    membership = permissions.access_membership_or_404(membership_id, current_user)
    org, user = membership.organisation, membership.user
    try:
        actions.decide_membership(current_user, membership, decision == "approve")
    except NotAllowed as error:  # their own row (members reach it to leave): said on the page
        return flash_back(error)
    if decision == "approve":
        flash(_("%(name)s is now a member.", name=user.display_name), "success")
    else:
        flash(_("The request of %(name)s is declined.", name=user.display_name), "info")
    return redirect(url_for("organisations.detail", org_id=org.id))


@bp.route("/memberships/<int:membership_id>/role", methods=["POST"])
def change_role(membership_id):
    membership = permissions.access_membership_or_404(membership_id, current_user)
    try:
        actions.set_member_role(current_user, membership, request.form.get("role", ""))
    except NotAllowed as error:  # their own row, as above
        return flash_back(error)
    flash(_("The role of %(name)s is changed.", name=membership.user.display_name), "success")
    return redirect(url_for("organisations.detail", org_id=membership.organisation_id))


@bp.route("/memberships/<int:membership_id>/remove", methods=["POST"])
def remove(membership_id):
    membership = permissions.access_membership_or_404(membership_id, current_user)
    org_id, leaving = membership.organisation_id, membership.user_id == current_user.id
    name = membership.user.display_name
    actions.remove_membership(current_user, membership)
    flash(_("You left the organisation.") if leaving else _("%(name)s is removed.", name=name), "success")
    return redirect(url_for("organisations.detail", org_id=org_id) if not leaving else url_for("main.dashboard"))
