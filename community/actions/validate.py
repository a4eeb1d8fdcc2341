"""Input cleaning shared by the actions: unicode-safe text, e-mail addresses, passwords."""
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from community.actions import ActionError

# Control characters other than newline and tab, and the bidi overrides that can disguise text.
_STRIP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
# Zero-width and other format characters that make a name look empty.
_INVISIBLE = {"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"}


def clean_line(value, field, max_length, required=True, label=None):
    """One line of text: NFC-normalised, controls removed, whitespace trimmed, length checked."""
    text = unicodedata.normalize("NFC", value or "")
    text = _STRIP.sub("", text).replace("\n", " ").replace("\r", " ").replace("\t", " ").strip()
    if required and (not text or all(unicodedata.category(ch) in _INVISIBLE for ch in text)):
        raise ActionError(_l("This field is required."), field=field)
    if len(text) > max_length:
        raise ActionError(_l("Use at most %(max)d characters.", max=max_length), field=field)
    return text


def clean_text(value, field, max_length, required=False):
    """Multi-line text: as clean_line, but newlines kept (normalised to \\n)."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _STRIP.sub("", text).strip()
    if required and not text:
        raise ActionError(_l("This field is required."), field=field)
    if len(text) > max_length:
        raise ActionError(_l("Use at most %(max)d characters (now %(count)d).", max=max_length,
                             count=len(text)), field=field)
    return text


def clean_email(value, field="email"):
    raw = (value or "").strip()
    if not raw:
        raise ActionError(_l("Enter your e-mail address."), field=field)
    if len(raw) > 254:
        raise ActionError(_l("This e-mail address is too long."), field=field)
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise ActionError(_l("Enter a valid e-mail address, like name@example.nl."), field=field)
    return result.normalized.lower()


def check_password(password, field="password"):
    low = current_app.config["PASSWORD_MIN_LENGTH"]
    high = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password or "") < low:
        raise ActionError(_l("Use at least %(min)d characters for your password.", min=low), field=field)
    if len(password) > high:
        raise ActionError(_l("Use at most %(max)d characters for your password.", max=high), field=field)
    return password


def check_choice(value, choices, field):
    if value not in choices:
        raise ActionError(_l("Choose one of the options."), field=field)
    return value
