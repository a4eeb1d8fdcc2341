"""Coordinator pages (requests, invitations, roles) and the invitation-link landing page."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community import permissions
from community.actions import ActionError, communities as actions, mail_invitations
from community.communities import bp
from community.communities.forms import InviteLinkForm, InviteUserForm
from community.models import utcnow
from community.pagination import page_number
from community.queries import communities as queries
from community.security import keeps_input


@bp.route("/c/<slug>/manage/requests")
@login_required
def requests(slug):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    page = queries.member_page(community, queries.MemberFilters(state="pending", page=page_number()))
    invited = queries.member_page(community, queries.MemberFilters(state="invited"))
    return render_template("communities/requests.html", community=community, page=page,
                           organisations=queries.organisations_of([user.id for _m, user in page.rows]),
                           invited=invited)


@bp.route("/c/<slug>/memberships/<int:membership_id>/<any(approve, decline):decision>", methods=["POST"])
@login_required
def decide(slug, membership_id, decision):
    membership = permissions.access_managed_membership_or_404(slug, membership_id, current_user)
    community = membership.community
    name = membership.user.display_name
    actions.decide_request(current_user, membership, decision == "approve")
    flash(_("%(name)s is now a member.", name=name) if decision == "approve"
          else _("The request of %(name)s is declined.", name=name), "success")
    return redirect(url_for("communities.requests", slug=community.slug))


@bp.route("/c/<slug>/memberships/<int:membership_id>/role", methods=["POST"])
@login_required
def change_role(slug, membership_id):
    membership = permissions.access_managed_membership_or_404(slug, membership_id, current_user)
    community = membership.community
    role = request.form.get("role", "")
    actions.set_role(current_user, membership, role)
    flash(_("%(name)s is now a coordinator.", name=membership.user.display_name) if role == "coordinator"
          else _("%(name)s is now a member.", name=membership.user.display_name), "success")
    return redirect(url_for("communities.members", slug=community.slug))


@bp.route("/c/<slug>/memberships/<int:membership_id>/remove", methods=["POST"])
@login_required
def remove(slug, membership_id):
    membership = permissions.access_managed_membership_or_404(slug, membership_id, current_user)
    community = membership.community
    name, state = membership.user.display_name, membership.state
    actions.remove_member(current_user, membership)
    flash(_("The invitation for %(name)s is withdrawn.", name=name) if state == "invited"
          else _("%(name)s is removed from the community.", name=name), "success")
    back = "communities.requests" if request.form.get("back") == "requests" else "communities.members"
    return redirect(url_for(back, slug=community.slug))


@bp.route("/c/<slug>/manage/invitations", methods=["GET", "POST"])
@login_required
@keeps_input
def invitations(slug):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    link_form = InviteLinkForm(prefix="link")
    user_form = InviteUserForm(prefix="user")
    new_link = None
    if request.method == "POST" and request.form.get("action") == "link" and link_form.validate_on_submit():
        try:
            _invitation, token = actions.create_invite_link(
                current_user, community, days=link_form.days.data, max_uses=link_form.max_uses.data,
                note=link_form.note.data or "")
        except ActionError as error:
            link_form.add_error(error)
        else:
            new_link = url_for("communities.invitation", token=token, _external=True)
            link_form = InviteLinkForm(prefix="link", formdata=None)
    elif request.method == "POST" and request.form.get("action") == "user" and user_form.validate_on_submit():
        try:
            outcome, row = mail_invitations.invite_by_email(current_user, community, user_form.email.data,
                                                            user_form.note.data or "")
        except ActionError as error:
            if error.field == "user":
                error.field = "email"
            # The daily limit answers 429; any other refusal stays a 400 as before.
            user_form.add_refusal(error) if error.status == 429 else user_form.add_error(error)
        else:
            if outcome == "mailed":
                flash(_("An invitation is mailed to %(email)s. It works once, for %(days)d days.", email=row.email,
                        days=mail_invitations.INVITE_DAYS), "success")
            elif outcome == "member":
                flash(_("%(name)s is now a member.", name=row.user.display_name), "success")
            else:
                flash(_("%(name)s is invited: they got a mail and see the invitation on their dashboard.",
                        name=row.user.display_name), "success")
            return redirect(url_for("communities.invitations", slug=community.slug))
    return render_template("communities/invitations.html", community=community, link_form=link_form,
                           user_form=user_form, new_link=new_link, invitations=queries.latest_invitations(community),
                           now=utcnow()), max(link_form.status, user_form.status)


@bp.route("/c/<slug>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke(slug, invitation_id):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    invitation = permissions.access_invitation_or_404(community, invitation_id, current_user)
    actions.revoke_invite_link(current_user, invitation)
    flash(_("The invitation for %(email)s is withdrawn; its link no longer works.", email=invitation.email)
          if invitation.email else _("The invitation link is withdrawn; it no longer works."), "success")
    return redirect(url_for("communities.invitations", slug=community.slug))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token):
    """Landing page of an invitation link. Anonymous visitors log in or register first and come
    back here (the page's links carry ?next=)."""
    invitation, problem = actions.find_invitation(token)
    if not current_user.is_authenticated:
        status = 404 if problem == "unknown" else 410 if problem else 200
        return render_template("communities/invitation.html", invitation=invitation, problem=problem,
                               problems=actions.INVITATION_PROBLEMS, token=token), status
    if request.method == "POST":
        membership = actions.use_invite_link(current_user, token)
        flash(_("Welcome to %(name)s!", name=membership.community.name), "success")
        return redirect(url_for("communities.home", slug=membership.community.slug))
    membership = permissions.community_membership(current_user, invitation.community) if invitation else None
    status = 404 if problem == "unknown" else 410 if problem else 200
    return render_template("communities/invitation.html", invitation=invitation, problem=problem,
                           problems=actions.INVITATION_PROBLEMS, token=token, membership=membership), status
