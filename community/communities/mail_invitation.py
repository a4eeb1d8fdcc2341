"""The page a mailed invitation leads to: registration with the invited address filled in,
then straight into the community; or, for the account of that address, one button to join."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.actions import ActionError, mail_invitations as actions
from community.auth import known_browser
from community.auth.views import _sign_in
from community.communities import bp
from community.communities.forms import InvitedRegisterForm
from community.queries.accounts import user_by_email
from community.security import keeps_input, one_time_link_page


def _page(status=200, **context):
    return one_time_link_page(render_template("communities/mail_invitation.html", **context), status)


@bp.route("/invite/mail/<token>", methods=["GET", "POST"])
@keeps_input
def mail_invitation(token):
    try:
        invitation = actions.invitation_for_link(token)
    except ActionError as error:
        return _page(error.status, problem=error.message)
    community = invitation.community
    if current_user.is_authenticated:
        if request.method == "POST":
            actions.accept(current_user, token)
            flash(_("Welcome to %(name)s!", name=community.name), "success")
            return redirect(url_for("communities.home", slug=community.slug))
        return _page(invitation=invitation, community=community, mine=current_user.email == invitation.email)
    if user_by_email(invitation.email) is not None:  # they registered meanwhile: log in, come back
        return _page(409 if request.method == "POST" else 200, invitation=invitation, community=community,
                     has_account=True)
    form = InvitedRegisterForm()
    if request.method == "GET":
        form.language.data = invitation.created_by.language if invitation.created_by else "nl"
    if form.validate_on_submit():
        try:
            user, _membership = actions.register_by_invitation(
                token, form.display_name.data, form.password.data, kind=form.kind.data, language=form.language.data,
                accepted_privacy=bool(form.accept_privacy.data))
        except ActionError as error:
            form.add_error(error)
        else:
            _sign_in(user)
            flash(_("Welcome to %(name)s, %(person)s! Your account is ready.", name=community.name,
                    person=user.display_name), "success")
            return known_browser.remember(redirect(url_for("communities.home", slug=community.slug)), user)
    form.password.data = ""
    return _page(form.status, invitation=invitation, community=community, form=form)
