"""Profile photos: a PNG, JPEG or WebP image, at most 5 MB, cropped to a square around its centre
and written anew by Pillow as a 256 × 256 JPEG (no EXIF, no GPS, nothing appended). Stored under a
server-made name in the instance folder; a new photo gets a new name, so the address changes with
it and browsers may keep the old one as long as they like. Without a photo, pages show the
person's initials on a colour made from their id (templates/macros/avatar.html).
"""
import io
import os
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from community.actions import ActionError
from community.actions.attachments import open_image, remove_files, sniff
from community.extensions import db

MAX_BYTES = 5 * 1024 * 1024
SIZE = 256


def avatar_folder():
    folder = os.path.join(current_app.instance_path, "uploads", "avatars")
    os.makedirs(folder, exist_ok=True)
    return folder


def path_of(user):
    return os.path.join(avatar_folder(), user.avatar_name) if user.avatar_name else None


def square_jpeg(data):
    """The image cropped to a centred square, SIZE × SIZE, flattened on white, as JPEG bytes."""
    if sniff(data) not in ("png", "jpeg", "webp"):
        raise ActionError(_l("Choose a photo: a PNG, JPEG or WebP image."), field="avatar", status=415,
                          code="unsupported_type")
    try:
        image, _format, _icc = open_image(data)
    except ActionError as error:
        error.field = "avatar"
        raise
    image = ImageOps.fit(image, (SIZE, SIZE), method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image = image.convert("RGB")
    image.info = {}  # Pillow's JPEG encoder would copy a comment (and more) from the source
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def set_avatar(user, stream):
    """Replace the user's own photo. ``stream`` is a file-like object."""
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ActionError(_l("Choose a photo first."), field="avatar")
    if len(data) > MAX_BYTES:
        raise ActionError(_l("The photo is larger than 5 MB."), field="avatar", status=413, code="too_large")
    content = square_jpeg(data)
    old = path_of(user)
    name = f"{secrets.token_hex(16)}.jpg"
    with open(os.path.join(avatar_folder(), name), "wb") as handle:
        handle.write(content)
    user.avatar_name = name
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_files([os.path.join(avatar_folder(), name)])
        raise
    remove_files([old] if old else [])
    return user


def remove_avatar(user):
    """Back to the initials."""
    old = path_of(user)
    if old is None:
        return user
    user.avatar_name = None
    db.session.commit()
    remove_files([old])
    return user
