"""Development trajectories (ontwikkeltrajecten): a company's learning programme with milestones,
participants, a learning-outcome log, evidence links and followers."""
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.models.base import Row, UTCDateTime, in_values, utcnow

TRAJECTORY_STATUSES = ("concept", "active", "paused", "completed")
# Only these moves are allowed: concept -> active <-> paused, active/paused -> completed.
STATUS_TRANSITIONS = {
    "concept": ("active",),
    "active": ("paused", "completed"),
    "paused": ("active", "completed"),
    "completed": (),
}
TRAJECTORY_VISIBILITIES = ("community", "confidential")
PARTICIPANT_ROLES = ("employee", "coach", "student")
MILESTONE_STATUSES = ("open", "done")
ENTRY_KINDS = ("reflection", "result", "obstacle", "next_step")
VALUE_KINDS = ("immediate", "potential", "applied", "realised", "reframing")
LINK_TARGETS = ("discussion", "case")


class Trajectory(Row):
    __tablename__ = "trajectories"
    __table_args__ = (
        sa.CheckConstraint(in_values("status", TRAJECTORY_STATUSES), name="status"),
        sa.CheckConstraint(in_values("visibility", TRAJECTORY_VISIBILITIES), name="visibility"),
    )

    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"),
                                                    index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    goal: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    goal_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    evaluation: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    evaluation_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    render_version: so.Mapped[int] = so.mapped_column(default=0)
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="concept")
    visibility: so.Mapped[str] = so.mapped_column(sa.String(12), default="community")
    planned_start: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    planned_end: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # The learning-culture scan dimension the trajectory works on (a code of the questionnaire,
    # community/scan/texts.py), for the research area's scan -> trajectory -> re-scan loop.
    scan_dimension: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))

    organisation: so.Mapped["Organisation"] = so.relationship()  # noqa: F821
    community: so.Mapped["Community"] = so.relationship()  # noqa: F821
    participants: so.Mapped[list["TrajectoryParticipant"]] = so.relationship(
        cascade="all, delete-orphan", back_populates="trajectory")
    milestones: so.Mapped[list["Milestone"]] = so.relationship(
        cascade="all, delete-orphan", order_by="Milestone.position", back_populates="trajectory")

    @property
    def is_confidential(self):
        return self.visibility == "confidential"



class TrajectoryParticipant(Row):
    __tablename__ = "trajectory_participants"
    __table_args__ = (
        sa.UniqueConstraint("trajectory_id", "user_id"),
        sa.CheckConstraint(in_values("role", PARTICIPANT_ROLES), name="role"),
    )

    trajectory_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trajectories.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(10))
    added_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    trajectory: so.Mapped[Trajectory] = so.relationship(back_populates="participants")
    user: so.Mapped["User"] = so.relationship()  # noqa: F821


class Milestone(Row):
    __tablename__ = "milestones"
    __table_args__ = (
        sa.CheckConstraint(in_values("status", MILESTONE_STATUSES), name="status"),
        sa.Index("ix_milestones_trajectory_position", "trajectory_id", "position"),
    )

    trajectory_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trajectories.id", ondelete="CASCADE"))
    position: so.Mapped[int] = so.mapped_column()
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    description_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    render_version: so.Mapped[int] = so.mapped_column(default=0)
    due_date: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(5), default="open")
    done_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # "Afgetekend": signed off by a teacher/coach participant.
    signed_off_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    signed_off_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)

    trajectory: so.Mapped[Trajectory] = so.relationship(back_populates="milestones")
    signed_off_by: so.Mapped[Optional["User"]] = so.relationship()  # noqa: F821

    @property
    def is_done(self):
        return self.status == "done"


class OutcomeEntry(Row):
    """One entry in the learning-outcome log (leeropbrengsten)."""

    __tablename__ = "outcome_entries"
    __table_args__ = (
        sa.CheckConstraint(in_values("kind", ENTRY_KINDS), name="kind"),
        sa.CheckConstraint(in_values("value_kind", VALUE_KINDS), name="value_kind"),
        sa.Index("ix_outcome_entries_trajectory_id_id", "trajectory_id", "id"),
    )

    trajectory_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trajectories.id", ondelete="CASCADE"))
    milestone_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("milestones.id", ondelete="SET NULL"))
    author_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    value_kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    render_version: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    author: so.Mapped[Optional["User"]] = so.relationship()  # noqa: F821
    milestone: so.Mapped[Optional[Milestone]] = so.relationship()


class TrajectoryLink(Row):
    """A discussion or case serving as evidence for a trajectory (and optionally a milestone)."""

    __tablename__ = "trajectory_links"
    __table_args__ = (
        sa.UniqueConstraint("trajectory_id", "target", "target_id"),
        sa.CheckConstraint(in_values("target", LINK_TARGETS), name="target"),
        sa.Index("ix_trajectory_links_target", "target", "target_id"),
    )

    trajectory_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trajectories.id", ondelete="CASCADE"))
    milestone_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("milestones.id", ondelete="SET NULL"))
    target: so.Mapped[str] = so.mapped_column(sa.String(12))
    target_id: so.Mapped[int] = so.mapped_column()
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    milestone: so.Mapped[Optional[Milestone]] = so.relationship()


class TrajectoryFollow(Row):
    __tablename__ = "trajectory_follows"
    __table_args__ = (sa.UniqueConstraint("trajectory_id", "user_id"),)

    trajectory_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trajectories.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
