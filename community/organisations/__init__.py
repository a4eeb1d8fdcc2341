from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

from community.organisations import views  # noqa: E402,F401
