"""Images pasted or dropped into a composer: stored at once, before the text is saved, so the
composer can write the markdown that shows them. Such an image is its uploader's alone until a
saved text shows it; then it belongs to that case, discussion or trajectory
(community.actions.attachments.claim_uploads)."""
import re

from flask import url_for
from flask_login import current_user

from community.actions import attachments as attachment_actions
from community.api import Blueprint
from community.api.content_schemas import ComposerUploadSchema, ImageUploadArgs

blp = Blueprint("api_uploads", __name__, url_prefix="/uploads", description="Images for the composer")


def image_markdown(attachment, url):
    """![name](url), with what markdown would read as syntax left out of the name."""
    alt = re.sub(r"[\[\]\\*_`<>]", "", attachment.original_name.rsplit(".", 1)[0]).strip() or "image"
    return f"![{alt}]({url})"


@blp.route("", methods=["POST"])
@blp.response(201, ComposerUploadSchema, errors={
    413: "Larger than 10 MB (code too_large)",
    415: "Not a PNG, JPEG or WebP image (code unsupported_type)",
    422: "No file, or an empty or damaged one (field: file)",
    429: "Too many images not yet in a saved text (code too_many)"})
@blp.arguments(ImageUploadArgs, location="files")
def upload(args):
    """Upload an image for a text you are writing (multipart/form-data, field `file`). It is
    stored re-encoded, without its metadata, and only you can see it until you save a text that
    shows it (with the returned `markdown`)."""
    upload = args["file"]
    attachment = attachment_actions.add_upload(current_user, upload.filename, upload.stream)
    # A plain name in the address: markdown ends the link at a bracket or a space.
    base, ext = attachment.original_name.rsplit(".", 1)
    name = (re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-") or "image") + "." + ext
    url = url_for("cases.attachment", attachment_id=attachment.id, name=name)
    return {"id": attachment.id, "original_name": attachment.original_name,
            "content_type": attachment.content_type, "size": attachment.size, "width": attachment.width,
            "height": attachment.height, "url": url, "markdown": image_markdown(attachment, url)}
