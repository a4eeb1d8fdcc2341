"""The search: matching entries the reader may see, filtered, ordered and one page of them, with
the total counted under the same conditions (pagination.offset_page: one statement).

Permissions are part of the SQL, from the same filters the lists use (community.permissions):
a discussion or reply only in a community the reader may read and is not banned from, not
hidden (unless theirs or they moderate there), a case's discussion only with its readable case;
a reply not removed; a case published or the reader's own draft; a trajectory only where
visible_trajectories_filter allows (confidential ones for insiders only).

The statements are built once per process for each shape of a search (_statements): the filters
are given a stand-in reader (_Reader) whose id is a bind parameter, as are the query, the facets'
values, the time and the page; a search fills those in.
"""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from community import permissions
from community.actions.cases import TAG_RE
from community.models import (
    Case, CaseTag, Community, Discussion, OrganisationMembership, Reply, Sanction, SearchEntry, Trajectory, User,
    utcnow,
)
from community.extensions import db
from community.pagination import Page
from community.permissions.core import _signed_in, is_admin
from community.search import text
from community.search.index import engine

KINDS = ("discussion", "reply", "case", "trajectory", "people")
# Searching people (kind "people") is built apart (community.queries.people.search_people).
PEOPLE_KIND = "people"
SORTS = ("relevance", "date")
PERIODS = {"week": 7, "month": 31, "year": 366}
PER_PAGE = 20
# At most this many matches are ranked and counted per search, the newest first, out of at most
# NEAR matches read in places the reader may read (the others among them are hidden or removed
# items, others' drafts, confidential trajectories: a few). A word found in a third of all posts
# costs the same as a rare one. Above it the page says "more than".
CANDIDATES = 1000
NEAR = CANDIDATES + CANDIDATES // 4


@dataclass
class SearchFilters:
    q: str = ""
    kind: str = ""
    community_id: int | None = None
    author_id: int | None = None
    organisation_id: int | None = None
    period: str = ""
    tag: str = ""
    sort: str = "relevance"
    page: int = 1


@dataclass
class Hit:
    kind: str
    title: str  # the item's title; a reply's is its discussion's
    snippet: object  # Markup
    community_name: str
    community_slug: str
    discussion_id: int | None
    reply_id: int | None
    reply_number: int | None
    case_id: int | None
    trajectory_id: int | None
    author_id: int | None
    author_name: str
    created_at: object


class _Reader:
    """The reader as the statements are built once for (see _statements): whether they are signed
    in and an admin shape the permission filters; their id is the bind parameter "reader_id" (the
    filters put ``user.id`` only into the SQL), filled in for each search."""

    is_authenticated = active = True
    id = sa.bindparam("reader_id", type_=sa.Integer)

    def __init__(self, admin):
        self.is_admin = admin


NOW = sa.bindparam("now", type_=Sanction.__table__.c.ends_at.type)


def _places(user, entry):
    """SQL on the entry's own columns: (in a community the user may read, in one they are
    banned from, at the bind parameter "now")."""
    readable = entry.community_id.in_(
        sa.select(Community.id).where(permissions.readable_communities_filter(user)))
    banned = entry.community_id.in_(sa.select(Sanction.community_id).where(
        Sanction.user_id == user.id, Sanction.kind == "ban", Sanction.lifted_at.is_(None),
        sa.or_(Sanction.ends_at.is_(None), Sanction.ends_at > NOW)))
    return readable, banned


def readable_places(user):
    """SQL on the entry's own columns, no join: a discussion, reply or case in a community the
    user may read and is not banned from, or any trajectory (whose rights are its own). The
    entries readable_entries allows are among these. ``user``: a _Reader; "now" a bind parameter."""
    if not _signed_in(user):
        return sa.false()
    readable, banned = _places(user, SearchEntry)
    return sa.or_(SearchEntry.kind == "trajectory", sa.and_(readable, ~banned))


def readable_entries(user, entry=SearchEntry):
    """SQL: the entries whose item the user may read (the statement must outer-join Discussion,
    Reply, Case and Trajectory as _statement() does). ``entry``: SearchEntry, or the columns of a
    selection of its rows (kind, community_id). ``user``: a _Reader; "now" a bind parameter."""
    if not _signed_in(user):
        return sa.false()
    readable, banned = _places(user, entry)
    discussion_ok = sa.and_(
        readable, permissions.visible_content_filter(user, Discussion),
        sa.or_(Discussion.case_id.is_(None),
               Discussion.case_id.in_(sa.select(Case.id).where(permissions.readable_cases_filter(user)))))
    reply_ok = sa.and_(Reply.deleted_at.is_(None), sa.or_(
        Reply.hidden_at.is_(None), Reply.author_id == user.id,
        permissions.coordinated_communities_filter(user, entry.community_id)))
    return sa.or_(
        sa.and_(entry.kind == "discussion", ~banned, discussion_ok),
        sa.and_(entry.kind == "reply", ~banned, discussion_ok, reply_ok),
        sa.and_(entry.kind == "case", ~banned, permissions.readable_cases_filter(user)),
        sa.and_(entry.kind == "trajectory", permissions.visible_trajectories_filter(user)),
    )


