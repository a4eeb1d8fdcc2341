"""Moderation: reports by members, sanctions (mute, ban) in a community, and the audit log that
every moderation action writes."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.models.base import Row, UTCDateTime, in_values, utcnow

REPORT_TARGETS = ("reply", "discussion", "case")
REPORT_REASONS = ("spam", "inappropriate", "confidential", "off_topic", "other")
REPORT_STATUSES = ("open", "dismissed", "resolved")
SANCTION_KINDS = ("mute", "ban")
AUDIT_ACTIONS = ("hide", "restore", "edit", "dismiss", "pin", "unpin", "lock", "unlock", "move",
                 "mute", "ban", "lift", "disable_account", "enable_account", "delete_account", "grant_research",
                 "revoke_research")


class Report(Row):
    """A member's report of a reply, discussion or case. One open report per person per item
    (a partial unique index, on both databases)."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.CheckConstraint(in_values("target", REPORT_TARGETS), name="target"),
        sa.CheckConstraint(in_values("reason", REPORT_REASONS), name="reason"),
        sa.CheckConstraint(in_values("status", REPORT_STATUSES), name="status"),
        sa.Index("uq_reports_open_per_reporter", "target", "target_id", "reporter_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
        sa.Index("ix_reports_community_id_status", "community_id", "status"),
    )

    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    target: so.Mapped[str] = so.mapped_column(sa.String(12))
    target_id: so.Mapped[int] = so.mapped_column()
    reporter_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: so.Mapped[str] = so.mapped_column(sa.String(20))
    note: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="open")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    decided_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    decided_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    reporter: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[reporter_id])  # noqa: F821
    community: so.Mapped["Community"] = so.relationship()  # noqa: F821


class Sanction(Row):
    """A mute (can read, cannot post, until ``ends_at``) or a ban (no access to a private
    community, cannot rejoin; until ``ends_at`` or until lifted) of a member in a community."""

    __tablename__ = "sanctions"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", SANCTION_KINDS), name="kind"),
        sa.Index("ix_sanctions_community_id_user_id", "community_id", "user_id"),
    )

    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(5))
    reason: so.Mapped[str] = so.mapped_column(sa.String(300))
    ends_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    lifted_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    lifted_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    user: so.Mapped["User"] = so.relationship(foreign_keys=[user_id])  # noqa: F821

    def in_force(self, now=None):
        now = now or utcnow()
        return self.lifted_at is None and (self.ends_at is None or self.ends_at > now)


class AuditEntry(Row):
    """One moderation step: who did what to which item or member, why, and when. Written by the
    moderation action itself, in its transaction. ``community_id`` is empty for platform steps
    (disabling an account)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.CheckConstraint(in_values("action", AUDIT_ACTIONS), name="action"),
        sa.Index("ix_audit_log_community_id_id", "community_id", "id"),
    )

    community_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"))
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: so.Mapped[str] = so.mapped_column(sa.String(20))
    target: so.Mapped[str] = so.mapped_column(sa.String(12), default="")
    target_id: so.Mapped[Optional[int]] = so.mapped_column()
    member_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    actor: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[actor_id])  # noqa: F821
    member: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[member_id])  # noqa: F821
