"""Mail settings: which mails a member gets (profile → E-mail), and the unsubscribe link in
every mail that is not essential, which works without logging in and stops only its own kind.
Mail programs may send the link a one-click POST (RFC 8058) without a CSRF token: the link is
the proof, and it can only switch a kind of mail off."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.account import bp
from community.account.forms import MailSettingsForm
from community.actions import ActionError, notification_mail
from community.forms import Form
from community.labels import LABELS
from community.models import MAIL_PREFERENCE_KINDS
from community.security import keeps_input

ONE_CLICK = ("List-Unsubscribe", "One-Click")


@bp.route("/mail", methods=["GET", "POST"])
@login_required
@keeps_input
def mail_settings():
    form = MailSettingsForm(data=notification_mail.choices_of(current_user))
    chosen = lambda: {kind: form[kind].data for kind in MAIL_PREFERENCE_KINDS}  # noqa: E731
    if form.saved(lambda: notification_mail.set_choices(current_user, chosen()), _("Your mail settings are saved.")):
        return redirect(url_for("account.mail_settings"))
    return render_template("account/mail.html", form=form), form.status


def is_one_click_unsubscribe():
    """A mail program's one-click unsubscribe (RFC 8058): exempt from the CSRF check."""
    return (request.method == "POST" and request.endpoint == "account.unsubscribe"
            and request.form.get(ONE_CLICK[0]) == ONE_CLICK[1] and "csrf_token" not in request.form)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"], public=True)  # opened from the mail
@keeps_input
def unsubscribe(token):
    try:
        user, kind = notification_mail.unsubscribe_target(token)
    except ActionError as error:
        return current_app.make_response((render_template("account/unsubscribe.html", refused=error.message),
                                          error.status))
    label = LABELS["mail_kind"][kind]
    if is_one_click_unsubscribe():
        notification_mail.unsubscribe(token)
        return "", 200
    form = Form()
    if form.validate_on_submit():
        notification_mail.unsubscribe(token)
        flash(_("You no longer get mails about %(kind)s.", kind=label), "success")
        return redirect(url_for("account.unsubscribe", token=token))
    done = notification_mail.choices_of(user)[kind] == "never"
    return render_template("account/unsubscribe.html", form=form, user=user, label=label, done=done), form.status
