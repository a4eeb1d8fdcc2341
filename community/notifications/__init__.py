from community.blueprints import SignedInBlueprint

bp = SignedInBlueprint("notifications", __name__)  # every page needs a signed-in user

from community.notifications import views  # noqa: E402,F401
