from flask import Blueprint

bp = Blueprint("people", __name__)

from community.people import views  # noqa: E402,F401
