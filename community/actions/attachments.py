"""Attachments of practice cases (images: PNG, JPEG, WebP, and PDF) and images uploaded from any
composer, at most 10 MB each.

The type is decided by the content, never the name. Images are decoded and written anew by
Pillow, which drops EXIF/GPS and anything appended to the file (polyglots). Files are stored
under server-made names in the instance folder, outside static/.
"""
import io
import os
import re
import secrets
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from community import permissions
from community.actions import ActionError, NotAllowed
from community.extensions import db
from community.models import Attachment, utcnow

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PER_CASE = 20
MAX_UNCLAIMED = 50  # images uploaded from composers and not yet in a saved text, per user
UNCLAIMED_DAYS = 30  # then such an image is removed (community.jobs.files)
# "/attachments/12/photo.jpg" or "/attachments/12)" in markdown: the composer writes the first.
ATTACHMENT_LINK = re.compile(r"/attachments/(\d{1,12})(?=[/)\s?#]|$)")
IMAGE_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}


def upload_folder():
    folder = os.path.join(current_app.instance_path, "uploads")
    os.makedirs(folder, exist_ok=True)
    return folder


def path_of(attachment):
    return os.path.join(upload_folder(), attachment.stored_name)


def sniff(data):
    """'png', 'jpeg', 'webp', 'pdf' or None, from the first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


def clean_filename(name, fallback="bijlage"):
    """A display/download name: no folders, no control characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return (name or fallback)[:120]


def add_attachment(actor, case, filename, stream):
    """Store one uploaded file for a case. ``stream`` is a file-like object."""
    if not permissions.can_edit_case(actor, case):
        raise NotAllowed(_l("You cannot add files to this case."))
    if len(case.attachments) >= MAX_PER_CASE:
        raise ActionError(_l("A case can have at most %(max)d attachments.", max=MAX_PER_CASE), field="file")
    return _store(Attachment(case_id=case.id, uploader_id=actor.id), filename, _read(stream))


def add_upload(actor, filename, stream):
    """An image pasted or dropped into a composer, stored at once (before the text is saved).
    It belongs to nobody but its uploader until a saved text shows it (claim_uploads)."""
    if not permissions.can_upload_files(actor):
        raise NotAllowed(_l("Sign in to add images."))
    unclaimed = db.session.scalar(sa.select(sa.func.count(Attachment.id)).where(
        Attachment.uploader_id == actor.id, *_unclaimed()))
    if unclaimed >= MAX_UNCLAIMED:
        raise ActionError(_l("You have %(count)d images that are not in a saved text yet. Save or discard "
                             "your texts first.", count=unclaimed), field="file", status=429, code="too_many")
    data = _read(stream)
    if sniff(data) == "pdf":
        raise ActionError(_l("Only images (PNG, JPEG, WebP) can be added to a text."), field="file",
                          status=415, code="unsupported_type")
    return _store(Attachment(uploader_id=actor.id), filename, data)


def _read(stream):
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ActionError(_l("The file is empty."), field="file")
    if len(data) > MAX_BYTES:
        raise ActionError(_l("The file is larger than 10 MB."), field="file", status=413, code="too_large")
    return data


def _store(attachment, filename, data):
    """Check the content, write the file under a server-made name and commit the row."""
    kind = sniff(data)
    if kind is None:
        raise ActionError(_l("Only images (PNG, JPEG, WebP) and PDF files can be attached."), field="file",
                          status=415, code="unsupported_type")
    if kind == "pdf":
        content, content_type, ext, size = data, "application/pdf", "pdf", (None, None)
        if b"%%EOF" not in data[-2048:]:
            raise ActionError(_l("This PDF file is damaged or incomplete."), field="file")
    else:
        content, content_type, ext, size = _clean_image(data)
    stored = f"{secrets.token_hex(16)}.{ext}"
    with open(os.path.join(upload_folder(), stored), "wb") as handle:
        handle.write(content)
    name = clean_filename(filename)
    base = name.rsplit(".", 1)[0] if "." in name else name
    attachment.original_name, attachment.stored_name = f"{base}.{ext}", stored
    attachment.content_type, attachment.size = content_type, len(content)
    attachment.width, attachment.height = size
    db.session.add(attachment)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        os.remove(os.path.join(upload_folder(), stored))
        raise
    return attachment


def prune_unclaimed():
    """Remove composer uploads that no saved text has claimed within UNCLAIMED_DAYS, and their
    files (after the commit). Returns how many went."""
    rows = db.session.scalars(sa.select(Attachment).where(
        *_unclaimed(), Attachment.created_at < utcnow() - timedelta(days=UNCLAIMED_DAYS))).all()
    paths = [path_of(row) for row in rows]
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    remove_files(paths)
    return len(rows)


def _unclaimed():
    return (Attachment.case_id.is_(None), Attachment.discussion_id.is_(None), Attachment.trajectory_id.is_(None))


def claim_uploads(actor, *sources, case_id=None, discussion_id=None, trajectory_id=None):
    """The text being saved shows images its author uploaded from the composer: from now on
    they belong to its case, discussion or trajectory (and whoever may read that may see them).
    Called by the actions that save markdown, before their commit; no query when the text
    links no attachment."""
    ids = {int(number) for source in sources for number in ATTACHMENT_LINK.findall(source or "")}
    if not ids or not getattr(actor, "id", None):
        return
    db.session.execute(
        sa.update(Attachment).where(Attachment.id.in_(sorted(ids)), Attachment.uploader_id == actor.id,
                                    *_unclaimed())
        .values(case_id=case_id, discussion_id=discussion_id, trajectory_id=trajectory_id),
        execution_options={"synchronize_session": False})


def _clean_image(data):
    """Decode and re-encode: no metadata, nothing appended, orientation applied."""
    image, image_format, icc_profile = open_image(data)
    content_type, ext = IMAGE_FORMATS[image_format]
    # Pillow's encoders copy some of the source's info into the new file (the JPEG encoder
    # writes im.info["comment"], for one). Keep only what the pixels need.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True, **extra)
    elif image_format == "PNG":
        image.save(out, "PNG", optimize=True, **extra)
    else:
        image.save(out, "WEBP", quality=88, **extra)
    return out.getvalue(), content_type, ext, image.size


def open_image(data):
    """Decode a PNG, JPEG or WebP image with its EXIF orientation applied: (image, format,
    ICC profile). Refuses other formats, huge pixel counts and damaged files (ActionError)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise ActionError(_l("Only images (PNG, JPEG, WebP) and PDF files can be attached."),
                                  field="file", status=415, code="unsupported_type")
            if probe.width * probe.height > MAX_PIXELS:
                raise _too_many_pixels()
            image_format = probe.format
            icc_profile = probe.info.get("icc_profile")
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except ActionError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses (or, between its two limits, warns about) huge pixel counts while
        # reading the header, before our own check; the warning is an error under pytest.
        raise _too_many_pixels()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ActionError(_l("This image could not be read; it may be damaged."), field="file")
    return image, image_format, icc_profile


def _too_many_pixels():
    return ActionError(_l("The image is too large (at most 40 megapixels)."), field="file")


def remove_attachment(actor, attachment):
    if not permissions.can_edit_case(actor, attachment_case(attachment)):
        raise NotAllowed(_l("You cannot remove files of this case."))
    path = path_of(attachment)
    db.session.delete(attachment)
    db.session.commit()
    remove_files([path])


def remove_files(paths):
    """Delete stored files after their rows are gone (a missing file is not an error)."""
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def attachment_case(attachment):
    from community.models import Case

    return db.session.get(Case, attachment.case_id)
