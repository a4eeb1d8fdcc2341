"""unread notifications: a partial index on notifications(user_id, id) WHERE read_at IS NULL

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 00:20:00

Every page counts its reader's unread notifications (the badge), and the notification job counts
them for every recipient of a reply. With only (user_id, id) indexed, that count read every one
of the user's notifications, read or not, from the table; fifty people posting for two minutes
gave each follower some 1,400 of them, and the job's count became a quarter of the server's CPU
(bench/write_load.py). This index holds the unread ones only, so the count reads nothing else;
community.queries.notifications also stops counting at 100 (the badge then shows "99+").
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_notifications_unread", "notifications", ["user_id", "id"],
                    sqlite_where=sa.text("read_at IS NULL"), postgresql_where=sa.text("read_at IS NULL"))


def downgrade():
    op.drop_index("ix_notifications_unread", table_name="notifications")
