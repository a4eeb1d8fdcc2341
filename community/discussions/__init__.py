from community.blueprints import SignedInBlueprint

bp = SignedInBlueprint("discussions", __name__)  # every page needs a signed-in user

from community.discussions import views  # noqa: E402,F401
