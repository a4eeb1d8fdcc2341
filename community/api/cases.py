"""Practice cases (praktijkcasussen): list and filter, read, write as draft, publish, edit, delete
a draft, and their attachments.

Handlers parse input, load and authorise through permissions.access_*, and call the actions in
community.actions.cases and community.actions.attachments; they never write. A draft exists for
its author only: everyone else gets 404, as for a case that does not exist. The list answers with
a fixed number of SQL statements (tests/test_api_content.py counts them).
"""
from urllib.parse import quote

import sqlalchemy as sa
from flask import url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from community import permissions
from community.actions import attachments as attachment_actions, cases as actions
from community.api import Blueprint, INPUT_REFUSED, NO_CASE, NO_COMMUNITY, patched
from community.api.communities import page_body
from community.api.content_schemas import (
    AttachmentListSchema, AttachmentSchema, CaseCreateArgs, CaseListArgs, CasePageSchema, CaseSchema,
    CaseUpdateArgs, UploadArgs,
)
from community.errors import answer_saved, kept_after_commit, saved_id
from community.extensions import db
from community.models import CASE_SECTIONS, Attachment
from community.queries.cases import CaseFilters, case_page

blp = Blueprint("api_cases", __name__, url_prefix="",
                description="Practice cases of a community, drafts and attachments")
LISTED = ("id", "community_id", "title", "status", "author", "organisation", "domain", "level", "created_at",
          "updated_at", "published_at", "edited_at")
EDITABLE = ("title", "domain", "level", "organisation_id") + CASE_SECTIONS


# --- reading helpers (no writes here) ---------------------------------------------------------------

def summary(case, attachment_count):
    body = {name: getattr(case, name) for name in LISTED}
    discussion = case.discussion
    body.update(tags=case.tag_names, attachment_count=attachment_count, hidden=case.is_hidden,
                discussion_id=discussion.id if discussion else None,
                reply_count=discussion.reply_count if discussion else 0)
    return body


def detail_of(case, new=False):
    """One case. ``new``: just written, so without attachments (one query fewer after the commit)."""
    count = 0 if new else db.session.scalar(sa.select(sa.func.count(Attachment.id))
                                            .where(Attachment.case_id == case.id))
    body = summary(case, count)
    for name in CASE_SECTIONS:
        body[name], body[name + "_html"] = getattr(case, name), getattr(case, name + "_html")
    # Only its author and moderators get this far with a hidden case (else 404).
    body.update(community=case.community, edit_note=case.edit_note, hidden_reason=case.hidden_reason,
                can_edit=permissions.can_edit_case(current_user, case),
                can_publish=permissions.can_publish_case(current_user, case),
                can_delete=permissions.can_delete_case(current_user, case))
    return body


def download_url(attachment):
    """The page that serves the file (with the reader's session and the same permission check)."""
    try:
        return url_for("cases.attachment", attachment_id=attachment.id, name=attachment.original_name)
    except BuildError:  # that page is not registered (yet): the path it will have
        return f"/attachments/{attachment.id}/{quote(attachment.original_name)}"


def attachment_item(attachment):
    return {"id": attachment.id, "case_id": attachment.case_id, "original_name": attachment.original_name,
            "content_type": attachment.content_type, "size": attachment.size, "width": attachment.width,
            "height": attachment.height, "is_image": attachment.is_image, "created_at": attachment.created_at,
            "url": download_url(attachment)}


def _normal_tag(text):
    """Tags are stored lower case with single spaces (community.actions.cases)."""
    return " ".join(text.split()).lower()


# --- cases ------------------------------------------------------------------------------------------

@blp.route("/communities/<slug>/cases")
@blp.response(200, CasePageSchema, errors={404: NO_COMMUNITY})
@blp.arguments(CaseListArgs, location="query")
def list_cases(args, slug):
    """The community's published cases and your own drafts, 20 a page, newest first (a draft by
    its last change), as the case list page shows them. Filter by `tag`, `domain` (any case),
    `level` or `organisation` (id)."""
    community = permissions.access_community_or_404(slug, current_user)
    filters = CaseFilters(tag=_normal_tag(args["tag"]), domain=" ".join(args["domain"].split()),
                          level=args["level"], organisation=args["organisation"], page=args["page"])
    page = case_page(current_user, community, filters)
    return page_body(page, [summary(*row) for row in page.rows])


