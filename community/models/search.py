"""The search index: one row per discussion, reply, practice case and trajectory, with its plain
text (markdown stripped) for snippets and the facts the search filters on.

The rows hold no permission state (hidden, status, visibility): a search joins the content's own
rows and applies the permission filters there, so hiding, restoring, publishing or making a
trajectory confidential takes effect at once. The words themselves are indexed by the engine
(community.search): an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL;
neither is described here (see community.search.schema).
"""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.models.base import Row, UTCDateTime, in_values, utcnow

SEARCH_KINDS = ("discussion", "reply", "case", "trajectory")


class SearchEntry(Row):
    __tablename__ = "search_entries"
    __table_args__ = (sa.CheckConstraint(in_values("kind", SEARCH_KINDS), name="kind"),)

    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    community_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    # The item: a discussion (kind discussion, and the discussion of a reply), a reply, a case
    # or a trajectory. Their rows going away takes the entry with them.
    discussion_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("discussions.id", ondelete="CASCADE"), index=True)
    reply_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("replies.id", ondelete="CASCADE"), unique=True)
    case_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    trajectory_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("trajectories.id", ondelete="CASCADE"), unique=True)
    reply_number: so.Mapped[Optional[int]] = so.mapped_column()
    author_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # A case's or trajectory's organisation (a post's author's is looked up at search time).
    organisation_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
