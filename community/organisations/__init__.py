from community.blueprints import SignedInBlueprint

bp = SignedInBlueprint("organisations", __name__, url_prefix="/organisations")  # every page needs a signed-in user

from community.organisations import views  # noqa: E402,F401
