"""Security plumbing: password hashing, login-session keys, safe redirects, headers, CSRF.

Authorisation (who may do what) is not here; it lives only in community/permissions/.
"""
import hashlib
import re
import secrets
import unicodedata
from urllib.parse import unquote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from community.extensions import csrf

_hashers = {}
_dummy_hashes = {}


def _hash_fast():
    return bool(current_app.config.get("PASSWORD_HASH_FAST", False))


def _hasher():
    fast = _hash_fast()
    if fast not in _hashers:
        # argon2id; the fast variant is only for the test suite.
        _hashers[fast] = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    return _hashers[fast]


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def dummy_verify(password):
    """Verify against a stand-in hash when the account does not exist: exactly the one argon2
    verify a real login costs, so the answer time does not tell whether an address has an
    account. The stand-in is made once per process (hashing on every call doubled the time)."""
    fast = _hash_fast()
    if fast not in _dummy_hashes:
        _dummy_hashes[fast] = hash_password(new_secret())
    verify_password(_dummy_hashes[fast], password)


def new_secret(nbytes=32):
    return secrets.token_urlsafe(nbytes)


def digest(secret):
    """Hash of a high-entropy secret (session key, API token): sha256 is enough for those."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def safe_next(target, fallback="/"):
    """Return target if it is a path on this site, else fallback.

    Refuses absolute URLs, scheme-relative ones (//host, /\\host), anything with control
    characters or whitespace (browsers drop tabs and newlines, turning /\\t/host into //host).
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return fallback
    # Check the text as given and once percent-decoded (/%09/host must not become //host).
    for candidate in (target, unquote(target)):
        if any(unicodedata.category(ch).startswith(("C", "Z")) for ch in candidate):
            return fallback
        normalised = candidate.replace("\\", "/")
        if not normalised.startswith("/") or normalised.startswith("//"):
            return fallback
        parts = urlsplit(normalised)
        if parts.scheme or parts.netloc:
            return fallback
    return target


CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def same_site_referrer():
    """The referring page's path on this site, or None."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + ("?" + referrer.query if referrer.query else ""), None)


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith("/api/") or response.mimetype == "text/html":
        # Personal pages must not be kept by shared caches or the back-forward cache of a
        # browser someone else may use after logout.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def one_time_link_page(response, status=None):
    """A page that holds (or was opened with) a one-time link: never cached, never passed on as
    a referrer. ``response``: a response, or page HTML with ``status``."""
    if status is not None:
        response = current_app.make_response((response, status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def is_bearer_request():
    return request.headers.get("Authorization", "").startswith("Bearer ")


def check_csrf():
    """CSRF on every state-changing request, except API calls authenticated by a Bearer token
    (no browser adds that header by itself, so it cannot be forged cross-site) and API calls
    without any credentials: every API write needs a signed-in caller, so those get a 401 that
    tells the client to authenticate, and there is no session for a forger to ride on."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if request.path.startswith("/api/") and (is_bearer_request() or not _signed_in()):
        return
    from community.account.mail import is_one_click_unsubscribe

    if is_one_click_unsubscribe():  # a mail program's POST; the signed link is the proof
        return
    csrf.protect()


def _signed_in():
    from flask_login import current_user

    return current_user.is_authenticated


def refuse_nul_characters():
    """A NUL character in a query or form value is never meaningful here, and PostgreSQL cannot
    even compare text with one: refuse such requests up front (400) instead of deep inside a
    query."""
    sources = [request.args] + ([request.form] if request.method in ("POST", "PUT", "PATCH") else [])
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                abort(400)


def keeps_input(view):
    """Mark a form view that re-shows its form (with what was typed) when CSRF fails,
    instead of answering with a bare error page. The form then shows a 'try again' message."""
    view.keeps_input_on_csrf_error = True
    return view


def redispatch_after_csrf_error(error: CSRFError):
    """For views marked @keeps_input, run the view again with g.csrf_failed set: its form
    refuses to validate and re-renders with the user's text and a fresh token.

    Returns None when the view cannot show its form (no @keeps_input, or it refuses with 403,
    404 or an ActionError): the caller then answers with the generic page. An exception must
    not escape from here: raised inside an error handler it would become a 500."""
    from community.actions import ActionError
    from community.extensions import db

    view = current_app.view_functions.get(request.endpoint)
    if view is None or not getattr(view, "keeps_input_on_csrf_error", False):
        return None
    g.csrf_failed = True
    try:
        response = current_app.make_response(current_app.ensure_sync(view)(**(request.view_args or {})))
    except (HTTPException, ActionError):
        db.session.rollback()
        return None
    if response.status_code < 300:
        response.status_code = 400  # a refused token is never a success, whatever the view said
    return response


# Not shown back: tokens (a prefixed form's too), where to go next, and passwords; nor ids and
# choice codes (hidden fields, selects, buttons), which were not typed and mean nothing alone.
_CODE_VALUE = re.compile(r"[a-z0-9_-]{0,32}")


def typed_values():
    """What the user typed into a form whose token was refused, so it is not lost."""
    return [value for name, value in request.form.items(multi=True)
            if not name.endswith("csrf_token") and name != "next" and "password" not in name.lower()
            and value.strip() and not _CODE_VALUE.fullmatch(value)]
