from flask import Blueprint

bp = Blueprint("cases", __name__)

from community.cases import views  # noqa: E402,F401
