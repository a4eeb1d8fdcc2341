"""Links that carry their own proof: a payload signed with SECRET_KEY and a time, for one
purpose each (a password reset, an address check), so one kind can never stand in for another.
Whoever holds the link may use it until it expires; single use is the caller's part (put
something in the payload that the use changes, e.g. a fingerprint of the password hash)."""
import hashlib

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"leerkring-{purpose}")


def make(purpose, payload):
    return _serializer(purpose).dumps(payload)


def read(purpose, token, max_age):
    """The payload of a link made for ``purpose`` no more than ``max_age`` seconds ago. Raises
    LinkExpired (made by us, too long ago) or LinkInvalid (anything else)."""
    if not isinstance(token, str) or len(token) > 1000:
        raise LinkInvalid()
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired()
    except (BadData, ValueError, TypeError):
        raise LinkInvalid()


def fingerprint(*values):
    """A short fingerprint of values a link must still match when it is used."""
    return hashlib.sha256("\x00".join(str(v) for v in values).encode("utf-8")).hexdigest()[:24]
