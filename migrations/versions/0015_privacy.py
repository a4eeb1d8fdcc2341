"""privacy: data exports, deleted (anonymised) accounts, their notification kind and audit action

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:30:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

NOTIFICATION_KINDS = "'reply', 'mention', 'new_discussion', 'trajectory', 'join_request', " \
                     "'membership_approved', 'milestone_signed_off'"
AUDIT_ACTIONS = "'hide', 'restore', 'edit', 'dismiss', 'pin', 'unpin', 'lock', 'unlock', 'move', 'mute', 'ban', " \
                "'lift', 'disable_account', 'enable_account'"


def _replace_check(table, name, expression):
    # SQLite rebuilds the table (batch mode), PostgreSQL alters it; both end with the new rule.
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(name, sa.text(expression))


def upgrade():
    op.create_table(
        'data_exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('file_name', sa.String(length=80), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ready_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'ready', 'failed')", name=op.f('ck_data_exports_status')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_data_exports_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_exports')),
    )
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_exports_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
    _replace_check('notifications', 'kind', f"kind IN ({NOTIFICATION_KINDS}, 'export_ready')")
    _replace_check('audit_log', 'action', f"action IN ({AUDIT_ACTIONS}, 'delete_account')")


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'export_ready'")
    op.execute("DELETE FROM audit_log WHERE action = 'delete_account'")
    _replace_check('audit_log', 'action', f"action IN ({AUDIT_ACTIONS})")
    _replace_check('notifications', 'kind', f"kind IN ({NOTIFICATION_KINDS})")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_exports_user_id'))
    op.drop_table('data_exports')
