from community.blueprints import SignedInBlueprint

bp = SignedInBlueprint("research", __name__, url_prefix="/research")  # researchers and admins

from community.research import views  # noqa: E402,F401
