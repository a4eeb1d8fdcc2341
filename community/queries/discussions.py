"""Discussions: the list and the replies (pages and API alike), read marks, helpful marks and
versions. Each a fixed number of SQL statements."""
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community import permissions, request_facts
from community.extensions import db
from community.models import Discussion, Reaction, ReadMark, Reply, Revision, User
from community.queries.trajectories import linkable_exists
from community.queries.notifications import follow_choice_column
from community.realtime import streams
from community.realtime.events import seq_column
from community.pagination import number_range_page, offset_page
from community.urls import REPLIES_PER_PAGE, page_of  # noqa: F401 (page_of: for the pages)

DISCUSSIONS_PER_PAGE = 30
PINNED_ON_HOME = 10


@dataclass
class DiscussionFilters:
    page: int = 1


@dataclass
class ReplyFilters:
    page: int = 1


def _community_discussions(user, community):
    """A community's own discussions the reader may see (hidden ones only for their author and
    moderators); a practice case's discussion lives on the case's page."""
    return sa.select(Discussion.id).where(Discussion.community_id == community.id, Discussion.case_id.is_(None),
                                          permissions.visible_content_filter(user, Discussion))


def _last_read_column(user):
    """The user's read mark of each discussion, as a correlated subquery (0 when none)."""
    return sa.func.coalesce(
        sa.select(ReadMark.last_read_number)
        .where(ReadMark.discussion_id == Discussion.id, ReadMark.user_id == user.id)
        .correlate(Discussion).scalar_subquery(), 0)


def discussion_page(user, community, filters, per_page=DISCUSSIONS_PER_PAGE):
    """Pinned first, then the most recently active, as rows (discussion, the user's read mark):
    one count and one page with the authors. The opening posts stay in the database."""
    stmt = _community_discussions(user, community)
    rows = (stmt.with_only_columns(Discussion, _last_read_column(user))
            .options(so.joinedload(Discussion.author), so.defer(Discussion.body, raiseload=True),
                     so.defer(Discussion.body_html, raiseload=True))
            .order_by(Discussion.pinned.desc(), Discussion.last_activity_at.desc(), Discussion.id.desc()))
    return offset_page(rows, number=filters.page, per_page=per_page, counted=stmt)


def pinned(user, community, limit=PINNED_ON_HOME):
    """The pinned discussions for the community's home page (one query)."""
    stmt = _community_discussions(user, community).with_only_columns(Discussion)
    return db.session.scalars(stmt.where(Discussion.pinned.is_(True))
                              .order_by(Discussion.last_activity_at.desc()).limit(limit)).all()


def reply_page(discussion, filters, reader=None):
    """One page of replies with their authors, the replies they quote and (``reader``) whether
    the reader marked each helpful (one query; helpful_ids reads the marks).

    Replies are numbered without gaps (removed ones keep their place), so a page is a range of
    numbers and the discussion's reply_count is the total: no count query, no OFFSET scan.
    A page past the end shows the last page.
    """
    stmt = (sa.select(Reply).where(Reply.discussion_id == discussion.id)
            .options(so.joinedload(Reply.author), so.joinedload(Reply.quote_of).joinedload(Reply.author)))
    if getattr(reader, "is_authenticated", False):
        marked = sa.exists().where(Reaction.reply_id == Reply.id, Reaction.user_id == reader.id)
        stmt = stmt.options(so.with_expression(Reply.marked_helpful, marked))
    return number_range_page(stmt, Reply.number, total=discussion.reply_count, number=filters.page,
                             per_page=REPLIES_PER_PAGE)


@dataclass
class ThreadFacts:
    """What the thread page shows of its reader beside the replies (read in one query)."""
    live_last: int                 # the number of the discussion's live stream
    last_read: Optional[int]       # how far the reader has read (None: never opened)
    follow_level: str              # the level the follow select shows
    linkable: bool                 # the reader has an open trajectory to link to


