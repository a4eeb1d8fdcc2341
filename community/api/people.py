"""People search for the composer's @mention autocomplete: GET /api/v1/people?q=san&place=discussion:12.

With a place, only the people who may read it are offered (a mention elsewhere would reach
nobody); the place must be one the caller may read, else 404 as for the place itself.
Rate-limited per user: the composer asks while one types."""
from flask import current_app, request
from flask_login import current_user

from community import permissions
from community.api import Blueprint
from community.api.schemas import PeopleSearchArgs, PeopleSearchSchema
from community.extensions import limiter
from community.queries.people import search_people

blp = Blueprint("api_people", __name__, url_prefix="/people", description="People search (@mention autocomplete)")


def _limit_key():
    """Per account; a caller without one is refused (401) anyway, counted by address meanwhile."""
    who = current_user.id if current_user.is_authenticated else request.remote_addr
    return f"people-search:{who}"


@blp.route("")
@blp.arguments(PeopleSearchArgs, location="query")
@blp.response(200, PeopleSearchSchema, errors={
    404: "No such place, or one you cannot read",
    422: "No q, q longer than 100 characters, or a place not of the form kind:id",
    429: "Too many searches; wait a moment"})
@limiter.limit(lambda: current_app.config["PEOPLE_SEARCH_LIMIT"], key_func=_limit_key)
def search(args):
    """People whose name (a word of it) or @handle starts with q, accents and case aside; with a
    place, only those who may read it. Active accounts only; at most `limit`."""
    place = None
    if args.get("place"):
        kind, place_id = args["place"]
        place = permissions.access_place_or_404(kind, place_id, current_user)
    return {"items": search_people(current_user, args["q"], place=place, limit=args["limit"])}
