"""The search's rate limit: per signed-in user, shared by the page and the API."""
from flask import current_app
from flask_login import current_user

from community.extensions import limiter


def _user_key():
    return f"search:{getattr(current_user, 'id', None)}"


search_limit = limiter.shared_limit(lambda: current_app.config["SEARCH_LIMIT_PER_USER"], scope="search",
                                    key_func=_user_key)
