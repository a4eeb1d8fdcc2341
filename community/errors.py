"""Error answers: friendly HTML pages in the user's language, JSON bodies under /api."""
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from community.actions import ActionError, NotAllowed
from community.extensions import db, login_manager
from community.security import redispatch_after_csrf_error, same_site_referrer, typed_values

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in first."),
    403: _l("You do not have access to this page."),
    404: _l("We could not find this page."),
    405: _l("This action is not possible here."),
    409: _l("This conflicts with the current state."),
    410: _l("This is no longer available: it has expired."),
    413: _l("What you sent is too large."),
    422: _l("Some of the input is not valid."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Your input was not saved; please try again."),
}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large", 422: "invalid",
         429: "rate_limited", 500: "server_error"}


def wants_json():
    return request.path.startswith("/api/")


def json_error(status, message, code=None, field=None, details=None):
    body = {"code": code or CODES.get(status, "error"), "message": str(message)}
    if field:
        body["field"] = field
    if details:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    return response


def error_page(status, message=None):
    return render_template("errors/error.html", status=status,
                           message=message or MESSAGES.get(status, MESSAGES[500])), status


def handle_http_exception(error):
    status = error.code or 500
    if error.response is not None and not wants_json():
        return error.response  # a page the raiser built itself (e.g. the login form at 429)
    if wants_json():
        message = MESSAGES.get(status, error.description)
        details = None
        data = getattr(error, "data", None)  # flask-smorest / webargs validation messages
        if isinstance(data, dict) and data.get("messages"):
            details = data["messages"]
            message = MESSAGES[422]
        response = json_error(status, message, details=details)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    return error_page(status)


def handle_csrf_error(error):
    if wants_json():
        return json_error(400, _l("The CSRF token is missing or invalid. Reload the page and try again."),
                          code="csrf_failed")
    again = redispatch_after_csrf_error(error)
    if again is not None:
        return again
    # A form that cannot re-show itself: show back what was typed, so it can be copied. No
    # "send again" button: that would let a forged post through with one click.
    return render_template("errors/csrf.html", status=400, kept=typed_values(), back=same_site_referrer(),
                           message=_l("Your session expired or the form was too old. Go back, reload the "
                                      "page and try again.")), 400


def handle_action_error(error):
    """An action refused (forms handle their own errors). The user may not do this at all
    (NotAllowed): the 403 page with the action's reason, so views need not check first. Any
    other refusal of a button press: say why, go back."""
    if wants_json():
        return json_error(error.status, error.message, code=error.code, field=error.field)
    if request.method == "POST" and error.status != 404 and not isinstance(error, NotAllowed):
        return flash_back(error)
    return error_page(error.status, error.message)


def flash_back(error):
    """Say why on the page the button was on."""
    flash(str(error.message), "error")
    return redirect(same_site_referrer() or url_for("main.dashboard"))


def handle_unexpected(error):
    _roll_back_quietly()
    if database_unavailable(error):
        return unavailable_answer(error)
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    if current_app.config.get("TESTING") and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
        raise error
    if wants_json():
        return json_error(500, MESSAGES[500])
    return error_page(500)


# --- the database out of reach, and answers after a commit -----------------------------------------

def _driver_errors():
    try:
        import psycopg
    except ImportError:  # an installation that only uses SQLite
        return ()
    return (psycopg.OperationalError,)


# The database cannot be reached (stopped, restarting, the connection broke) or every pooled
# connection stayed busy ("QueuePool limit ... reached"): "try again shortly", not a bug.
UNAVAILABLE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError,
                      sa.exc.TimeoutError) + _driver_errors()
UNAVAILABLE_MESSAGE = _l("Leerkring cannot reach its database right now. Please try again in a minute.")
UNAVAILABLE_NOT_SAVED = _l("Leerkring cannot reach its database right now, so what you sent was not saved. "
                           "Please try again in a minute.")


def database_unavailable(error):
    """Whether ``error``, or an error it arose from, says the database is out of reach."""
    for _depth in range(5):
        if error is None:
            return False
        if isinstance(error, UNAVAILABLE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
    return False


def _roll_back_quietly():
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone: there is nothing left to undo
        current_app.logger.warning("Rollback failed on %s %s", request.method, request.path, exc_info=True)


def _summary(error):
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:300] if lines else ''}"


def unavailable_answer(error):
    """503 while the database is out of reach, built without asking it anything: the API gets
    the JSON error; a page gets the branded error page with the header of an anonymous visitor
    (loading the signed-in user is a query), in the language of the session or the browser
    (i18n.select_locale), and a form's text shown back so it can be copied."""
    g.database_unavailable = True
    # Flask-Login's template context would load the signed-in user; the request goes on as
    # anonymous instead (the session cookie is left as it is).
    login_manager._update_request_context_with_user()
    current_app.logger.error("Database unavailable on %s %s: %s", request.method, request.path, _summary(error))
    writing = request.method not in ("GET", "HEAD", "OPTIONS")
    if wants_json():
        response = json_error(503, UNAVAILABLE_NOT_SAVED if writing else UNAVAILABLE_MESSAGE, code="unavailable")
    else:
        page = render_template("errors/unavailable.html", status=503, service_unavailable=True,
                               message=UNAVAILABLE_NOT_SAVED if writing else UNAVAILABLE_MESSAGE,
                               kept=typed_values() if writing else [],
                               back=same_site_referrer() if writing else None)
        response = current_app.make_response((page, 503))
    response.headers["Retry-After"] = str(current_app.config.get("UNAVAILABLE_RETRY_AFTER", 30))
    return response


@contextmanager
def kept_after_commit():
    """Run a writing action so that the objects it returns (and the ones it used, the signed-in
    user among them) keep their values after its commit. By default the session expires them
    on commit, so building the answer from them reads them again, and that read can fail
    after the write succeeded: the answer would then say "not saved" about a saved post and
    invite a duplicate. Only around the last write of a request, whose answer shows what that
    write left behind (the request ends right after, so nothing goes on with stale values)."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


def saved_id(obj):
    """The primary key of a committed row, without loading it (its identity in the session)."""
    return sa.inspect(obj).identity[0]


def answer_saved(build, fallback):
    """The answer to a write that has committed: ``build()``. Should building it fail (the
    database gone between the commit and a read), ``fallback()``, which must not ask the
    database anything: the write is saved, and the answer has to say so."""
    try:
        return build()
    except Exception as error:  # noqa: BLE001 - anything but success here invites a duplicate
        _roll_back_quietly()
        if not database_unavailable(error) and current_app.config.get("TESTING") \
                and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise  # a bug, not an outage: tests must see it
        current_app.logger.exception("Saved, but the answer could not be built on %s %s",
                                     request.method, request.path)
        return fallback()


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ActionError, handle_action_error)
    app.register_error_handler(InternalServerError, lambda e: handle_unexpected(e.original_exception or e))
    app.register_error_handler(Exception, handle_unexpected)
