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


def from_matching(stmt, query):
    """``stmt`` limited to the matching entries, and the relevance to order by. The match is a
    MATERIALIZED CTE: the GIN index finds the entries first, then the permission filters and
    joins look at those only (left to itself the planner may start from a community's index)."""
    tsquery = sa.func.to_tsquery(sa.literal_column(f"'{CONFIG}'::regconfig"), expression(query))
    matches = (sa.select(SearchEntry.id.label("entry_id"), sa.func.ts_rank_cd(document, tsquery).label("rank"))
               .where(document.op("@@")(tsquery)).cte("matches").prefix_with("MATERIALIZED"))
    return stmt.join(matches, matches.c.entry_id == SearchEntry.id), matches.c.rank, BEST_FIRST


_INSERT = sa.text(
    "INSERT INTO search_entries (kind, community_id, discussion_id, reply_id, case_id, trajectory_id, "
    "reply_number, author_id, organisation_id, created_at, title, body, document) VALUES (:kind, :community_id, "
    ":discussion_id, :reply_id, :case_id, :trajectory_id, :reply_number, :author_id, :organisation_id, "
    ":created_at, :title, :body, "
    f"setweight(to_tsvector('{CONFIG}', :title_terms), 'A') || setweight(to_tsvector('{CONFIG}', :body_terms), 'B'))"
).bindparams(sa.bindparam("created_at", type_=SearchEntry.__table__.c.created_at.type))


def store(session, rows):
    if rows:
        session.execute(_INSERT, rows)


def clear(session):
    session.execute(sa.delete(SearchEntry))


def optimize(session):
    pass
