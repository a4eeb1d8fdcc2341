"""Moderation: reports, hiding and restoring, dismissing, moving discussions, mutes and bans.
Every step writes its audit-log row in the same transaction (``audit``), and tells open pages.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from community import permissions
from community.actions import ActionError, Conflict, NotAllowed
from community.actions.validate import check_choice, clean_line, clean_text
from community.extensions import db
from community.search import index as search_index
from community.models import (
    REPORT_REASONS, AuditEntry, Community, CommunityMembership, Discussion, Event, FeedEntry, Mention, Report, Sanction,
    utcnow,
)
from community.realtime import payloads, streams
from community.realtime.access import recheck_on_commit
from community.realtime.events import send_event_on_commit

REASON_MAX = 300
NOTE_MAX = 1000
MUTE_DAYS_MAX = 365
BAN_DAYS_MAX = 3653


def audit(actor, action, community=None, target="", target_id=None, member=None, reason="", **data):
    """The audit-log row of a moderation step (the caller commits)."""
    db.session.add(AuditEntry(community_id=getattr(community, "id", None), actor_id=getattr(actor, "id", None),
                              action=action, target=target, target_id=target_id,
                              member_id=getattr(member, "id", None), reason=reason or "", data=data))


def _community(target, item):
    return permissions.item_community(target, item)


def _title(target, item):
    return item.discussion.title if target == "reply" else item.title


# --- reports ------------------------------------------------------------------------------------

def report(user, target, item, reason, note=""):
    """A member reports an item. One open report per person per item; a few per hour."""
    if not permissions.can_report(user, target, item):
        raise ActionError(_l("You cannot report this."), status=404, code="not_found")
    reason = check_choice(reason, REPORT_REASONS, "reason")
    note = clean_text(note, "note", NOTE_MAX)
    if reason == "other" and not note:
        raise ActionError(_l("Say what is wrong (a few words are enough)."), field="note")
    community = _community(target, item)
    existing = db.session.scalar(sa.select(Report.id).where(
        Report.target == target, Report.target_id == item.id, Report.reporter_id == user.id,
        Report.status == "open"))
    if existing is not None:
        raise Conflict(_l("You already reported this; a coordinator will look at it."))
    limit = current_app.config["REPORTS_PER_HOUR"]
    recent = db.session.scalar(sa.select(sa.func.count(Report.id)).where(
        Report.reporter_id == user.id, Report.created_at > utcnow() - timedelta(hours=1)))
    if recent >= limit:
        raise ActionError(_l("You sent many reports in a short time. Try again later."), status=429,
                          code="rate_limited")
    row = Report(community_id=community.id, target=target, target_id=item.id, reporter_id=user.id,
                 reason=reason, note=note)
    db.session.add(row)
    _queue_changed(community, "reported")
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same report twice at once
        db.session.rollback()
        raise Conflict(_l("You already reported this; a coordinator will look at it."))
    return row


def _queue_changed(community, op):
    """Open review queues (the community's and the platform one) refresh themselves."""
    for stream in (streams.moderation(community.id), streams.moderation()):
        send_event_on_commit(stream, "queue", op, **payloads.queue_data(community))


def _close_reports(actor, target, item, status):
    return db.session.execute(
        sa.update(Report).where(Report.target == target, Report.target_id == item.id, Report.status == "open")
        .values(status=status, decided_at=utcnow(), decided_by_id=actor.id),
        execution_options={"synchronize_session": False}).rowcount


def _check_moderator(actor, community):
    if not permissions.can_coordinate(actor, community):
        raise NotAllowed(_l("Only coordinators of this community can do this."))


def dismiss_reports(actor, target, item, reason=""):
    """The reports on an item were not right: they close, the item stays."""
    community = _community(target, item)
    _check_moderator(actor, community)
    closed = _close_reports(actor, target, item, "dismissed")
    if not closed:
        raise Conflict(_l("There are no open reports on this."))
    audit(actor, "dismiss", community, target, item.id, item.author, clean_line(reason, "reason", REASON_MAX,
                                                                               required=False), reports=closed)
    _queue_changed(community, "decided")
    db.session.commit()
    return closed


# --- hiding and restoring ---------------------------------------------------------------------------

def hide(actor, target, item, reason):
    """Hide an item: its author sees it hidden with the reason, moderators see it marked, and it
    disappears for everyone else, from pages, lists, feeds, the API, notifications and the live
    event log. Open reports on it are resolved."""
    community = _community(target, item)
    _check_moderator(actor, community)
    reason = clean_line(reason, "reason", REASON_MAX)
    if item.is_hidden:
        raise Conflict(_l("This is already hidden."))
    if target == "reply" and item.is_deleted:
        raise Conflict(_l("This reply was removed by its author."))
    item.hidden_at, item.hidden_reason, item.hidden_by_id = utcnow(), reason, actor.id
    _close_reports(actor, target, item, "resolved")
    audit(actor, "hide", community, target, item.id, item.author, reason)
    _redact_events(target, item)
    if target == "reply":
        # No subject: it names no content, and readers who may not see the reply need it most.
        send_event_on_commit(streams.discussion(item.discussion_id), "reply", "hidden",
                             **payloads.reply_hidden(item))
    else:
        # Whoever may no longer see it leaves its room at once (on every process) and is told
        # so; its author and the moderators stay and hear that it is hidden.
        send_event_on_commit(streams.name(target, item.id), target, "hidden", **payloads.item_ref(target, item))
        recheck_on_commit(community=community)
        if target == "case" and item.discussion is not None:
            send_event_on_commit(streams.discussion(item.discussion.id), "discussion", "hidden",
                                 **payloads.item_ref("discussion", item.discussion))
        send_event_on_commit(streams.community(community.id), target, "hidden", **payloads.item_ref(target, item))
    _queue_changed(community, "decided")
    db.session.commit()
    return item


def _redact_events(target, item):
    """Blank the content of logged events about the item, so catching up cannot show it again."""
    subjects = [streams.subject(target, item.id)]
    if target == "case" and item.discussion is not None:
        subjects.append(streams.subject("discussion", item.discussion.id))
    for event in db.session.scalars(sa.select(Event).where(Event.subject.in_(subjects))).all():
        event.data = payloads.redacted(event.data)


def restore(actor, target, item):
    community = _community(target, item)
    _check_moderator(actor, community)
    if not item.is_hidden:
        raise Conflict(_l("This is not hidden."))
    reason = item.hidden_reason
    item.hidden_at, item.hidden_reason, item.hidden_by_id = None, "", None
    audit(actor, "restore", community, target, item.id, item.author, hidden_for=reason)
    if target == "reply":
        send_event_on_commit(streams.discussion(item.discussion_id), "reply", "restored",
                             subject=streams.subject("reply", item.id), build=lambda: payloads.reply_data(item))
    else:
        send_event_on_commit(streams.community(community.id), target, "restored", **payloads.item_ref(target, item))
    _queue_changed(community, "decided")
    db.session.commit()
    return item


# --- moving a discussion ---------------------------------------------------------------------------

def move_discussion(actor, discussion, community, reason=""):
    """Move a discussion to another community the coordinator also runs. Readers of the old
    community who cannot read the new one stop receiving it at once."""
    _check_moderator(actor, discussion.community)
    if discussion.case_id is not None:
        raise Conflict(_l("A practice case's discussion stays with its case."))
    if community.id == discussion.community_id:
        raise ActionError(_l("The discussion is already in this community."), field="community")
    if not permissions.can_move_discussion(actor, discussion, community):
        raise NotAllowed(_l("You can move a discussion only to another community you coordinate."))
    old = discussion.community
    reason = clean_line(reason, "reason", REASON_MAX, required=False)
    discussion.community = community  # the relationship too: the re-check at commit reads it
    search_index.discussion_moved(discussion, community.id)
    db.session.execute(sa.update(FeedEntry).where(FeedEntry.object_type == "discussion",
                                                  FeedEntry.object_id == discussion.id)
                       .values(community_id=community.id), execution_options={"synchronize_session": False})
    db.session.execute(sa.update(Mention).where(Mention.target == "discussion", Mention.target_id == discussion.id)
                       .values(community_id=community.id), execution_options={"synchronize_session": False})
    audit(actor, "move", old, "discussion", discussion.id, discussion.author, reason,
          to_community=community.id, to_name=community.name)
    audit(actor, "move", community, "discussion", discussion.id, discussion.author, reason,
          from_community=old.id, from_name=old.name)
    send_event_on_commit(streams.discussion(discussion.id), "discussion", "moved",
                         **payloads.discussion_moved(discussion, community))
    # Its followers are all filed under the old community: re-checked against the new one, and
    # those who stay are filed under it.
    recheck_on_commit(community=old, refile=True)
    db.session.commit()
    db.session.refresh(discussion)
    return discussion


# --- sanctions ------------------------------------------------------------------------------------------

def _member_of(community, user):
    return db.session.scalar(sa.select(CommunityMembership).where(
        CommunityMembership.community_id == community.id, CommunityMembership.user_id == user.id))


def mute(actor, community, user, ends_at, reason):
    """The member can read but not post until ``ends_at`` (shown to them with the reason)."""
    _check_sanction(actor, community, user)
    reason = clean_line(reason, "reason", REASON_MAX)
    now = utcnow()
    if ends_at is None or ends_at <= now:
        raise ActionError(_l("Choose an end in the future."), field="ends_at")
    if ends_at > now + timedelta(days=MUTE_DAYS_MAX):
        raise ActionError(_l("A mute lasts at most a year; ban the member instead."), field="ends_at")
    if permissions.sanction_in_force(user, community, "mute") is not None:
        raise Conflict(_l("This member is already muted; lift the mute first to change it."))
    membership = _member_of(community, user)
    if membership is None or not membership.is_active:
        raise ActionError(_l("Only members can be muted."), field="user")
    sanction = Sanction(community_id=community.id, user_id=user.id, kind="mute", reason=reason, ends_at=ends_at,
                        created_by_id=actor.id)
    db.session.add(sanction)
    audit(actor, "mute", community, "member", user.id, user, reason, ends_at=ends_at.isoformat())
    _commit()
    return sanction


def ban(actor, community, user, reason, ends_at=None):
    """The member loses their membership (and with a private community all access) and cannot
    rejoin until the ban ends or is lifted. Their live connections end at once."""
    _check_sanction(actor, community, user)
    reason = clean_line(reason, "reason", REASON_MAX)
    if ends_at is not None and ends_at <= utcnow():
        raise ActionError(_l("Choose an end in the future, or no end."), field="ends_at")
    # A far end is no end: refuse it before it reaches the database (year 9999 west of UTC
    # cannot even be stored).
    if ends_at is not None and ends_at > utcnow() + timedelta(days=BAN_DAYS_MAX):
        raise ActionError(_l("A ban with an end lasts at most ten years; choose no end instead."), field="ends_at")
    if permissions.sanction_in_force(user, community, "ban") is not None:
        raise Conflict(_l("This member is already banned."))
    membership = _member_of(community, user)
    if membership is not None:
        db.session.delete(membership)
    sanction = Sanction(community_id=community.id, user_id=user.id, kind="ban", reason=reason, ends_at=ends_at,
                        created_by_id=actor.id)
    db.session.add(sanction)
    audit(actor, "ban", community, "member", user.id, user, reason,
          ends_at=ends_at.isoformat() if ends_at else None)
    recheck_on_commit(user=user)  # out of every room of the community at once
    _commit()
    return sanction


def lift(actor, sanction):
    community = db.session.get(Community, sanction.community_id)
    _check_moderator(actor, community)
    if not sanction.in_force():
        raise Conflict(_l("This has already ended."))
    sanction.lifted_at, sanction.lifted_by_id = utcnow(), actor.id
    audit(actor, "lift", community, "member", sanction.user_id, sanction.user, kind=sanction.kind)
    _commit()
    return sanction


def _check_sanction(actor, community, user):
    _check_moderator(actor, community)
    if user.id == actor.id:
        raise ActionError(_l("You cannot sanction yourself."), field="user")
    if not permissions.can_sanction(actor, community, user):
        raise ActionError(_l("Coordinators and administrators cannot be muted or banned; take away the role "
                             "first."), field="user")


def _commit():
    db.session.commit()
    permissions.forget_memberships()


def record_edit(actor, target, item, note):
    """A coordinator edited someone else's post with a visible note: that is moderation too."""
    if item.author_id != actor.id and permissions.can_coordinate(actor, _community(target, item)):
        audit(actor, "edit", _community(target, item), target, item.id, item.author, note)


def record_discussion_control(actor, discussion, action, reason=""):
    audit(actor, action, discussion.community, "discussion", discussion.id, discussion.author, reason)


def pending_reports(community_ids):
    """{community id: open reports}, for badges (one query)."""
    return dict(db.session.execute(sa.select(Report.community_id, sa.func.count(Report.id)).where(
        Report.community_id.in_(list(community_ids)), Report.status == "open").group_by(Report.community_id)).all())


def discussion_of(item):
    return item if isinstance(item, Discussion) else None
