"""indexes for what every post reads: the anti-abuse counts by author and time, replies by number

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00

"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = (
    ('replies', 'ix_replies_author_created', ['author_id', 'created_at']),
    ('replies', 'ix_replies_discussion_number', ['discussion_id', 'number']),
    ('discussions', 'ix_discussions_author_created', ['author_id', 'created_at']),
    ('cases', 'ix_cases_author_created', ['author_id', 'created_at']),
)


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
