"""avatars and composer uploads: a user's profile photo; an attachment can belong to a case, a
discussion or a trajectory, or (just uploaded from a composer) to none of them yet

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar_name', sa.String(length=80), nullable=True))
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('discussion_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('trajectory_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachments_discussion_id'), ['discussion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_trajectory_id'), ['trajectory_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attachments_discussion_id_discussions'), 'discussions',
                                    ['discussion_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_attachments_trajectory_id_trajectories'), 'trajectories',
                                    ['trajectory_id'], ['id'], ondelete='CASCADE')


def downgrade():
    # Uploads that belong to no case cannot stay once case_id is required again.
    op.execute("DELETE FROM attachments WHERE case_id IS NULL")
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachments_trajectory_id_trajectories'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_attachments_discussion_id_discussions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachments_trajectory_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_discussion_id'))
        batch_op.drop_column('trajectory_id')
        batch_op.drop_column('discussion_id')
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('avatar_name')
