"""search statistics: PostgreSQL keeps ten times more statistics on the search words

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 21:20:00

With the default statistics target ANALYZE keeps some 180 of the commonest words of
search_entries.document, and a search for a word in a third of all posts (or the prefix of the
word being typed) was estimated at a tenth of its matches: the planner then chose to read and
join every match before taking the newest 1,000 (community.search.query.CANDIDATES). With 1,000
it keeps about 1,400 words and the estimates are right (bench/search.py, README "Search").
SQLite needs nothing (FTS5 reads its index newest first itself).
"""
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_entries ALTER COLUMN document SET STATISTICS 1000")
        op.execute("ANALYZE search_entries")


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_entries ALTER COLUMN document SET STATISTICS -1")
