"""Attachments of practice cases: images (PNG, JPEG, WebP) and PDF, at most 10 MB.

The type is decided by the content, never the name. Images are decoded and written anew by
Pillow, which drops EXIF/GPS and anything appended to the file (polyglots). Files are stored
under server-made names in the instance folder, outside static/.
"""
import io
import os
import secrets
import unicodedata

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from community import permissions
from community.actions import ActionError, NotAllowed
from community.extensions import db
from community.models import Attachment

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PER_CASE = 20
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
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ActionError(_l("The file is empty."), field="file")
    if len(data) > MAX_BYTES:
        raise ActionError(_l("The file is larger than 10 MB."), field="file", status=413, code="too_large")
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
    attachment = Attachment(case_id=case.id, uploader_id=actor.id, original_name=f"{base}.{ext}",
                            stored_name=stored, content_type=content_type, size=len(content),
                            width=size[0], height=size[1])
    db.session.add(attachment)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        os.remove(os.path.join(upload_folder(), stored))
        raise
    return attachment


def _clean_image(data):
    """Decode and re-encode: no metadata, nothing appended, orientation applied."""
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
