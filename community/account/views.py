"""The signed-in user's own account: profile, password, API tokens."""
import io

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from community.account import bp
from community.account.forms import AvatarForm, PasswordForm, ProfileForm, TokenForm
from community.actions import ActionError, accounts, avatars, tokens
from community.extensions import db
from community.models import ApiToken
from community.security import keeps_input
from community.security_setup import current_session_key


@bp.route("/", methods=["GET", "POST"])
@keeps_input
def profile():
    form = ProfileForm(obj=current_user)
    if form.saved(lambda: accounts.update_profile(current_user, form.display_name.data, form.kind.data,
                                                  form.language.data),
                  _l("Your profile is saved.")):
        return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form,
                           avatar_form=AvatarForm(prefix="photo", formdata=None)), form.status


@bp.route("/avatar", methods=["POST"])
@keeps_input
def avatar():
    """A new profile photo (multipart, field `photo-avatar`)."""
    form = AvatarForm(prefix="photo")
    upload = form.avatar.data
    stream = upload.stream if upload is not None and getattr(upload, "filename", None) else io.BytesIO()
    if form.saved(lambda: avatars.set_avatar(current_user, stream), _l("Your photo is saved.")):
        return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=ProfileForm(obj=current_user, formdata=None),
                           avatar_form=form), form.status


@bp.route("/avatar/remove", methods=["POST"])
def remove_avatar():
    avatars.remove_avatar(current_user)
    flash(_("Your photo is removed; your initials are shown instead."), "success")
    return redirect(url_for("account.profile"))


@bp.route("/password", methods=["GET", "POST"])
@keeps_input
def password():
    form = PasswordForm()
    if form.saved(lambda: accounts.change_password(current_user, form.current_password.data, form.new_password.data,
                                                   keep_session_key=current_session_key()),
                  _("Your password is changed. Other browsers where you were logged in are logged out.")):
        return redirect(url_for("account.profile"))
    form.current_password.data = form.new_password.data = ""
    return render_template("account/password.html", form=form), form.status


def _my_tokens():
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == current_user.id)
                              .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()


@bp.route("/tokens", methods=["GET", "POST"])
@keeps_input
def api_tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            token, new_token = tokens.create_token(current_user, form.name.data)
        except ActionError as error:
            form.add_error(error)
        else:
            form = TokenForm(formdata=None)
    return render_template("account/tokens.html", form=form, tokens=_my_tokens(), new_token=new_token), form.status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id):
    token = tokens.revoke_token(current_user, token_id)
    flash(_("The token '%(name)s' is revoked; programs using it no longer have access.", name=token.name),
          "success")
    return redirect(url_for("account.api_tokens"))


@bp.route("/sessions/end-others", methods=["POST"])
def end_other_sessions():
    accounts.end_all_sessions(current_user, except_key=current_session_key())
    flash(_("You are logged out everywhere else."), "success")
    return redirect(url_for("account.profile"))