def _tag(filters):
    """The tag filter's tag, or None when there is none; False for text no tag can be (only the
    shape a tag can have reaches the database: no NUL, which PostgreSQL refuses)."""
    if not filters.tag:
        return None
    tag = " ".join(filters.tag.split()).lower()
    return tag if TAG_RE.match(tag) else False


def _facet_values(filters):
    """(the names of the facets in use, their values): the shape and the bind parameters of
    _facets' conditions."""
    values = {}
    if filters.kind:
        values["kind"] = filters.kind
    if filters.community_id is not None:
        values["community_id"] = filters.community_id
    if filters.author_id is not None:
        values["author_id"] = filters.author_id
    if filters.organisation_id is not None:
        values["organisation_id"] = filters.organisation_id
    if filters.period in PERIODS:
        values["since"] = utcnow() - timedelta(days=PERIODS[filters.period])
    names = tuple(values)
    tag = _tag(filters)
    if tag:
        values["tag"] = tag
        names += ("tag",)
    elif tag is False:
        names += ("bad_tag",)
    return names, values


def _facets(facets):
    """SQL for the facets in use (the names _facet_values gives), each value a bind parameter of
    that name (a tag that cannot be one, "bad_tag": false, no parameter)."""
    conditions = []
    if "kind" in facets:
        conditions.append(SearchEntry.kind == sa.bindparam("kind"))
    if "community_id" in facets:
        conditions.append(SearchEntry.community_id == sa.bindparam("community_id"))
    if "author_id" in facets:
        conditions.append(SearchEntry.author_id == sa.bindparam("author_id"))
    if "organisation_id" in facets:
        # A case's or trajectory's own organisation; for posts, their author's (active) one.
        organisation_id = sa.bindparam("organisation_id")
        members = sa.select(OrganisationMembership.user_id).where(
            OrganisationMembership.organisation_id == organisation_id,
            OrganisationMembership.state == "active")
        conditions.append(sa.or_(SearchEntry.organisation_id == organisation_id,
                                 sa.and_(SearchEntry.organisation_id.is_(None), SearchEntry.author_id.in_(members))))
    if "since" in facets:
        conditions.append(SearchEntry.created_at >= sa.bindparam("since"))
    if "tag" in facets:
        conditions.append(sa.and_(SearchEntry.kind == "case", sa.exists().where(
            CaseTag.case_id == SearchEntry.case_id, CaseTag.tag == sa.bindparam("tag"))))
    elif "bad_tag" in facets:
        conditions.append(sa.false())
    return conditions


def _near(user, facets, search_engine):
    """The newest NEAR matching entries in places the user may read, with the facets: all on the
    entry's own columns, so the engine reads its index newest first and stops (a word found in a
    third of all posts reads about NEAR entries, a rare word only its own)."""
    stmt = sa.select(*(getattr(SearchEntry, name) for name in NEAR_COLUMNS)).select_from(SearchEntry)
    stmt, rank, newest = search_engine.from_matching(stmt)
    if rank is not None:
        stmt = stmt.add_columns(rank.label("rank"))
    return stmt.where(readable_places(user), *_facets(facets)).order_by(newest.desc()).limit(NEAR)


# What the item rules need of an entry, carried out of _near (joining the entries again would
# let the planner read them all).
NEAR_COLUMNS = ("id", "created_at", "kind", "community_id", "discussion_id", "reply_id", "case_id", "trajectory_id")


def statement(user, query, filters):
    """The candidates' statement (see _statement) with this search's values bound."""
    search_engine = engine()
    shape, values = _shape(user, filters, PER_PAGE, search_engine)
    return _statements(shape)[0].params(_values(user, query, filters, PER_PAGE, search_engine, values))


def _statement(reader, facets, search_engine):
    """(statement, near): the newest CANDIDATES matching entries the reader may read (ids, dates and, where the
    engine ranks while matching, the relevance "rank"), newest first: of the near ones (_near, a
    materialised CTE), those that pass the item's own rules (hidden, removed, a case's status, a
    trajectory's confidentiality), read through the joins those rules need."""
    near = _near(reader, facets, search_engine).cte("near").prefix_with("MATERIALIZED")
    chosen = [near.c.id, near.c.created_at] + ([near.c.rank] if "rank" in near.c else [])
    stmt = (sa.select(*chosen).select_from(near)
            .outerjoin(Discussion, Discussion.id == near.c.discussion_id)
            .outerjoin(Reply, Reply.id == near.c.reply_id)
            .outerjoin(Case, Case.id == near.c.case_id)
            .outerjoin(Trajectory, Trajectory.id == near.c.trajectory_id)
            .where(readable_entries(reader, near.c)))
    return stmt.order_by(near.c.id.desc()).limit(CANDIDATES), near


def _order(sort, entry_id, created_at, rank, best_first):
    newest = (created_at.desc(), entry_id.desc())
    if sort == "date":
        return newest
    return (rank.desc() if best_first == "high" else rank.asc(), *newest)


