from flask import Blueprint

bp = Blueprint("communities", __name__)

from community.communities import mail_invitation, manage, views  # noqa: E402,F401
