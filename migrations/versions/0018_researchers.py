"""researchers: an admin grants members of a school or partner organisation the research area

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


OLD_ACTIONS = ('hide', 'restore', 'edit', 'dismiss', 'pin', 'unpin', 'lock', 'unlock', 'move', 'mute', 'ban', 'lift',
               'disable_account', 'enable_account', 'delete_account')
NEW_ACTIONS = OLD_ACTIONS + ('grant_research', 'revoke_research')


def _actions(actions):
    return "action IN (" + ", ".join(f"'{action}'" for action in actions) + ")"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_researcher', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _actions(NEW_ACTIONS))


def downgrade():
    op.execute("DELETE FROM audit_log WHERE action IN ('grant_research', 'revoke_research')")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _actions(OLD_ACTIONS))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_researcher')
