"""Learning communities (leergemeenschappen), their members, invitations and activity feed."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.models.base import Row, UTCDateTime, in_values, utcnow

VISIBILITIES = ("public", "private")
JOIN_POLICIES = ("open", "request", "invite")
COMMUNITY_ROLES = ("member", "coordinator")
COMMUNITY_STATES = ("pending", "invited", "active")


class Community(Row):
    __tablename__ = "communities"
    __table_args__ = (
        sa.CheckConstraint(in_values("visibility", VISIBILITIES), name="visibility"),
        sa.CheckConstraint(in_values("join_policy", JOIN_POLICIES), name="join_policy"),
    )

    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    slug: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    # Markdown source, the sanitised HTML made from it at write time, and the renderer version.
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    description_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    render_version: so.Mapped[int] = so.mapped_column(default=0)
    sector: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    topic: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    visibility: so.Mapped[str] = so.mapped_column(sa.String(10), default="public")
    unlisted: so.Mapped[bool] = so.mapped_column(default=False)
    join_policy: so.Mapped[str] = so.mapped_column(sa.String(10), default="open")
    archived: so.Mapped[bool] = so.mapped_column(default=False)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_private(self):
        return self.visibility == "private"

    def __repr__(self):
        return f"<Community {self.slug}>"


class CommunityMembership(Row):
    """One user in one community. pending = asked to join, invited = a coordinator picked them
    and they have not accepted yet, active = member."""

    __tablename__ = "community_memberships"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "user_id"),
        sa.CheckConstraint(in_values("role", COMMUNITY_ROLES), name="role"),
        sa.CheckConstraint(in_values("state", COMMUNITY_STATES), name="state"),
        sa.Index("ix_community_memberships_community_state", "community_id", "state"),
    )

    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(12), default="member")
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default="active")
    message: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    decided_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    decided_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    community: so.Mapped[Community] = so.relationship()
    user: so.Mapped["User"] = so.relationship(foreign_keys=[user_id])  # noqa: F821

    @property
    def is_active(self):
        return self.state == "active"

    @property
    def is_coordinator(self):
        return self.state == "active" and self.role == "coordinator"


class Invitation(Row):
    """An invitation link: random token (only its hash stored), expiry, optional use limit.
    With ``email`` it is an invitation mailed to one address that has no account yet: used once,
    through a signed link in that mail (community/actions/mail_invitations.py), never through
    the plain /invite/<token> page."""

    __tablename__ = "invitations"

    community_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    max_uses: so.Mapped[Optional[int]] = so.mapped_column()
    uses: so.Mapped[int] = so.mapped_column(default=0)
    revoked_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    note: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(254))

    community: so.Mapped[Community] = so.relationship()
    created_by: so.Mapped[Optional["User"]] = so.relationship()  # noqa: F821

    def state(self, now=None):
        """'active', 'revoked', 'expired' or 'used_up'."""
        now = now or utcnow()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "used_up"
        return "active"


class FeedEntry(Row):
    """One line in a community's activity feed, written by the action that did the thing.

    ``audience`` narrows who may see it beyond the community's readers (e.g. a confidential
    trajectory's insiders, added by later features); NULL means everyone who can read the
    community.
    """

    __tablename__ = "feed_entries"
    __table_args__ = (sa.Index("ix_feed_entries_community_id_id", "community_id", "id"),)

    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    subject_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    object_type: so.Mapped[Optional[str]] = so.mapped_column(sa.String(30))
    object_id: so.Mapped[Optional[int]] = so.mapped_column()
    audience: so.Mapped[Optional[str]] = so.mapped_column(sa.String(60))
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    actor: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[actor_id])  # noqa: F821
    subject: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[subject_id])  # noqa: F821
