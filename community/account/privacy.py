"""The user's own data: download an export of it, delete the account."""
import os

from flask import abort, flash, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from community import permissions
from community.account import bp
from community.account.forms import DeleteAccountForm
from community.actions import ActionError, account_deletion, privacy as privacy_actions
from community.security import keeps_input


@bp.route("/privacy")
def privacy():
    communities, organisations = permissions.handover_needed(current_user)
    return render_template("account/privacy.html", exports=privacy_actions.my_exports(current_user),
                           handover=communities + organisations)


@bp.route("/export", methods=["POST"])
def request_export():
    _export, new = privacy_actions.request_export(current_user)
    if not new:
        flash(_("You asked for your data less than an hour ago: that export is below. You can ask again "
                "later."), "info")
    else:
        flash(_("We are putting your data together. You get a notification (and a mail) when it is ready."),
              "success")
    return redirect(url_for("account.privacy"))


@bp.route("/export/<int:export_id>")
def download_export(export_id):
    """The owner's ZIP: 404 for anyone else, 410 once its 7 days are over."""
    return export_file(permissions.access_export_or_404(export_id, current_user))


def export_file(export):
    """The response for an export the reader owns (pages and API alike)."""
    if export.status != "ready":
        abort(404)
    path = privacy_actions.path_of(export)
    if not permissions.is_export_available(export) or not os.path.exists(path):
        abort(410)  # its 7 days are over (or its file went with them)
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=f"leerkring-{export.ready_at:%Y-%m-%d}.zip", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@keeps_input
def delete_account():
    form = DeleteAccountForm()
    communities, organisations = permissions.handover_needed(current_user)
    if form.validate_on_submit():
        try:
            account_deletion.delete_account(current_user, current_user, form.password.data)
        except ActionError as error:
            form.add_refusal(error)  # a last coordinator's refusal keeps its 409
        else:
            return _logged_out_after_deletion()
    form.password.data = ""
    return render_template("account/delete.html", form=form, handover=communities + organisations), form.status


def _logged_out_after_deletion():
    """The session ended with the account: clear the cookie too, keeping the message."""
    flash(_("Your account is deleted. What you wrote stays, under a pseudonym."), "success")
    logout_user()
    kept = session.get("_flashes")
    session.clear()
    if kept:
        session["_flashes"] = kept
    return redirect(url_for("main.index"))