def thread_facts(user, discussion):
    """The discussion's stream number, the reader's read mark and follow choice, and whether
    they have a trajectory to link evidence to: one query. The stream number is remembered for
    the request (community.request_facts), so live.html's ``live_seq`` does not ask again."""
    stream = streams.discussion(discussion.id)
    columns = [seq_column(stream)]
    signed_in = getattr(user, "is_authenticated", False)
    if signed_in:
        columns += [
            sa.select(ReadMark.last_read_number).where(
                ReadMark.discussion_id == discussion.id, ReadMark.user_id == user.id).scalar_subquery(),
            follow_choice_column(user, "discussion", discussion.id),
            linkable_exists(user)]
    row = db.session.execute(sa.select(*columns)).one()
    live_last = row[0] or 0
    request_facts.remember("stream", stream, live_last)
    if not signed_in:
        return ThreadFacts(live_last, None, "normal", False)
    _seq, last_read, stored, linkable = row
    # The default level: authors follow their own discussions (actions.notifications.level_of).
    level = stored or ("following" if discussion.author_id == user.id else "normal")
    return ThreadFacts(live_last, last_read, level, bool(linkable))


def numbered_reply(discussion, number):
    """Reply ``number`` of the discussion with its author and the reply it quotes, or None (one
    query)."""
    return db.session.scalar(
        sa.select(Reply).where(Reply.discussion_id == discussion.id, Reply.number == number)
        .options(so.joinedload(Reply.author), so.joinedload(Reply.quote_of).joinedload(Reply.author)))


def helpful_ids(replies):
    """Which of these replies (loaded by reply_page with a reader) the reader marked helpful."""
    return {reply.id for reply in replies if reply.marked_helpful and not reply.is_deleted}


def helpful_reply_ids(user, replies):
    """Which of these replies the user marked helpful (one query; none when there are none)."""
    ids = [reply.id for reply in replies if not reply.is_deleted]
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(Reaction.reply_id).where(
        Reaction.user_id == user.id, Reaction.reply_id.in_(ids))))


def read_mark(user, discussion):
    """How far the user has read: the highest reply number seen (0 when never)."""
    return db.session.scalar(sa.select(ReadMark.last_read_number).where(
        ReadMark.discussion_id == discussion.id, ReadMark.user_id == user.id))


def accepted_answer(discussion, user):
    """The accepted answer unless it was removed, or hidden from this user (loaded with the
    discussion: no query of its own when permissions.access_discussion_or_404 loaded it)."""
    reply = discussion.accepted_reply if discussion.accepted_reply_id else None
    if reply is None or reply.discussion_id != discussion.id or reply.deleted_at is not None:
        return None
    if not permissions.can_see_reply(user, reply):
        return None  # "See the answer" would lead to a reply they cannot read
    return reply


def reply_in(discussion, reply_id):
    """A live reply of this discussion with its author, or None (one query, always run, so the
    page's query count does not depend on what happens to be loaded already)."""
    if not reply_id:
        return None
    return db.session.scalar(sa.select(Reply).options(so.joinedload(Reply.author)).where(
        Reply.id == reply_id, Reply.discussion_id == discussion.id, Reply.deleted_at.is_(None)))


@dataclass
class Version:
    """One version of a post's text: who wrote it and when; ``current`` for the live one."""
    title: str
    body: str
    by: Optional[User]
    at: datetime
    current: bool = False


def versions(target, obj, title=""):
    """Every version of a discussion or reply, newest first (one query).

    A revision row holds the text an edit replaced, with who made that edit and when. So the
    original was written by the post's author at creation, and each later version by the editor
    of the revision that replaced its predecessor.
    """
    revisions = db.session.scalars(
        sa.select(Revision).options(so.joinedload(Revision.editor))
        .where(Revision.target == target, Revision.target_id == obj.id).order_by(Revision.id)).all()
    writers = [(obj.author, obj.created_at)] + [(r.editor, r.created_at) for r in revisions]
    texts = [(r.title, r.body) for r in revisions] + [(title, obj.body)]
    result = [Version(title=t, body=b, by=by, at=at) for (t, b), (by, at) in zip(texts, writers)]
    result[-1].current = True
    return list(reversed(result))
