from flask_login import current_user

from community.api import Blueprint
from community.api.schemas import MeSchema

blp = Blueprint("api_me", __name__, url_prefix="/me", description="The signed-in user")


@blp.route("")
@blp.response(200, MeSchema)
def me():
    """Who am I: the account behind the token, with its organisations."""
    return current_user
