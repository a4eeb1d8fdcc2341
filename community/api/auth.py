"""Authentication for API handlers."""
from functools import wraps

from flask import abort
from flask_login import current_user


def token_required(view):
    """401 with a JSON body unless the caller is signed in (Bearer token or session)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        return view(*args, **kwargs)
    return wrapper
