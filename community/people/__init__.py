from community.blueprints import SignedInBlueprint

bp = SignedInBlueprint("people", __name__)  # every page needs a signed-in user

from community.people import views  # noqa: E402,F401
