"""GET /api/v1/search: the search of the page /zoeken, as JSON."""
import sqlalchemy as sa
from flask_login import current_user
from marshmallow import Schema, fields, validate

from community import permissions
from community.actions import ActionError
from community.api import Blueprint
from community.api.community_schemas import PageSchema, page_field
from community.extensions import db
from community.models import Community
from community.search import query as search_query
from community.search.limits import search_limit
from community.search.messages import refusal
from community.search.text import MAX_QUERY_LENGTH, QueryRefused
from community.urls import search_hit_url

blp = Blueprint("api_search", __name__, url_prefix="/search",
                description="Full-text search over what you may read")


class SearchArgs(Schema):
    q = fields.Str(required=True, validate=validate.Length(max=MAX_QUERY_LENGTH), metadata={
        "description": 'Words to find (stemmed, accents ignored; the last also as a prefix); "a phrase" between '
                       "double quotes. Search syntax (* ^ : ( ) AND OR NOT NEAR) is refused with 400."})
    kind = fields.Str(load_default="", validate=validate.OneOf(("",) + search_query.KINDS), metadata={
        "description": "discussion, reply, case or trajectory (people: use GET /api/v1/people; here always empty)"})
    community = fields.Str(load_default="", validate=validate.Regexp(r"^[a-z0-9-]{0,60}$"),
                           metadata={"description": "A community's slug"})
    author = fields.Int(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1),
                        metadata={"description": "An author's user id"})
    organisation = fields.Int(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1), metadata={
        "description": "An organisation's id: its cases and trajectories, and posts by its members"})
    period = fields.Str(load_default="", validate=validate.OneOf(("",) + tuple(search_query.PERIODS)),
                        metadata={"description": "week, month or year: written since then"})
    tag = fields.Str(load_default="", validate=validate.Length(max=40),
                     metadata={"description": "Practice cases with this tag"})
    sort = fields.Str(load_default="relevance", validate=validate.OneOf(search_query.SORTS))
    page = page_field()


class SearchHitSchema(Schema):
    kind = fields.Str()
    title = fields.Str(metadata={"description": "The item's title; for a reply, its discussion's"})
    snippet_html = fields.Method("_snippet", metadata={
        "description": "Plain text around the match, HTML-escaped, matched words in <mark>"})
    url = fields.Method("_url")
    community = fields.Method("_community")
    discussion_id = fields.Int(allow_none=True)
    reply_id = fields.Int(allow_none=True)
    reply_number = fields.Int(allow_none=True)
    case_id = fields.Int(allow_none=True)
    trajectory_id = fields.Int(allow_none=True)
    author = fields.Method("_author")
    created_at = fields.DateTime()

    def _snippet(self, hit):
        return str(hit.snippet)

    def _url(self, hit):
        return search_hit_url(hit)

    def _community(self, hit):
        return {"slug": hit.community_slug, "name": hit.community_name}

    def _author(self, hit):
        return {"id": hit.author_id, "display_name": hit.author_name} if hit.author_id else None


SearchPageSchema = PageSchema.from_dict({
    "items": fields.List(fields.Nested(SearchHitSchema)),
    "more": fields.Bool(metadata={"description": "true when more than `total` items match: a search reads, ranks "
                                                 "and counts at most the newest 1,000 matches you may read"}),
}, name="SearchPageSchema")


@blp.route("")
@search_limit
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchPageSchema, errors={400: "The query is refused (the message says why)",
                                             429: "Too many searches; wait a moment"})
def search(args):
    """Discussions, replies, practice cases and trajectories you may read that match ``q``, best
    first (or newest first with sort=date), 20 a page. The total counts only what you may read."""
    community_id = None
    if args["community"]:
        community_id = db.session.scalar(sa.select(Community.id).where(
            Community.slug == args["community"], permissions.readable_communities_filter(current_user))) or -1
    filters = search_query.SearchFilters(
        q=args["q"], kind=args["kind"], community_id=community_id, author_id=args["author"],
        organisation_id=args["organisation"], period=args["period"], tag=args["tag"].strip(), sort=args["sort"],
        page=args["page"])
    try:
        page, _query = search_query.search(current_user, filters)
    except QueryRefused as error:
        raise ActionError(refusal(error.code), field="q", status=400, code="query_refused")
    return {"items": page.rows, "page": page.number, "pages": page.pages, "total": page.total, "more": page.more}
