"""'Wachtwoord vergeten': ask for a link by mail, then choose a new password with it."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from community.actions import ActionError, recovery
from community.auth import bp
from community.auth.forms import ForgotPasswordForm, ResetPasswordForm
from community.extensions import limiter
from community.security import keeps_input, one_time_link_page


def _reset_account_key():
    # Keyed by the address as typed, whether or not it has an account (tells nothing).
    return "reset:" + (request.form.get("email") or "").strip().lower()[:254]


def _too_many(request_limit):
    form = ForgotPasswordForm()
    form.form_errors.append(_("Too many requests for a new password. Wait a while and try again."))
    return current_app.make_response((render_template("auth/forgot_password.html", form=form), 429))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ADDRESS"], methods=["POST"], on_breach=_too_many)
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_reset_account_key,
               on_breach=_too_many)
@keeps_input
def forgot_password():
    form = ForgotPasswordForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        try:
            recovery.request_password_reset(form.email.data)
        except ActionError as error:
            form.add_error(error)
        else:
            # The same answer whether or not the address has an account.
            flash(_("If %(email)s belongs to an account, a link to choose a new password is on its way. It works "
                    "for one hour. No mail within a few minutes? Look in your spam folder.",
                    email=form.email.data.strip()), "info")
            session["login_email"] = form.email.data.strip().lower()[:254]
            return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), form.status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@keeps_input
def reset_password(token):
    try:
        user = recovery.user_for_reset_token(token)
    except ActionError as error:
        page = render_template("auth/link_refused.html", message=error.message,
                               again_url=url_for("auth.forgot_password"), again_label=_("Ask for a new link"))
        return one_time_link_page(page, error.status)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.reset_password(token, form.password.data)
        except ActionError as error:
            form.add_error(error)
        else:
            language = session.get("lang")
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            if language:
                session["lang"] = language
            session["login_email"] = user.email
            flash(_("Your password is changed, and you are logged out everywhere. Log in with your new password."),
                  "success")
            return redirect(url_for("auth.login"))
    form.password.data = ""
    return one_time_link_page(render_template("auth/reset_password.html", form=form, user=user), form.status)
