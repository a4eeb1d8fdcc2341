"""Writes stay flat in the data: no statement that posting runs (the request and the fan-out job,
which runs right after the commit in tests) reads a content table from end to end.

Every statement of a post is recorded with its parameters and asked for its plan on the database
under test: SQLite's `EXPLAIN QUERY PLAN` must not say `SCAN <table>` without an index, and
PostgreSQL's `EXPLAIN`, with sequential scans priced out (`enable_seqscan = off`, so a tiny test
table does not make a scan the cheaper choice), must not say `Seq Scan on <table>`.
"""
import re

import pytest
from sqlalchemy import event

from community.extensions import db

TABLES = ("replies", "discussions", "cases", "notifications", "events", "follow_levels", "event_streams",
          "community_memberships", "read_marks")


class StatementRecorder:
    """Every single (not executemany) statement with its parameters while the with-block runs."""

    def __init__(self):
        self.seen = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
            self.seen.append((statement, parameters))

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._record)


def full_scans(statements):
    """[(table, statement)] for every statement whose plan reads one of TABLES without an index."""
    found = []
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        postgres = db.engine.dialect.name == "postgresql"
        if postgres:
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in statements:
            if postgres:
                cursor.execute("EXPLAIN " + statement, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                tables = re.findall(r"Seq Scan on (\w+)", plan)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
                tables = re.findall(r"\bSCAN (\w+)(?! USING)", plan)
            found += [(table, f"{statement}\n  -> {plan}") for table in tables if table in TABLES]
    finally:
        connection.rollback()
        connection.close()
    return found


@pytest.fixture
def busy(factories):
    """A community with a discussion, replies by several people, followers and a case."""
    community = factories.community(slug="druk")
    author = factories.community_member(community).user
    people = [factories.community_member(community).user for _ in range(4)]
    from community.actions import discussions, notifications

    discussion = discussions.start_discussion(author, community, "Lasrobot", "Wie heeft ervaring?")
    for n, person in enumerate(people * 3):
        discussions.post_reply(person, discussion, f"Ervaring nummer {n}")
    for person in people:
        notifications.set_follow_level(person, "discussion", discussion, "following")
    return {"community": community, "author": author, "discussion": discussion}


def test_posting_reads_no_table_from_end_to_end(busy, api, make_client, app, monkeypatch):
    monkeypatch.setitem(app.config, "DUPLICATE_POST_MINUTES", 5)  # the same-text check runs too
    author, discussion = busy["author"], busy["discussion"]
    as_author = api(author)
    browser = make_client()
    browser.login(author)
    page = f"/d/{discussion.id}"
    with StatementRecorder() as recorder:
        assert as_author.post(f"/api/v1/discussions/{discussion.id}/replies",
                              json={"body": "Via de API"}).status_code == 201
        assert browser.submit(f"/d/{discussion.id}/reply", {"body": "Via het formulier"},
                              page=page).status_code == 302
        assert as_author.post("/api/v1/communities/druk/discussions",
                              json={"title": "Nieuw", "body": "Een nieuwe vraag"}).status_code == 201
        assert as_author.post("/api/v1/communities/druk/cases", json={
            "title": "Casus", "context": "Context", "question": "Vraag"}).status_code == 201
    assert len(recorder.seen) > 20
    scans = full_scans(recorder.seen)
    assert not scans, "\n\n".join(text for _, text in scans)
