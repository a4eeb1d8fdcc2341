"""Error answers: friendly HTML pages in the user's language, JSON bodies under /api."""
from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from community.actions import ActionError
from community.extensions import db
from community.security import redispatch_after_csrf_error, same_site_referrer

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in first."),
    403: _l("You do not have access to this page."),
    404: _l("We could not find this page."),
    405: _l("This action is not possible here."),
    409: _l("This conflicts with the current state."),
    413: _l("What you sent is too large."),
    422: _l("Some of the input is not valid."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Your input was not saved; please try again."),
}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
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
    return error_page(400, _l("Your session expired or the form was too old. Go back, reload the page "
                              "and try again."))


def handle_action_error(error):
    """An action refused a button press (forms handle their own errors): say why, go back."""
    if wants_json():
        return json_error(error.status, error.message, code=error.code, field=error.field)
    if request.method == "POST" and error.status != 404:
        flash(str(error.message), "error")
        return redirect(same_site_referrer() or url_for("main.dashboard"))
    return error_page(error.status, error.message)



def handle_unexpected(error):
    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    if current_app.config.get("TESTING") and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
        raise error
    if wants_json():
        return json_error(500, MESSAGES[500])
    return error_page(500)


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ActionError, handle_action_error)
    app.register_error_handler(InternalServerError, lambda e: handle_unexpected(e.original_exception or e))
    app.register_error_handler(Exception, handle_unexpected)
