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


def from_matching(stmt):
    """``stmt`` (selecting from search_entries) joined to the entries matching the bind parameter
    "search_expression" (the value expression() gives; the statement is the same for every
    query: community.search.query builds it once); returns it, the
    relevance column (bm25: the lowest is best) and the column that orders entries newest first
    (the FTS5 rowid, which FTS5 reads in that order itself, so a LIMIT stops the scan early).
    bm25() is only allowed in the statement that reads search_fts, and never beside a window
    function: query.search keeps this statement apart (a materialised CTE)."""
    stmt = (stmt.join(fts, fts.c.rowid == SearchEntry.id)
            .where(sa.text(f"{FTS_TABLE} MATCH :search_expression")))
    rank = sa.func.bm25(sa.literal_column(FTS_TABLE), TITLE_WEIGHT, BODY_WEIGHT)
    return stmt, rank, fts.c.rowid


def rank_later(candidates):
    """SQLite ranks in the candidates' own statement (above): nothing to add afterwards."""
    return None


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
