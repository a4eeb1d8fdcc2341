"""mail: every message sent, kept as the outbox (no mail server) or the queue and record (SMTP);
members' mail choices per kind

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('transport', sa.String(length=10), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=4000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name=op.f('ck_mails_status')),
    sa.CheckConstraint("transport IN ('', 'smtp', 'outbox')", name=op.f('ck_mails_transport')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mails_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mails'))
    )
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.create_index('ix_mails_status_created_at', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mails_user_id'), ['user_id'], unique=False)
    op.create_table('mail_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('batch_due_at', sa.DateTime(), nullable=True),
    sa.Column('last_mailed_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("choice IN ('instant', 'daily', 'weekly', 'never')", name=op.f('ck_mail_preferences_choice')),
    sa.CheckConstraint("kind IN ('mentions_replies', 'join_requests', 'activity')", name=op.f('ck_mail_preferences_kind')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_preferences'))
    )



def downgrade():
    op.drop_table('mail_preferences')
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mails_user_id'))
        batch_op.drop_index('ix_mails_status_created_at')
    op.drop_table('mails')
