"""Changing the login address: ask (logged in, with the password), then confirm from the link
that went to the new address (logged in or not: the link is the proof)."""
from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.account import bp
from community.account.forms import EmailForm
from community.actions import ActionError, email_change
from community.extensions import limiter
from community.forms import Form
from community.security import keeps_input, one_time_link_page


def _too_many(request_limit):
    form = EmailForm()
    form.password.data = ""
    form.form_errors.append(_("You asked to change your address too often. Wait a while and try again."))
    return current_app.make_response((render_template("account/email.html", form=form), 429))


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["EMAIL_CHANGE_LIMIT"], methods=["POST"],
               key_func=lambda: f"email-change:{getattr(current_user, 'id', None)}", on_breach=_too_many)
@keeps_input
def change_email():
    form = EmailForm()
    if form.validate_on_submit():
        try:
            new_email = email_change.request_email_change(current_user, form.email.data, form.password.data)
        except ActionError as error:
            form.add_error(error)
        else:
            flash(_("We sent a link to %(email)s. Open it to make this your login address; until then you log in "
                    "with %(old)s.", email=new_email, old=current_user.email), "info")
            return redirect(url_for("account.profile"))
    form.password.data = ""
    return render_template("account/email.html", form=form), form.status


@bp.route("/email/confirm/<token>", methods=["GET", "POST"], public=True)  # opened from the mail
@keeps_input
def confirm_email(token):
    try:
        user, new_email = email_change.pending_change(token)
    except ActionError as error:
        page = render_template("auth/link_refused.html", message=error.message,
                               again_url=url_for("account.change_email"), again_label=_("Change your e-mail address"))
        return one_time_link_page(page, error.status)
    form = Form()
    if form.validate_on_submit():
        try:
            email_change.confirm_email_change(token)
        except ActionError as error:
            form.add_refusal(error)  # a 409 stays a 409
        else:
            flash(_("Your login address is now %(email)s.", email=new_email), "success")
            if current_user.is_authenticated:
                return redirect(url_for("account.profile"))
            session["login_email"] = new_email
            return redirect(url_for("auth.login"))
    return one_time_link_page(render_template("account/email_confirm.html", form=form, user=user, new_email=new_email),
                              form.status)
