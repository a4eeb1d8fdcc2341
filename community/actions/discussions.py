"""Discussions and replies: start, reply, quote, edit (history kept), remove, helpful, answer,
pin and lock, read marks."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from community import markup, permissions
from community.actions import ActionError, NotAllowed
from community.actions.content import (
    DISCUSSION_BODY_MAX, EDIT_NOTE_MAX, REPLY_BODY_MAX, TITLE_MAX, clean_body, edit_note_for, keep_revision,
    record_mentions, render, users_for_mentions,
)
from community.actions.feed import add_entry, retitle_feed_entries
from community.actions.validate import clean_line
from community.actions import abuse, attachments, moderation, notifications
from community.extensions import db
from community.search import index as search_index
from community.realtime import payloads, streams
from community.realtime.events import send_event_on_commit
from community.models import Discussion, Mention, Reaction, ReadMark, Reply, Revision, utcnow


def check_not_muted(user, community):
    """A muted member is told until when, and why (the page, API and socket say the same)."""
    muted = permissions.sanction_in_force(user, community, "mute")
    if muted is not None:
        from community.i18n import format_moment

        raise ActionError(_l("A coordinator muted you in this community until %(end)s: %(reason)s",
                             end=format_moment(muted.ends_at), reason=muted.reason),
                          status=403, code="muted")


def check_can_post(user, community, not_member=_l("Join this community to take part in its discussions.")):
    """A new discussion, reply or case: not in an archived community, not while muted, only as a member."""
    if community.archived:
        raise ActionError(_l("This community is archived: you can read it, but nobody can post."),
                          status=409, code="archived")
    check_not_muted(user, community)
    if not permissions.can_post_in_community(user, community):
        raise NotAllowed(not_member)


def start_discussion(user, community, title, body, case=None, commit=True):
    """A new discussion. ``case`` makes it that case's own discussion (no feed entry of its own:
    publishing the case is the news; that action commits both together)."""
    check_can_post(user, community)
    title = clean_line(title, "title", TITLE_MAX)
    body = clean_body(body, "body", DISCUSSION_BODY_MAX, required=case is None)
    if case is None:
        abuse.check_post(user, body)
    html, mentioned = render(body, users_for_mentions(body))
    now = utcnow()
    discussion = Discussion(community_id=community.id, author_id=user.id, title=title, body=body,
                            body_html=html, render_version=markup.RENDER_VERSION, created_at=now,
                            last_activity_at=now, case_id=case.id if case else None)
    db.session.add(discussion)
    db.session.flush()
    attachments.claim_uploads(user, body, discussion_id=discussion.id)
    record_mentions("discussion", discussion.id, community, user, mentioned)
    search_index.discussion_changed(discussion)
    notifications.follow_by_default(user, discussion)
    if case is None:
        add_entry(community, "discussion_started", actor=user, object_type="discussion",
                  object_id=discussion.id, title=title)
        notifications.notify_new_discussion(user, discussion, mentioned)
        _send(discussion, "new", stream=streams.community(community.id))
    if commit:
        db.session.commit()
    return discussion


def edit_discussion(user, discussion, title, body, edit_note=""):
    if not permissions.can_edit_discussion(user, discussion):
        raise NotAllowed(_l("You cannot edit this discussion."))
    title = clean_line(title, "title", TITLE_MAX)
    if discussion.case_id is not None:
        title = discussion.title  # a case's own discussion carries the case's title
    body = clean_body(body, "body", DISCUSSION_BODY_MAX, required=discussion.case_id is None)
    if title == discussion.title and body == discussion.body:
        return discussion
    note = edit_note_for(user, discussion.author_id, edit_note)
    keep_revision("discussion", discussion.id, discussion.title, discussion.body, user)
    html, mentioned = render(body, users_for_mentions(body))
    if title != discussion.title:
        retitle_feed_entries("discussion", discussion.id, title)
    discussion.title, discussion.body, discussion.body_html = title, body, html
    discussion.render_version = markup.RENDER_VERSION
    discussion.edited_at, discussion.edit_note = utcnow(), note
    moderation.record_edit(user, "discussion", discussion, note)
    attachments.claim_uploads(user, body, discussion_id=discussion.id)
    new_mentions = record_mentions("discussion", discussion.id, discussion.community, user, mentioned)
    notifications.notify_mentions(user, "discussion", discussion.id, new_mentions, discussion.title)
    search_index.discussion_changed(discussion)
    _send(discussion, "edited")
    db.session.commit()
    return discussion


def _send(discussion, op, stream=None):
    """A discussion's change goes to its own room (and a new one to its community's). A hidden
    one tells nobody: only its author and moderators may see it."""
    if discussion.is_hidden:
        return
    send_event_on_commit(stream or streams.discussion(discussion.id), "discussion", op,
                         subject=streams.subject("discussion", discussion.id),
                         build=lambda: payloads.discussion_data(discussion))


def _send_reply(reply, op):
    if reply.is_hidden:
        return
    send_event_on_commit(streams.discussion(reply.discussion_id), "reply", op,
                         subject=streams.subject("reply", reply.id), build=lambda: payloads.reply_data(reply))


def post_reply(user, discussion, body, quote_of=None):
    """A reply, optionally quoting another reply of the same discussion."""
    check_can_post(user, discussion.community)
    if discussion.locked:
        raise _locked(discussion)
    body = clean_body(body, "body", REPLY_BODY_MAX)
    abuse.check_post(user, body)
    if quote_of is not None and (quote_of.discussion_id != discussion.id or quote_of.is_deleted):
        raise ActionError(_l("You can only quote a reply of this discussion."), field="quote_of")
    html, mentioned = render(body, users_for_mentions(body))
    # Reads first: from the number's UPDATE to the commit, others wait on this discussion's row
    # (PostgreSQL) or on the database (SQLite), so that stretch holds only the writes.
    mark = _read_mark(user, discussion)
    follows = notifications.chose_level(user, discussion)
    # Take the number by bumping the count in one UPDATE: from here to the commit it holds the
    # row lock (PostgreSQL) or the write lock (SQLite), so two replies at once get different
    # numbers, the count stays right, and a lock set meanwhile is seen. (SELECT ... FOR UPDATE
    # is not enough: the ORM keeps the values it loaded earlier in the request, and a SQLite
    # read takes no lock.)
    now = utcnow()
    number = db.session.execute(
        sa.update(Discussion).where(Discussion.id == discussion.id, Discussion.locked.is_(False))
        .values(reply_count=Discussion.reply_count + 1, last_activity_at=now)
        .returning(Discussion.reply_count), execution_options={"synchronize_session": False}).scalar()
    if number is None:
        db.session.rollback()
        raise _locked(discussion)
    set_committed_value(discussion, "reply_count", number)  # what the UPDATE wrote: no read back
    set_committed_value(discussion, "last_activity_at", now)
    reply = Reply(discussion_id=discussion.id, author_id=user.id, number=number,
                  quote_of_id=quote_of.id if quote_of else None, body=body, body_html=html,
                  render_version=markup.RENDER_VERSION, created_at=now)
    db.session.add(reply)
    if not follows:
        notifications.follow(user, discussion)
    _set_read_mark(user, discussion, mark, number)
    db.session.flush()
    attachments.claim_uploads(user, body, discussion_id=discussion.id)
    record_mentions("reply", reply.id, discussion.community, user, mentioned)
    search_index.reply_changed(reply, discussion.community_id)
    notifications.notify_reply(user, reply, mentioned)
    _send_reply(reply, "new")
    db.session.commit()
    return reply


def _locked(discussion):
    return ActionError(_l("This discussion is locked: no new replies. %(reason)s",
                          reason=discussion.lock_reason), status=409, code="locked")


def edit_reply(user, reply, body, edit_note=""):
    if not permissions.can_edit_reply(user, reply):
        raise NotAllowed(_l("You cannot edit this reply."))
    body = clean_body(body, "body", REPLY_BODY_MAX)
    if body == reply.body:
        return reply
    note = edit_note_for(user, reply.author_id, edit_note)
    keep_revision("reply", reply.id, "", reply.body, user)
    html, mentioned = render(body, users_for_mentions(body))
    reply.body, reply.body_html, reply.render_version = body, html, markup.RENDER_VERSION
    reply.edited_at, reply.edit_note = utcnow(), note
    moderation.record_edit(user, "reply", reply, note)
    discussion = reply.discussion
    attachments.claim_uploads(user, body, discussion_id=discussion.id)
    new_mentions = record_mentions("reply", reply.id, discussion.community, user, mentioned)
    notifications.notify_mentions(user, "discussion", discussion.id, new_mentions, discussion.title)
    search_index.reply_changed(reply, discussion.community_id)
    _send_reply(reply, "edited")
    db.session.commit()
    return reply


def remove_reply(user, reply):
    """The author removes their reply: it shows as 'removed' and the thread keeps its shape.
    Its text and earlier versions go (the author wanted it gone)."""
    if not permissions.can_delete_reply(user, reply):
        raise NotAllowed(_l("Only the author can remove this reply."))
    reply.deleted_at = utcnow()
    reply.body = reply.body_html = ""
    db.session.execute(sa.delete(Reaction).where(Reaction.reply_id == reply.id))
    reply.helpful_count = 0
    db.session.execute(sa.delete(Revision).where(Revision.target == "reply", Revision.target_id == reply.id))
    db.session.execute(sa.delete(Mention).where(Mention.target == "reply", Mention.target_id == reply.id))
    if reply.discussion.accepted_reply_id == reply.id:
        reply.discussion.accepted_reply_id = None
    search_index.reply_changed(reply, reply.discussion.community_id)  # removed: it leaves the index
    _send_reply(reply, "removed")
    db.session.commit()
    return reply


def set_helpful(user, reply, helpful=True):
    """Mark (or unmark) a reply as helpful: one mark per user per reply."""
    if not permissions.can_react(user, reply):
        raise NotAllowed(_l("You cannot mark this reply as helpful."))
    existing = db.session.scalar(sa.select(Reaction).where(Reaction.reply_id == reply.id,
                                                           Reaction.user_id == user.id))
    if helpful and existing is None:
        db.session.add(Reaction(reply_id=reply.id, user_id=user.id))
    elif not helpful and existing is not None:
        db.session.delete(existing)
    else:
        return reply
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # the same click twice at once
        db.session.rollback()
        return reply
    reply.helpful_count = db.session.scalar(sa.select(sa.func.count(Reaction.id))
                                            .where(Reaction.reply_id == reply.id))
    send_event_on_commit(streams.discussion(reply.discussion_id), "reaction", "changed",
                         **payloads.reaction_data(reply))
    db.session.commit()
    return reply


def accept_answer(user, discussion, reply=None):
    """The discussion's author or a coordinator marks one reply as the answer (None clears it)."""
    if not permissions.can_accept_answer(user, discussion):
        raise NotAllowed(_l("Only the person who started the discussion or a coordinator can do this."))
    if reply is not None and (reply.discussion_id != discussion.id or reply.is_deleted):
        raise ActionError(_l("Choose a reply of this discussion."), field="reply")
    discussion.accepted_reply_id = reply.id if reply else None
    _send(discussion, "answer")
    db.session.commit()
    return discussion


