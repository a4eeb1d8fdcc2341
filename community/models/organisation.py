"""Organisations (companies, schools, partners) and who belongs to them."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.models.base import Row, UTCDateTime, in_values, utcnow

ORG_KINDS = ("company", "school", "partner")
ORG_STATUSES = ("active", "pending")
SIZE_BANDS = ("1-9", "10-49", "50-249", "250+")
SCHOOL_LEVELS = ("mbo", "hbo", "mbo-hbo")
ORG_ROLES = ("member", "manager")
MEMBERSHIP_STATES = ("pending", "active")


class Organisation(Row):
    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", ORG_KINDS), name="kind"),
        sa.CheckConstraint(in_values("status", ORG_STATUSES), name="status"),
    )

    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # Lower-cased name: two organisations may not differ only in case.
    name_key: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    sector: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    city: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    size_band: so.Mapped[Optional[str]] = so.mapped_column(sa.String(10))
    level: so.Mapped[Optional[str]] = so.mapped_column(sa.String(10))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="active")
    requested_by_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships: so.Mapped[list["OrganisationMembership"]] = so.relationship(
        back_populates="organisation", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Organisation {self.id} {self.name}>"


class OrganisationMembership(Row):
    __tablename__ = "organisation_memberships"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "user_id"),
        sa.CheckConstraint(in_values("role", ORG_ROLES), name="role"),
        sa.CheckConstraint(in_values("state", MEMBERSHIP_STATES), name="state"),
    )

    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(10), default="member")
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    message: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    decided_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    decided_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    organisation: so.Mapped[Organisation] = so.relationship(back_populates="memberships")
    user: so.Mapped["User"] = so.relationship(back_populates="memberships", foreign_keys=[user_id])  # noqa: F821

    @property
    def is_active(self):
        return self.state == "active"
