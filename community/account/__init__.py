from community.blueprints import SignedInBlueprint

bp = SignedInBlueprint("account", __name__, url_prefix="/account")  # every page needs a signed-in user

from community.account import views  # noqa: E402,F401
from community.account import email  # noqa: E402,F401
from community.account import mail  # noqa: E402,F401
from community.account import privacy  # noqa: E402,F401
