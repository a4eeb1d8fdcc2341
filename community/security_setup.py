"""Wires the security plumbing into the app: login sessions, API tokens, CSRF, headers, limits."""
from flask import g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l

from community import security
from community.extensions import csrf, limiter, login_manager


def init_app(app):
    csrf.init_app(app)
    # Counters must be shared by all app processes: Redis when there is one.
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "redis+unix://")):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = _redis_limiter_options(app)
    limiter.init_app(app)
    _log_limiter_messages(app)

    app.session_interface = FragmentQuietSessions()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session row does this job
    login_manager.unauthorized_handler(ask_to_log_in)
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_bearer)

    app.before_request(security.refuse_nul_characters)
    app.before_request(security.check_csrf)
    app.after_request(security.set_security_headers)


class FragmentQuietSessions(SecureCookieSessionInterface):
    """A page's live refresh (``?fragment=``: a reply or a review-queue list fetched after a live
    event) answers without re-sending the session cookie unless it changed it. Such a fetch can
    start just as the same browser posts a form, carrying the cookie from before; re-sent after
    the post's redirect, it would overwrite the cookie that holds the post's flash message."""

    def should_set_cookie(self, app, session):
        if request.args.get("fragment") and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def ask_to_log_in():
    """Send anonymous visitors to the login page, and back afterwards. After a form post (an
    expired session) 'back' is the page the form was on: the post's own URL may take no GET."""
    from flask import abort, flash, redirect, url_for

    if request.path.startswith("/api/"):
        abort(401)
    flash(login_manager.login_message, "info")
    if request.method == "GET":
        target = request.full_path.rstrip("?")
    else:
        target = security.same_site_referrer()
    return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))


def load_user_from_session(key):
    """Flask-Login stores our login-session key as the 'user id'; the row must still exist.
    An API call that carries a Bearer token is authenticated by that token alone (so the CSRF
    exemption for Bearer calls can never ride on a browser's session cookie)."""
    from community.queries.accounts import user_for_session_key

    if request.path.startswith("/api/") and security.is_bearer_request():
        return None
    user = user_for_session_key(key)
    if user is not None:
        user.session_key = key
        if session.get("lang") != user.language:
            # The session carries the account's language, so the page shown while the database
            # is out of reach can still speak it (i18n.select_locale).
            session["lang"] = user.language
    return user


def load_user_from_bearer(req):
    """API calls may authenticate with 'Authorization: Bearer <token>' (only under /api/)."""
    if not req.path.startswith("/api/") or not security.is_bearer_request():
        return None
    from community.actions.tokens import use_token

    token = req.headers["Authorization"][len("Bearer "):].strip()
    user = use_token(token)
    if user is not None:
        g.api_token_auth = True
    return user


def _redis_limiter_options(app):
    """Redis for the rate limiter answers fast or counts as down, and the limiter then counts in
    memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, config.py). A killed Redis refuses at once; a
    hanging one (stopped process, lost network) held each request 5 s with redis-py's defaults,
    2 s with these (measured). One immediate retry: the first command on a pooled connection
    to a restarted Redis fails, and the limiter's health check would otherwise wait for its
    next turn (up to half a minute) before it went back to Redis."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    timeout = app.config.get("RATELIMIT_REDIS_TIMEOUT", 1.0)
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout, "retry": Retry(NoBackoff(), 1)}
    options.update(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    return options


def _log_limiter_messages(app):
    """Flask-Limiter says when it falls back to memory and when Redis is back, on its own
    logger, which has only a NullHandler: without a logging set-up those lines would be lost.
    Without one, they go where the app's own log goes."""
    import logging

    from flask.logging import default_handler

    logger = logging.getLogger("flask-limiter")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)  # "Rate limit storage recovered" is an INFO line
    if not logging.getLogger().handlers and default_handler not in logger.handlers:
        logger.addHandler(default_handler)


def current_session_key():
    from flask_login import current_user

    return getattr(current_user, "session_key", None)


def client_user_agent():
    return (request.headers.get("User-Agent") or "")[:200]
