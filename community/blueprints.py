"""The page blueprints' common base (the API has its own, community.api.Blueprint)."""
import functools

from flask import Blueprint
from flask_login import login_required


class SignedInBlueprint(Blueprint):
    """A blueprint whose every page needs a signed-in user: each view is registered wrapped in
    flask-login's login_required, exactly as if every view carried @login_required (so also when
    security.redispatch_after_csrf_error runs it again), and no page can forget it. A blueprint with pages
    for anonymous visitors (auth, main, the invitation link, the scan's answer pages) stays a plain
    Blueprint whose other views carry @login_required one by one; a page opened from a mail's
    signed link is marked ``public=True``."""

    def add_url_rule(self, rule, endpoint=None, view_func=None, public=False, **options):
        """``public=True`` (``@bp.route(..., public=True)``): the one page of the blueprint that a
        link in a mail opens without signing in (it proves itself with a signed token)."""
        if view_func is not None and not public:
            view_func = _login_required_once(view_func)
        super().add_url_rule(rule, endpoint, view_func, **options)


# One wrapper a view, also for a view with two routes (Flask refuses two functions for one endpoint).
_login_required_once = functools.cache(login_required)
