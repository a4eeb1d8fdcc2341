from flask import Blueprint, abort
from flask_login import current_user, login_required

from community import permissions

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    # The admin area's existence is not secret, but its pages are: 404 for everyone else.
    if not permissions.is_admin(current_user):
        abort(404)


from community.admin import views  # noqa: E402,F401
from community.admin import jobs  # noqa: E402,F401
from community.admin import mail  # noqa: E402,F401
