"""PostgreSQL: the tsvector column ``search_entries.document`` with a GIN index, built with the
'dutch' text search configuration (its stemmer and stop words) from the entry's terms as
community.search.text prepares them (accents folded and Snowball-stemmed in Python, as on
SQLite: both engines then match the same words; 'dutch' stems those stems again, at indexing
and querying alike). Title weighted A, body B; ranked by ts_rank_cd.

Why accents are folded in Python rather than by the unaccent extension (which Debian's
postgresql-contrib has): the folding is then the same as on SQLite, and the migration needs no
CREATE EXTENSION rights."""
import sqlalchemy as sa

from community.models import SearchEntry
from community.search.schema import DOCUMENT_COLUMN

CONFIG = "dutch"
BEST_FIRST = "high"  # ts_rank_cd: the highest
document = sa.literal_column(f"search_entries.{DOCUMENT_COLUMN}")
EXPRESSION = sa.bindparam("search_expression", type_=sa.String)


def _quoted(term):
    # A quoted tsquery operand; terms are runs of \w, which hold no quote or backslash.
    return "'" + term.replace("'", "").replace("\\", "") + "'"


def expression(query):
    """The to_tsquery text for a parsed Query: terms and phrases joined by & (AND)."""
    parts = [_quoted(term) for term in query.terms]
    parts += ["(" + " <-> ".join(_quoted(word) for word in phrase) + ")" for phrase in query.phrases]
    if query.prefix_stem:
        parts.append(f"({_quoted(query.prefix_stem)} | {_quoted(query.prefix)}:*)")
    return " & ".join(parts)


def _tsquery():
    # The query's text is a bind parameter (EXPRESSION, the value expression() gives): the
    # statement is the same for every query (community.search.query builds it once).
    return sa.func.to_tsquery(sa.literal_column(f"'{CONFIG}'::regconfig"), EXPRESSION)


def from_matching(stmt):
    """``stmt`` limited to the entries matching EXPRESSION; returns it, no relevance (see
    rank_later) and the column that orders entries newest first (the id). The planner finds rare
    words through the GIN index and, for a word in a third of all posts, walks the primary key
    from the newest end until the LIMIT of query.search is reached."""
    return stmt.where(document.op("@@")(_tsquery())), None, SearchEntry.id


def rank_later(candidates):
    """ts_rank_cd over the (at most CANDIDATES) chosen entries only: computed in the matching
    statement it would run for every match before the LIMIT."""
    return sa.func.ts_rank_cd(document, _tsquery())


_INSERT = (
    "INSERT INTO search_entries ({id}kind, community_id, discussion_id, reply_id, case_id, trajectory_id, "
    "reply_number, author_id, organisation_id, created_at, title, body, document) VALUES ({id_value}:kind, :community_id, "
    ":discussion_id, :reply_id, :case_id, :trajectory_id, :reply_number, :author_id, :organisation_id, "
    ":created_at, :title, :body, "
    f"setweight(to_tsvector('{CONFIG}', :title_terms), 'A') || setweight(to_tsvector('{CONFIG}', :body_terms), 'B'))")


def _insert(with_id):
    return sa.text(_INSERT.format(id="id, " if with_id else "", id_value=":id, " if with_id else "")).bindparams(
        sa.bindparam("created_at", type_=SearchEntry.__table__.c.created_at.type))


_INSERT_NEW, _INSERT_NUMBERED = _insert(False), _insert(True)


def store(session, rows):
    """Insert entries; rows with an "id" (a rebuild numbers them in date order) keep it."""
    if rows:
        session.execute(_INSERT_NUMBERED if "id" in rows[0] else _INSERT_NEW, rows)


def clear(session):
    session.execute(sa.delete(SearchEntry))


def optimize(session):
    """After a rebuild that numbered the entries itself: new entries continue after the last; and
    the planner's word statistics are made afresh (migration 0021: it estimates how many entries
    a word matches from them, and picks its way accordingly)."""
    session.execute(sa.text("SELECT setval(pg_get_serial_sequence('search_entries', 'id'), "
                            "COALESCE((SELECT max(id) FROM search_entries), 0) + 1, false)"))
    session.execute(sa.text("ANALYZE search_entries"))