# The statements of a search, built once per process for each shape (_shape: the engine, whether
# the reader is signed in and an admin, the facets in use, the order, the page size, CANDIDATES
# and NEAR); everything else (the reader's id, the query, the facets' values, the time, the page)
# is a bind parameter (_values). They hold no data, so they need no invalidation; SQLAlchemy's
# compiled cache then finds them at once (a statement object works out its cache key once). The
# shapes are few: 96 sets of facets, 3 kinds of reader, 2 orders (some 600 at most per engine).
_BUILT = {}


def _shape(user, filters, per_page, engine_module):
    names, values = _facet_values(filters)
    signed_in = _signed_in(user)
    shape = (engine_module, signed_in, signed_in and is_admin(user), names,
             "date" if filters.sort == "date" else "relevance", per_page, CANDIDATES, NEAR)
    return shape, values


def _values(user, query, filters, per_page, engine_module, facet_values):
    values = {"search_expression": engine_module.expression(query), "now": utcnow(),
              "skip": (filters.page - 1) * per_page, **facet_values}
    if _signed_in(user):
        values["reader_id"] = user.id
    return values


def _statements(shape):
    built = _BUILT.get(shape)
    if built is None:
        built = _BUILT[shape] = _build(shape)
    return built


def _build(shape):
    """(the candidates' statement, one page of hits, the count for a page past the end) for a shape."""
    search_engine, signed_in, admin, facets, sort, per_page, _candidates, _near = shape
    reader = _Reader(admin) if signed_in else None
    ordered, near = _statement(reader, facets, search_engine)
    candidates = ordered.cte("candidates").prefix_with("MATERIALIZED")
    near_count = sa.select(sa.func.count()).select_from(near).scalar_subquery()
    ranked = sa.select(candidates.c.id, candidates.c.created_at).select_from(candidates)
    rank = search_engine.rank_later(candidates)
    if rank is None:
        rank = candidates.c.rank
    else:
        ranked = ranked.join(SearchEntry, SearchEntry.id == candidates.c.id)
    chosen = (ranked.add_columns(rank.label("rank"), sa.func.count().over().label("total"),
                                 near_count.label("near"))
              .order_by(*_order(sort, candidates.c.id, candidates.c.created_at, rank, search_engine.BEST_FIRST))
              .limit(per_page).offset(sa.bindparam("skip", type_=sa.Integer)).subquery("chosen"))
    found = SearchEntry.__table__.alias("found")
    page = (sa.select(chosen.c.total, chosen.c.near, found.c.kind, found.c.title, found.c.body, Community.name,
                      Community.slug, found.c.discussion_id, Discussion.title.label("discussion_title"),
                      found.c.reply_id, found.c.reply_number, found.c.case_id, found.c.trajectory_id,
                      found.c.author_id, User.display_name, found.c.created_at)
            .select_from(chosen).join(found, found.c.id == chosen.c.id)
            .join(Community, Community.id == found.c.community_id)
            .outerjoin(Discussion, Discussion.id == found.c.discussion_id)
            .outerjoin(User, User.id == found.c.author_id)
            .order_by(*_order(sort, chosen.c.id, chosen.c.created_at, chosen.c.rank, search_engine.BEST_FIRST)))
    past_end = sa.select(sa.select(sa.func.count()).select_from(candidates).scalar_subquery(), near_count)
    return ordered, page, past_end


def search(user, filters, per_page=PER_PAGE):
    """One page of hits (Page of Hit) for ``filters``; raises text.QueryRefused for a query we do
    not run. Kind "people" is searched apart (community.queries.people).

    One statement: the candidates (_statement(), a materialised CTE), ranked and counted
    (count(*) OVER ()) in a subquery that takes one page of them, and what a hit shows joined to
    that page only (a page past the end counts apart). When CANDIDATES entries were found (or
    NEAR were read) there may be more: the page says "more than" (Page.more) and ranks among the
    newest. The statements are built once per shape (_statements)."""
    query = text.parse(filters.q)
    if query.empty or filters.kind == PEOPLE_KIND:
        return Page(rows=[], number=filters.page, per_page=per_page, total=0), query
    search_engine = engine()
    shape, facet_values = _shape(user, filters, per_page, search_engine)
    _candidates, page, past_end = _statements(shape)
    values = _values(user, query, filters, per_page, search_engine, facet_values)
    rows = db.session.execute(page, values).all()
    if rows:
        total, near_total = rows[0].total, rows[0].near
    else:
        total, near_total = db.session.execute(past_end, values).one()
    mark = text.Marker(query)
    return Page(rows=[_hit(row, mark) for row in rows], number=filters.page, per_page=per_page,
                total=total, more=total >= CANDIDATES or near_total >= NEAR), query


def _hit(row, mark):
    return Hit(kind=row.kind, title=row.title or row.discussion_title or "",
               snippet=mark.snippet(row.body or row.title), community_name=row.name,
               community_slug=row.slug, discussion_id=row.discussion_id, reply_id=row.reply_id,
               reply_number=row.reply_number, case_id=row.case_id, trajectory_id=row.trajectory_id,
               author_id=row.author_id, author_name=row.display_name or "", created_at=row.created_at)
