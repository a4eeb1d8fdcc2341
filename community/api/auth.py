"""Authentication for the API: every endpoint of an API blueprint needs a signed-in caller."""
from flask import abort, request
from flask_login import current_user


def require_login():
    """Run before every request to an API blueprint (community.api.Blueprint): 401 with a JSON
    body unless the caller is signed in (Bearer token or session). Flask's automatic OPTIONS
    answers never reach a handler, so they need no login."""
    if request.method != "OPTIONS" and not current_user.is_authenticated:
        abort(401)
