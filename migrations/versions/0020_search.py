"""search: the search index (search_entries) with the engine's own part on each database

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 16:30:00

SQLite: an FTS5 table with a delete trigger; PostgreSQL: a tsvector column with a GIN index
(community.search.schema). Run `flask search rebuild` to fill it from existing content.
"""
from alembic import op
import sqlalchemy as sa

from community.search import schema


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=True),
        sa.Column('reply_id', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('trajectory_id', sa.Integer(), nullable=True),
        sa.Column('reply_number', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('discussion', 'reply', 'case', 'trajectory')", name=op.f('ck_search_entries_kind')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_search_entries_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_search_entries_case_id_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_search_entries_community_id_communities'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'],
                                name=op.f('fk_search_entries_discussion_id_discussions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_search_entries_organisation_id_organisations'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['reply_id'], ['replies.id'], name=op.f('fk_search_entries_reply_id_replies'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['trajectory_id'], ['trajectories.id'],
                                name=op.f('fk_search_entries_trajectory_id_trajectories'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
        sa.UniqueConstraint('case_id', name=op.f('uq_search_entries_case_id')),
        sa.UniqueConstraint('reply_id', name=op.f('uq_search_entries_reply_id')),
        sa.UniqueConstraint('trajectory_id', name=op.f('uq_search_entries_trajectory_id')),
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_discussion_id'), ['discussion_id'], unique=False)
    for statement in schema.create_statements(op.get_context().dialect.name):
        op.execute(statement)


def downgrade():
    # The dialect from the context, not get_bind(): the downgrade guard reads this script without a
    # database (migrations/env.py).
    for statement in schema.drop_statements(op.get_context().dialect.name):
        op.execute(statement)
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_discussion_id'))
        batch_op.drop_index(batch_op.f('ix_search_entries_community_id'))
    op.drop_table('search_entries')
