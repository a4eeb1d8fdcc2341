"""Practice-case pages: the list with filters, the structured form, the case page, and its
attachments (upload, remove, download)."""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from community import permissions
from community.actions import ActionError, NotAllowed, attachments as attachment_actions, cases as actions
from community.cases import bp
from community.cases.forms import SECTION_LABELS, CaseForm, initial_values
from community.errors import kept_after_commit, saved_id
from community.models import CASE_SECTIONS
from community.queries import cases as queries, trajectories as trajectory_queries
from community.realtime import streams
from community.realtime.events import last_seq
from community.security import keeps_input

# Served files must never be run as a page of this site, whatever is inside them.
ATTACHMENT_CSP = "default-src 'none'; sandbox"
UPLOAD_ACCEPT = "image/png,image/jpeg,image/webp,application/pdf"


def _publishing():
    return request.form.get("publish") == "1"


def _render_form(form, community, case=None, status=200, upload_error=None):
    return render_template(
        "cases/form.html", form=form, community=community, case=case, sections=CASE_SECTIONS,
        domains=queries.domains_in(community), upload_error=upload_error, upload_accept=UPLOAD_ACCEPT,
        max_attachments=attachment_actions.MAX_PER_CASE,
        asks_edit_note=case is not None and case.is_published and case.author_id != current_user.id,
    ), status


def _form_for(case=None, formdata=True):
    """The case form, with the organisations the user may choose (and the case's own)."""
    initial = initial_values(case) if case is not None else {}
    form = CaseForm(data=initial) if formdata else CaseForm(formdata=None, data=initial)
    form.set_organisations(queries.organisation_choices(current_user, case.organisation if case else None))
    return form


@bp.route("/c/<slug>/cases")
def index(slug):
    community = permissions.access_community_or_404(slug, current_user)
    filters = queries.CaseFilters.from_args(request.args)
    return render_template("cases/index.html", community=community, filters=filters,
                           page=queries.case_page(current_user, community, filters),
                           options=queries.filter_options(current_user, community))


@bp.route("/c/<slug>/cases/new", methods=["GET", "POST"])
@keeps_input
def new(slug):
    community = permissions.access_community_for_posting_or_404(slug, current_user)
    form = _form_for()
    if form.validate_on_submit():
        try:
            with kept_after_commit():  # the answer below reads nothing back (see errors.py)
                case = actions.create_case(current_user, community, publish=_publishing(), **form.values())
        except ActionError as error:
            form.add_refusal(error)
        else:
            flash(_("Your case is published. Members can read and discuss it.") if case.is_published
                  else _("Your draft is saved. Only you can see it until you publish it."), "success")
            return redirect(url_for("cases.view", case_id=saved_id(case)))
    return _render_form(form, community, status=form.status)


@bp.route("/cases/<int:case_id>")
def view(case_id):
    case = permissions.access_case_or_404(case_id, current_user)
    live_last = last_seq(streams.case(case.id))
    discussion = case.discussion if case.is_published else None
    sections = [(name, SECTION_LABELS[name], getattr(case, name + "_html")) for name in CASE_SECTIONS]
    return render_template("cases/view.html", case=case, community=case.community,
                           sections=[s for s in sections if s[2]], attachments=case.attachments,
                           discussion=discussion, trajectory_box=trajectory_queries.link_box(current_user, case),
                           live_last=live_last)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@keeps_input
def edit(case_id):
    case = permissions.access_case_for_editing_or_404(case_id, current_user)
    form = _form_for(case)
    publishing = _publishing() and not case.is_published
    if form.saved(lambda: actions.update_case(current_user, case, edit_note=form.edit_note.data or "",
                                              publish=publishing, **form.values()),
                  _("Your case is published. Members can read and discuss it.") if publishing
                  else _("The changes are saved.")):
        return redirect(url_for("cases.view", case_id=case.id))
    return _render_form(form, case.community, case, form.status)