def set_pinned(user, discussion, pinned):
    if not permissions.can_coordinate(user, discussion.community):
        raise NotAllowed(_l("Only coordinators can pin discussions."))
    if discussion.pinned == bool(pinned):
        return discussion
    discussion.pinned = bool(pinned)
    moderation.record_discussion_control(user, discussion, "pin" if pinned else "unpin")
    _send(discussion, "pinned")
    db.session.commit()
    return discussion


def set_locked(user, discussion, locked, reason=""):
    if not permissions.can_coordinate(user, discussion.community):
        raise NotAllowed(_l("Only coordinators can lock discussions."))
    discussion.locked = bool(locked)
    discussion.lock_reason = clean_line(reason, "reason", EDIT_NOTE_MAX, required=False) if locked else ""
    moderation.record_discussion_control(user, discussion, "lock" if locked else "unlock", discussion.lock_reason)
    _send(discussion, "locked")
    db.session.commit()
    return discussion


def _read_mark(user, discussion):
    return db.session.scalar(sa.select(ReadMark).where(ReadMark.discussion_id == discussion.id,
                                                       ReadMark.user_id == user.id))


def _set_read_mark(user, discussion, mark, number):
    if mark is None:
        db.session.add(ReadMark(discussion_id=discussion.id, user_id=user.id, last_read_number=number))
    elif number > mark.last_read_number:
        mark.last_read_number = number


def _mark_read(user, discussion, number):
    _set_read_mark(user, discussion, _read_mark(user, discussion), number)


def mark_read(user, discussion, number):
    """Remember how far the user has read (sent by the page as they read; never goes back)."""
    if not permissions.can_read_discussion(user, discussion):
        raise NotAllowed(_l("You cannot read this discussion."))
    number = max(0, min(int(number), discussion.reply_count))
    _mark_read(user, discussion, number)
    notifications.mark_discussion_read(user, discussion, number)  # what they have now seen
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # two tabs at once: the other one wrote the mark
        db.session.rollback()


def rerender_discussions():
    """Re-render discussions and replies made by an older renderer. Returns how many changed."""
    count = 0
    for model in (Discussion, Reply):
        rows = db.session.scalars(sa.select(model).where(model.render_version < markup.RENDER_VERSION,
                                                         model.body != "")).all()
        for row in rows:
            row.body_html, _mentioned = render(row.body, users_for_mentions(row.body))
            row.render_version = markup.RENDER_VERSION
            count += 1
    db.session.commit()
    return count


