"""SQLite: an FTS5 table (``search_fts``, unicode61 with diacritics removed) whose rows hold the
stemmed terms of each entry's title and body (rowid = the entry's id). Ranked by bm25 with the
title weighing three times the body."""
import sqlalchemy as sa

from community.models import SearchEntry
from community.search.schema import FTS_TABLE

fts = sa.table(FTS_TABLE, sa.column("rowid"), sa.column("title"), sa.column("body"))
TITLE_WEIGHT, BODY_WEIGHT = 3.0, 1.0
BEST_FIRST = "low"


def _quoted(term):
    # Terms are runs of \w (community.search.text), which never hold a double quote; a quoted
    # FTS5 string is a plain term (or a phrase) whatever it contains.
    return '"' + term.replace('"', "") + '"'


def expression(query):
    """The FTS5 query for a parsed Query: every term and phrase must match (explicit AND: FTS5
    has no implicit AND before a parenthesis)."""
    parts = [_quoted(term) for term in query.terms]
    parts += [_quoted(" ".join(phrase)) for phrase in query.phrases]
    if query.prefix_stem:
        parts.append(f"({_quoted(query.prefix_stem)} OR {_quoted(query.prefix)}*)")
    return " AND ".join(parts)


def from_matching(stmt, query):
    """``stmt`` (selecting from search_entries) limited to the matching entries, the relevance
    column and which end of it is best (bm25: the lowest). bm25() is computed in a subquery: FTS5
    refuses it in a query with a window function (the page's count(*) OVER ())."""
    matches = (sa.select(fts.c.rowid.label("entry_id"),
                         sa.func.bm25(sa.literal_column(FTS_TABLE), TITLE_WEIGHT, BODY_WEIGHT).label("rank"))
               .where(sa.text(f"{FTS_TABLE} MATCH :search_expression")
                      .bindparams(search_expression=expression(query)))
               .subquery("matches"))
    return stmt.join(matches, matches.c.entry_id == SearchEntry.id), matches.c.rank, BEST_FIRST


def store(session, rows):
    """Insert entries (dicts of SearchEntry columns plus 'title_terms' and 'body_terms')."""
    if not rows:
        return
    columns = [{k: v for k, v in row.items() if not k.endswith("_terms")} for row in rows]
    ids = session.execute(sa.insert(SearchEntry).returning(SearchEntry.id, sort_by_parameter_order=True),
                          columns).scalars().all()
    session.execute(sa.insert(fts), [{"rowid": entry_id, "title": row["title_terms"], "body": row["body_terms"]}
                                     for entry_id, row in zip(ids, rows)])


def clear(session):
    session.execute(sa.delete(SearchEntry))  # the trigger empties search_fts row by row
    session.execute(sa.text(f"DELETE FROM {FTS_TABLE}"))


def optimize(session):
    session.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
