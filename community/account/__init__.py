from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from community.account import views  # noqa: E402,F401
from community.account import email  # noqa: E402,F401
from community.account import mail  # noqa: E402,F401