@bp.route("/cases/<int:case_id>/publish", methods=["POST"])
def publish(case_id):
    case = permissions.access_case_or_404(case_id, current_user)
    if case.is_published and case.author_id == current_user.id:
        return redirect(url_for("cases.view", case_id=case.id))  # pressed twice
    try:
        actions.publish_case(current_user, case)
    except NotAllowed:
        raise  # the 403 page (community/errors.py)
    except ActionError as error:  # not ready to publish: back to the form, saying why
        flash(str(error.message), "error")
        return redirect(url_for("cases.edit", case_id=case.id))
    flash(_("Your case is published. Members can read and discuss it."), "success")
    return redirect(url_for("cases.view", case_id=case.id))


@bp.route("/cases/<int:case_id>/delete", methods=["POST"])
def delete(case_id):
    case = permissions.access_case_or_404(case_id, current_user)
    slug = case.community.slug
    actions.delete_draft(current_user, case)
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("cases.index", slug=slug))


# --- attachments -------------------------------------------------------------------------------

@bp.route("/cases/<int:case_id>/attachments", methods=["POST"])
def upload(case_id):
    case = permissions.access_case_for_editing_or_404(case_id, current_user)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ActionError(_("Choose a file first."), field="file")
        attachment = attachment_actions.add_attachment(current_user, case, upload.filename, upload.stream)
    except ActionError as error:
        # Show the edit page again with the reason next to the upload field; the case form
        # shows the saved case (it was not part of this request).
        return _render_form(_form_for(case, formdata=False), case.community, case, status=error.status,
                            upload_error=error.message)
    flash(_("%(name)s is added.", name=attachment.original_name), "success")
    return redirect(url_for("cases.edit", case_id=case.id, _anchor="attachments"))


@bp.route("/attachments/<int:attachment_id>/remove", methods=["POST"])
def remove_attachment(attachment_id):
    attachment = permissions.access_case_attachment_or_404(attachment_id, current_user)
    case = attachment_actions.attachment_case(attachment)
    name = attachment.original_name
    attachment_actions.remove_attachment(current_user, attachment)
    flash(_("%(name)s is removed.", name=name), "success")
    return redirect(url_for("cases.edit", case_id=case.id, _anchor="attachments"))


@bp.route("/attachments/<int:attachment_id>", defaults={"name": ""})
@bp.route("/attachments/<int:attachment_id>/<name>")
def attachment(attachment_id, name):
    """The stored file. ``name`` only makes the address readable; the id decides."""
    attachment = permissions.access_attachment_or_404(attachment_id, current_user)
    try:
        # At most 10 MB: read it whole, so no open file outlives a response that is never
        # consumed or closed (a client that goes away, a test that only reads the status).
        with open(attachment_actions.path_of(attachment), "rb") as handle:
            data = io.BytesIO(handle.read())
    except FileNotFoundError:
        abort(404)
    # Stored files never change (a new upload gets a new name), so the name is a fine ETag.
    response = send_file(data, mimetype=attachment.content_type, as_attachment=not attachment.is_image,
                         download_name=attachment.original_name, conditional=True,
                         etag=attachment.stored_name, last_modified=attachment.created_at)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    # Only this user's browser may keep it, and it asks again (cheaply, by ETag) every time,
    # so someone who lost access does not keep seeing it.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """More than MAX_CONTENT_LENGTH was sent (refused before the view runs): say what the
    limits are and lead back, instead of a bare error."""
    args = request.view_args or {}
    is_upload = request.endpoint == "cases.upload"
    if args.get("case_id"):
        back = url_for("cases.edit", case_id=args["case_id"], _anchor="attachments" if is_upload else None)
    elif args.get("slug"):
        back = url_for("cases.index", slug=args["slug"])
    else:
        back = url_for("main.dashboard")
    return render_template("cases/too_large.html", upload=is_upload, back=back,
                           max_mb=attachment_actions.MAX_BYTES // (1024 * 1024)), 413
