"""privacy consent: the privacy statement a user accepted (version, when); a scan round's
research consent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('privacy_accepted_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('scan_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('research_consent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('scan_rounds', schema=None) as batch_op:
        batch_op.drop_column('research_consent')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('privacy_accepted_at')
        batch_op.drop_column('privacy_version')
