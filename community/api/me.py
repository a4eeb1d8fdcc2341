from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields

from community import permissions
from community.account.privacy import export_file
from community.actions import privacy
from community.api import Blueprint
from community.api.schemas import MeSchema

blp = Blueprint("api_me", __name__, url_prefix="/me", description="The signed-in user")


@blp.route("")
@blp.response(200, MeSchema)
def me():
    """Who am I: the account behind the token, with its organisations."""
    return current_user


# --- my data ---------------------------------------------------------------------------------------

NO_EXPORT = "No such export of yours (another member's answers the same), or not ready yet"


class ExportSchema(Schema):
    id = fields.Int()
    status = fields.Str(metadata={"description": "queued (being built), ready or failed"})
    size = fields.Int(metadata={"description": "Bytes of the ZIP, once ready"})
    created_at = fields.DateTime()
    ready_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True, metadata={"description": "Downloadable until then (7 days)"})
    download_url = fields.Function(
        lambda export: url_for("api_me.download_export", export_id=export.id) if export.status == "ready" else None,
        metadata={"description": "GET it for the ZIP (410 once expired)"})


class ExportListSchema(Schema):
    items = fields.List(fields.Nested(ExportSchema))


@blp.route("/export")
@blp.response(200, ExportListSchema)
def exports():
    """Your data exports, newest first (at most 10). Each ZIP holds, per kind, a JSON and a CSV
    file (profile, memberships, discussions, replies with revisions, cases with attachments,
    trajectories and log entries, notifications, follows, reports, API tokens): only what is
    about or by you."""
    return {"items": privacy.my_exports(current_user)}


@blp.route("/export", methods=["POST"])
@blp.response(202, ExportSchema)
def request_export():
    """Ask for an export: it is built in the background and you get a notification when it is
    ready. Within an hour of the last request (that did not fail), that export is answered."""
    return privacy.request_export(current_user)[0]


@blp.route("/export/<int:export_id>")
@blp.response(200, description="The ZIP file", content_type="application/zip",
              errors={404: NO_EXPORT, 410: "Expired: its 7 days are over"})
def download_export(export_id):
    """Download your export (only its owner can)."""
    return export_file(permissions.access_export_or_404(export_id, current_user))
