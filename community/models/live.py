"""Live updates and notifications: the event log, notifications and per-item follow levels.

The event log is the source of truth for live updates: every event an action sends is also a
row here, numbered per stream (``seq`` 1, 2, 3, ... without gaps), so a browser that missed
something (a sleeping laptop, a restarted server, a Redis blip) fetches it by number.
"""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.extensions import db
from community.models.base import Row, UTCDateTime, in_values, utcnow

STREAM_KINDS = ("community", "discussion", "case", "trajectory", "user")
FOLLOW_TARGETS = ("community", "discussion", "trajectory")
FOLLOW_LEVELS = ("following", "normal", "muted")
NOTIFICATION_KINDS = ("reply", "mention", "new_discussion", "trajectory", "join_request",
                      "membership_approved", "milestone_signed_off", "export_ready")


class EventStream(db.Model):
    """The last number given out in a stream ("discussion:12"). Bumped in one UPDATE, which
    holds the row lock until the action commits, so numbers follow commit order per stream."""

    __tablename__ = "event_streams"

    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    last_seq: so.Mapped[int] = so.mapped_column(default=0)


class Event(Row):
    __tablename__ = "events"
    __table_args__ = (sa.UniqueConstraint("stream", "seq"),)

    stream: so.Mapped[str] = so.mapped_column(sa.String(40))
    seq: so.Mapped[int] = so.mapped_column()
    type: so.Mapped[str] = so.mapped_column(sa.String(30))
    op: so.Mapped[str] = so.mapped_column(sa.String(20))
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    # What the event shows ("reply:12"), so hiding it can blank the content of logged events.
    subject: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40), index=True)

    def as_message(self):
        """What a browser receives, live or in catch-up: the same shape both ways."""
        return dict(self.data, stream=self.stream, seq=self.seq, type=self.type, op=self.op,
                    at=self.created_at.isoformat())


class Notification(Row):
    """Something a user should know about. ``data`` holds what the text needs (titles as they
    were); the link is built from ``object_type``/``object_id``. Shown only while the user may
    still see the thing (checked again when listed)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", NOTIFICATION_KINDS), name="kind"),
        sa.Index("ix_notifications_user_id_id", "user_id", "id"),
        sa.Index("ix_notifications_source", "source"),
        # The unread ones only: the badge's count reads this index alone (read ones never slow it).
        sa.Index("ix_notifications_unread", "user_id", "id", sqlite_where=sa.text("read_at IS NULL"),
                 postgresql_where=sa.text("read_at IS NULL")),
    )

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(30))
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    community_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"))
    object_type: so.Mapped[str] = so.mapped_column(sa.String(20))
    object_id: so.Mapped[int] = so.mapped_column()
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    read_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # The queueing of the job that made it: a retried job skips whom it already notified.
    source: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))

    actor: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[actor_id])  # noqa: F821


class FollowLevel(Row):
    """A user's explicit choice for a community, discussion or trajectory. No row means the
    default ("normal", or "following" for discussions you started or replied to: those get a row
    when you do). Following a trajectory keeps using TrajectoryFollow; only "muted" lives here."""

    __tablename__ = "follow_levels"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "target", "target_id"),
        sa.CheckConstraint(in_values("target", FOLLOW_TARGETS), name="target"),
        sa.CheckConstraint(in_values("level", FOLLOW_LEVELS), name="level"),
        sa.Index("ix_follow_levels_target_target_id", "target", "target_id"),
    )

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    target: so.Mapped[str] = so.mapped_column(sa.String(12))
    target_id: so.Mapped[int] = so.mapped_column()
    level: so.Mapped[str] = so.mapped_column(sa.String(10))
