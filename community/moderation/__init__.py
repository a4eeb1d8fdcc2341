from flask import Blueprint

bp = Blueprint("moderation", __name__)

from community.moderation import views  # noqa: E402,F401
