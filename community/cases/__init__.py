from community.blueprints import SignedInBlueprint

bp = SignedInBlueprint("cases", __name__)  # every page needs a signed-in user

from community.cases import views  # noqa: E402,F401
