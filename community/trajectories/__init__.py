from flask import Blueprint

bp = Blueprint("trajectories", __name__)

from community.trajectories import links, lists, views  # noqa: E402,F401
