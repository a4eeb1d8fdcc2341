"""The "known browser" cookie: a browser where someone logged in before is not held back by the
per-account login limit, so a stranger who hammers an account cannot lock its owner out.

The cookie holds, signed and dated, a short list of account marks. A mark is a keyed hash of the
account id and its password hash: it names no account to whoever reads the cookie, cannot be
made without the app's secret key, and stops counting when the password changes. The cookie is
only sent to the login page.
"""
import hashlib
import hmac

from flask import current_app, g, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from community.queries.accounts import user_by_email

COOKIE_NAME = "leerkring_known_browser"
MAX_ACCOUNTS = 5  # a shared computer: a few people, not a list someone could fill up


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-browser")


def _max_age():
    return current_app.config["KNOWN_BROWSER_DAYS"] * 24 * 3600


def _mark(user):
    message = f"{user.id}:{user.password_hash}".encode("utf-8")
    return hmac.new(current_app.secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()[:32]


def _marks():
    """The marks of this request's cookie; none when it is missing, forged or too old."""
    value = request.cookies.get(COOKIE_NAME)
    if not value or len(value) > 1000:
        return []
    try:
        marks = _serializer().loads(value, max_age=_max_age())
    except BadSignature:  # also SignatureExpired
        return []
    return [m for m in marks if isinstance(m, str)] if isinstance(marks, list) else []


def knows_account(email):
    """Whether this browser logged in to the account with this address before. A browser
    without a valid cookie costs no database look-up, so the answer time says nothing about
    whether the address has an account."""
    if "known_browser" not in g:
        marks = _marks()
        user = user_by_email(email) if marks and email and len(email) <= 254 else None
        g.known_browser = user is not None and user.password_hash is not None and _mark(user) in marks
    return g.known_browser


def remember(response, user):
    """After a successful login: this browser knows the account (most recent first)."""
    marks = [_mark(user)] + [m for m in _marks() if m != _mark(user)]
    response.set_cookie(COOKIE_NAME, _serializer().dumps(marks[:MAX_ACCOUNTS]), max_age=_max_age(),
                        path=url_for("auth.login"), httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
