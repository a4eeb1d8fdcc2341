"""Wires the security plumbing into the app: login sessions, API tokens, CSRF, headers, limits."""
from flask import g, request
from flask_babel import lazy_gettext as _l

from community import security
from community.extensions import csrf, limiter, login_manager


def init_app(app):
    csrf.init_app(app)
    # Counters must be shared by all app processes: Redis when there is one.
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)

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
    from community.queries import user_for_session_key

    if request.path.startswith("/api/") and security.is_bearer_request():
        return None
    user = user_for_session_key(key)
    if user is not None:
        user.session_key = key
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


def current_session_key():
    from flask_login import current_user

    return getattr(current_user, "session_key", None)


def client_user_agent():
    return (request.headers.get("User-Agent") or "")[:200]
