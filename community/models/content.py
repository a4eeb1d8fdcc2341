"""What members write: discussions with replies, practice cases with attachments.

Every markdown field is stored as source plus the sanitised HTML made from it at write time,
with the render version (community.markup.RENDER_VERSION) that made the HTML.
"""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.models.base import Hideable, Row, UTCDateTime, in_values, utcnow

CASE_LEVELS = ("mbo", "hbo", "both", "na")
CASE_STATUSES = ("draft", "published")
CASE_SECTIONS = ("context", "question", "approach", "result", "lessons")
REVISION_TARGETS = ("discussion", "reply", "case")


class Discussion(Hideable, Row):
    __tablename__ = "discussions"
    __table_args__ = (
        sa.Index("ix_discussions_community_activity", "community_id", "pinned", "last_activity_at"),
        sa.Index("ix_discussions_author_created", "author_id", "created_at"),
    )

    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Set when this is a practice case's own discussion ("discuss this case").
    case_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    render_version: so.Mapped[int] = so.mapped_column(default=0)
    reply_count: so.Mapped[int] = so.mapped_column(default=0)
    pinned: so.Mapped[bool] = so.mapped_column(default=False)
    locked: so.Mapped[bool] = so.mapped_column(default=False)
    lock_reason: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    # No foreign key: replies point at discussions, and a cycle of keys makes migrations and
    # deletes awkward. Replies are never hard-deleted (only marked removed), so it stays valid.
    accepted_reply_id: so.Mapped[Optional[int]] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    edited_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    edit_note: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    last_activity_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    community: so.Mapped["Community"] = so.relationship()  # noqa: F821
    author: so.Mapped[Optional["User"]] = so.relationship()  # noqa: F821
    case: so.Mapped[Optional["Case"]] = so.relationship(foreign_keys=[case_id])
    # Read only: the thread page loads it with the discussion (set through accepted_reply_id).
    accepted_reply: so.Mapped[Optional["Reply"]] = so.relationship(
        primaryjoin="foreign(Discussion.accepted_reply_id) == Reply.id", viewonly=True)


class Reply(Hideable, Row):
    __tablename__ = "replies"
    __table_args__ = (
        sa.Index("ix_replies_discussion_id_id", "discussion_id", "id"),
        sa.Index("ix_replies_discussion_number", "discussion_id", "number"),
        sa.Index("ix_replies_author_created", "author_id", "created_at"),
    )

    discussion_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("discussions.id", ondelete="CASCADE"))
    author_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # 1, 2, 3... within the discussion, so pages and "first unread" are simple arithmetic.
    number: so.Mapped[int] = so.mapped_column()
    quote_of_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("replies.id", ondelete="SET NULL"))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    render_version: so.Mapped[int] = so.mapped_column(default=0)
    helpful_count: so.Mapped[int] = so.mapped_column(default=0)
    # Whether the reader marked it helpful, when a query loads it with the reply
    # (queries.discussions.reply_page); None otherwise.
    marked_helpful: so.Mapped[Optional[bool]] = so.query_expression()
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    edited_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    edit_note: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    deleted_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)

    discussion: so.Mapped[Discussion] = so.relationship(foreign_keys=[discussion_id])
    author: so.Mapped[Optional["User"]] = so.relationship()  # noqa: F821
    quote_of: so.Mapped[Optional["Reply"]] = so.relationship(remote_side="Reply.id")

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class Revision(Row):
    """A previous version of an edited discussion, reply or case (its markdown source)."""

    __tablename__ = "revisions"
    __table_args__ = (
        sa.CheckConstraint(in_values("target", REVISION_TARGETS), name="target"),
        sa.Index("ix_revisions_target", "target", "target_id"),
    )

    target: so.Mapped[str] = so.mapped_column(sa.String(12))
    target_id: so.Mapped[int] = so.mapped_column()
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # for a case: JSON of its sections
    editor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    editor: so.Mapped[Optional["User"]] = so.relationship()  # noqa: F821


class Reaction(Row):
    """A 'helpful' mark on a reply: one per user per reply."""

    __tablename__ = "reactions"
    __table_args__ = (sa.UniqueConstraint("reply_id", "user_id"),)

    reply_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("replies.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ReadMark(Row):
    """How far a user has read a discussion (the highest reply number seen)."""

    __tablename__ = "read_marks"
    __table_args__ = (sa.UniqueConstraint("discussion_id", "user_id"),)

    discussion_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("discussions.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_read_number: so.Mapped[int] = so.mapped_column(default=0)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Mention(Row):
    """Someone was @mentioned in a discussion, reply or case (read by notifications later)."""

    __tablename__ = "mentions"
    __table_args__ = (
        sa.UniqueConstraint("target", "target_id", "user_id"),
        sa.CheckConstraint(in_values("target", REVISION_TARGETS), name="target"),
    )

    target: so.Mapped[str] = so.mapped_column(sa.String(12))
    target_id: so.Mapped[int] = so.mapped_column()
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Case(Hideable, Row):
    """A practice case (praktijkcasus): a structured story from a company or classroom."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint(in_values("level", CASE_LEVELS), name="level"),
        sa.CheckConstraint(in_values("status", CASE_STATUSES), name="status"),
        sa.Index("ix_cases_community_status", "community_id", "status", "published_at"),
        sa.Index("ix_cases_author_created", "author_id", "created_at"),
    )

    community_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    context: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    context_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    question: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    question_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    approach: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    approach_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    result: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    result_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    lessons: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    lessons_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    render_version: so.Mapped[int] = so.mapped_column(default=0)
    domain: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    level: so.Mapped[str] = so.mapped_column(sa.String(5), default="na")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="draft")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    edited_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    edit_note: so.Mapped[str] = so.mapped_column(sa.String(300), default="")

    community: so.Mapped["Community"] = so.relationship()  # noqa: F821
    author: so.Mapped[Optional["User"]] = so.relationship()  # noqa: F821
    organisation: so.Mapped[Optional["Organisation"]] = so.relationship()  # noqa: F821
    tags: so.Mapped[list["CaseTag"]] = so.relationship(
        cascade="all, delete-orphan", order_by="CaseTag.tag", lazy="selectin")
    attachments: so.Mapped[list["Attachment"]] = so.relationship(
        cascade="all, delete-orphan", order_by="Attachment.id")
    discussion: so.Mapped[Optional[Discussion]] = so.relationship(
        primaryjoin="Discussion.case_id == Case.id", viewonly=True, uselist=False)

    @property
    def is_published(self):
        return self.status == "published"

    @property
    def tag_names(self):
        return [t.tag for t in self.tags]


class CaseTag(Row):
    __tablename__ = "case_tags"
    __table_args__ = (sa.UniqueConstraint("case_id", "tag"),)

    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    tag: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)


class Attachment(Row):
    """An image or PDF, stored under a server-made name outside static/.

    It belongs to a case, a discussion (or one of its replies) or a trajectory, and whoever may
    read that may read it. An image uploaded from a composer belongs to none of them until the
    text that shows it is saved (community.actions.attachments.claim_uploads); until then only
    its uploader can see it."""

    __tablename__ = "attachments"

    case_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"),
                                                         index=True)
    discussion_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("discussions.id", ondelete="CASCADE"), index=True)
    trajectory_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("trajectories.id", ondelete="CASCADE"), index=True)
    uploader_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    original_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    size: so.Mapped[int] = so.mapped_column()
    width: so.Mapped[Optional[int]] = so.mapped_column()
    height: so.Mapped[Optional[int]] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_image(self):
        return self.content_type.startswith("image/")
