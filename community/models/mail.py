"""Mail: every message Leerkring sends, kept as sent (community.mail).

With no mail server configured (the embedded default) this table is the outbox an admin reads;
with SMTP it is the queue and a short record of what went out and what failed."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.extensions import db
from community.models.base import UTCDateTime, in_values, utcnow

MAIL_STATUSES = ("queued", "sent", "failed")
MAIL_TRANSPORTS = ("", "smtp", "outbox")


class Mail(db.Model):
    __tablename__ = "mails"
    __table_args__ = (
        sa.CheckConstraint(in_values("status", MAIL_STATUSES), name="status"),
        sa.CheckConstraint(in_values("transport", MAIL_TRANSPORTS), name="transport"),
        sa.Index("ix_mails_status_created_at", "status", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    # The member it was for (None for an address without an account, or once they left).
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                         index=True)
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    language: so.Mapped[str] = so.mapped_column(sa.String(5))
    message_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    # The whole message as it goes out (RFC 5322, ASCII: both parts quoted-printable).
    message: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="queued")
    transport: so.Mapped[str] = so.mapped_column(sa.String(10), default="")
    tries: so.Mapped[int] = so.mapped_column(default=0)
    error: so.Mapped[str] = so.mapped_column(sa.String(4000), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Set by a job that may run again (retried after it queued this mail): unique, so that run
    # finds this mail instead of queueing a second one.
    dedupe_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(100), unique=True)
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)


# What a member can get by mail, and how often: mentions and replies, and join requests for
# coordinators, at once (gathered over ten minutes); other activity in what they follow (new
# discussions, trajectory updates) as a daily or weekly digest; milestone sign-offs in their
# trajectories at once or in a digest of their own.
MAIL_PREFERENCE_KINDS = ("mentions_replies", "join_requests", "activity", "milestones")
MAIL_CHOICES = ("instant", "daily", "weekly", "never")
KIND_CHOICES = {"mentions_replies": ("instant", "never"), "join_requests": ("instant", "never"),
                "activity": ("daily", "weekly", "never"), "milestones": MAIL_CHOICES}
MAIL_DEFAULTS = {"mentions_replies": "instant", "join_requests": "instant", "activity": "daily",
                 "milestones": "instant"}


class MailPreference(db.Model):
    """A member's choice for one kind of mail (no row: the default), and for the kind's batch:
    when the pending one is due, and the last notification a mail covered."""

    __tablename__ = "mail_preferences"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", MAIL_PREFERENCE_KINDS), name="kind"),
        sa.CheckConstraint(in_values("choice", MAIL_CHOICES), name="choice"),
    )

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(30), primary_key=True)
    choice: so.Mapped[str] = so.mapped_column(sa.String(10))
    batch_due_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    last_mailed_id: so.Mapped[int] = so.mapped_column(default=0)
