"""milestone mail: milestone sign-offs are a mail kind of their own; a dedupe key on a mail, so
a job run again after it queued one does not queue a second

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

KINDS = "'mentions_replies', 'join_requests', 'activity'"


def _kinds(batch_op, kinds):
    batch_op.drop_constraint(batch_op.f('ck_mail_preferences_kind'), type_='check')
    batch_op.create_check_constraint(batch_op.f('ck_mail_preferences_kind'), sa.text(f"kind IN ({kinds})"))


def upgrade():
    with op.batch_alter_table('mail_preferences', schema=None) as batch_op:
        _kinds(batch_op, KINDS + ", 'milestones'")
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_mails_dedupe_key'), ['dedupe_key'])


def downgrade():
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_mails_dedupe_key'), type_='unique')
        batch_op.drop_column('dedupe_key')
    op.execute("DELETE FROM mail_preferences WHERE kind = 'milestones'")
    with op.batch_alter_table('mail_preferences', schema=None) as batch_op:
        _kinds(batch_op, KINDS)
