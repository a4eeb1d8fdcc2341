"""The search page /zoeken (the search box in every page's header sends here)."""
import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from community import permissions
from community.blueprints import SignedInBlueprint
from community.extensions import db
from community.models import Community, Organisation, User
from community.pagination import page_number
from community.queries.people import search_people
from community.permissions.core import valid_row_id
from community.search import query as search_query
from community.search.limits import search_limit
from community.search.messages import refusal
from community.search.text import QueryRefused

bp = SignedInBlueprint("search", __name__)
PEOPLE_MAX = 30


def _id(value):
    if value and value.isascii() and value.isdigit() and len(value) <= 10 and valid_row_id(int(value)):
        return int(value)
    return None


def _choice(value, choices):
    return value if value in choices else ""


@bp.route("/zoeken")
@search_limit
def index():
    args = request.args
    communities = db.session.execute(
        sa.select(Community.id, Community.slug, Community.name)
        .where(permissions.readable_communities_filter(current_user)).order_by(Community.name)).all()
    organisations = db.session.execute(sa.select(Organisation.id, Organisation.name)
                                       .where(Organisation.status == "active").order_by(Organisation.name)).all()
    slug = args.get("community") or ""
    community_id = next((row.id for row in communities if row.slug == slug), None)
    author_id = _id(args.get("author"))
    author = db.session.get(User, author_id) if author_id else None
    filters = search_query.SearchFilters(
        q=args.get("q") or "", kind=_choice(args.get("kind"), search_query.KINDS),
        community_id=community_id if community_id is not None else (-1 if slug else None),
        author_id=author_id, organisation_id=_id(args.get("organisation")),
        period=_choice(args.get("period"), search_query.PERIODS), tag=(args.get("tag") or "").strip()[:40],
        sort=_choice(args.get("sort"), search_query.SORTS) or "relevance", page=page_number())
    page, refused, status, people = None, None, 200, []
    if filters.q.strip() and filters.kind == search_query.PEOPLE_KIND:
        # People: the same search as the @mention suggestions (names and handles, never addresses).
        people = search_people(current_user, filters.q, limit=PEOPLE_MAX)
    elif filters.q.strip():
        try:
            page, _query = search_query.search(current_user, filters)
        except QueryRefused as error:
            refused, status = refusal(error.code), 400
    return render_template("search/index.html", filters=filters, page=page, refused=refused, slug=slug,
                           communities=communities, organisations=organisations, author=author,
                           kinds=search_query.KINDS, periods=search_query.PERIODS, people=people), status
