from flask_login import current_user
from flask_smorest import Blueprint

from community.api.auth import token_required
from community.api.schemas import MeSchema

blp = Blueprint("api_me", __name__, url_prefix="/me", description="The signed-in user")


@blp.route("")
@blp.response(200, MeSchema)
@blp.alt_response(401, schema="Error", description="Not authenticated")
@token_required
def me():
    """Who am I: the account behind the token, with its organisations."""
    return current_user
