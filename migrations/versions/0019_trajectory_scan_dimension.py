"""trajectory scan dimension: the learning-culture scan dimension a trajectory works on (the
research area's scan -> trajectory -> re-scan loop)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trajectories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scan_dimension', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('trajectories', schema=None) as batch_op:
        batch_op.drop_column('scan_dimension')