@blp.route("/communities/<slug>/cases", methods=["POST"])
@blp.response(201, CaseSchema, errors={403: "Only members share cases", 404: NO_COMMUNITY,
                                       409: "The community is archived (code archived)", 422: INPUT_REFUSED})
@blp.arguments(CaseCreateArgs)
def create_case(args, slug):
    """Write a case (members). It is a draft, visible to you only, unless `publish` is true:
    publishing gives it its own discussion and a line in the community's feed."""
    community = permissions.access_community_or_404(slug, current_user)
    data = dict(args)
    publish = data.pop("publish")
    with kept_after_commit():
        case = actions.create_case(current_user, community, publish=publish, **data)
    # Saved: 201 whatever happens next; should the database fail while the answer is built,
    # the body has at least the new case's id.
    return answer_saved(lambda: detail_of(case, new=True),
                        lambda: {"id": saved_id(case), "title": data["title"],
                                 "status": "published" if publish else "draft"})


@blp.route("/cases/<int:case_id>")
@blp.response(200, CaseSchema, errors={404: NO_CASE})
def get_case(case_id):
    """One case with all its sections."""
    return detail_of(permissions.access_case_or_404(case_id, current_user))


@blp.route("/cases/<int:case_id>", methods=["PATCH"])
@blp.response(200, CaseSchema, errors={403: "Neither the author nor a coordinator", 404: NO_CASE,
                                       422: "Input refused, or edit_note missing (field names it)"})
@blp.arguments(CaseUpdateArgs)
def update_case(args, case_id):
    """Change a case (the author; coordinators, of published cases, with an `edit_note`). Fields
    left out stay as they are; the previous version of a published case is kept. `publish: true`
    publishes a draft."""
    case = permissions.access_case_or_404(case_id, current_user)
    data = patched(case, args, EDITABLE)
    data["tags"] = args.get("tags", case.tag_names)
    actions.update_case(current_user, case, edit_note=args.get("edit_note", ""),
                        publish=args.get("publish", False), **data)
    return detail_of(case)


@blp.route("/cases/<int:case_id>/publish", methods=["POST"])
@blp.response(200, CaseSchema, errors={403: "Not your draft, or you are no longer a member", 404: NO_CASE,
                                       422: "Every section is empty (field: context)"})
def publish_case(case_id):
    """Publish your draft. Publishing a published case changes nothing."""
    case = permissions.access_case_or_404(case_id, current_user)
    return detail_of(actions.publish_case(current_user, case))


@blp.route("/cases/<int:case_id>", methods=["DELETE"])
@blp.response(204, errors={403: "Published cases stay", 404: NO_CASE})
def delete_case(case_id):
    """Delete your draft, with its attachments."""
    actions.delete_draft(current_user, permissions.access_case_or_404(case_id, current_user))


# --- attachments ------------------------------------------------------------------------------------

@blp.route("/cases/<int:case_id>/attachments")
@blp.response(200, AttachmentListSchema, errors={404: NO_CASE})
def list_attachments(case_id):
    """The case's images and PDF files, oldest first (at most 20), with their download url."""
    case = permissions.access_case_or_404(case_id, current_user)
    rows = db.session.scalars(sa.select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id))
    return {"items": [attachment_item(attachment) for attachment in rows]}


@blp.route("/cases/<int:case_id>/attachments", methods=["POST"])
@blp.response(201, AttachmentSchema, errors={403: "You cannot edit this case", 404: NO_CASE,
                                             413: "Larger than 10 MB (code too_large)",
                                             415: "Not a PNG, JPEG, WebP or PDF file (code unsupported_type)",
                                             422: "No file, an empty or damaged one, or too many (field: file)"})
@blp.arguments(UploadArgs, location="files")
def add_attachment(args, case_id):
    """Attach an image or PDF (multipart/form-data, field `file`). The type is judged by the
    content; images are stored re-encoded, without their metadata."""
    case = permissions.access_case_or_404(case_id, current_user)
    upload = args["file"]
    return attachment_item(attachment_actions.add_attachment(current_user, case, upload.filename, upload.stream))
