from community.blueprints import SignedInBlueprint

bp = SignedInBlueprint("moderation", __name__)  # every page needs a signed-in user

from community.moderation import views  # noqa: E402,F401
