"""Notifications and follow levels. The triggering actions call ``notify_*`` inside their
transaction; that queues a job which, after the commit, writes the rows and sends the live
"notification" events (on rollback nothing is queued).

Who hears about what:
- a reply: people following the discussion (its author, and whoever replied, follow it unless
  they chose otherwise; anyone can choose "following");
- a new discussion: people following the community;
- an @mention: the mentioned person (instead of a reply notification for the same post);
- trajectory activity: participants and followers of the trajectory;
- a join request: the community's coordinators; an approved request: the member.
"Muted" on the community, the discussion or the trajectory silences all of it. A notification is
made only for someone who may see the thing, and listed only while they still may.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import permissions
from community.actions import ActionError
from community.extensions import db
from community.models import (
    CommunityMembership, FollowLevel, Notification, OrganisationMembership, Reply, TrajectoryFollow,
    TrajectoryParticipant, User, utcnow,
)
from community.jobs import enqueue_on_commit, fanout
from community.queries.notifications import unread_counts
from community.realtime import payloads, streams
from community.realtime.events import send_event_on_commit


# --- follow levels -------------------------------------------------------------------------------

def levels_for(target, target_id, user_ids=None):
    """{user id: level} of the explicit choices for one thing."""
    stmt = sa.select(FollowLevel.user_id, FollowLevel.level).where(
        FollowLevel.target == target, FollowLevel.target_id == target_id)
    if user_ids is not None:
        stmt = stmt.where(FollowLevel.user_id.in_(list(user_ids)))
    return dict(db.session.execute(stmt).all())


def level_of(user, target, obj):
    """The level a page shows: the user's choice, else the default (authors follow their
    discussions; following a trajectory is its TrajectoryFollow row)."""
    if not getattr(user, "is_authenticated", False):
        return "normal"
    level = levels_for(target, obj.id, [user.id]).get(user.id)
    if target == "trajectory" and level != "muted":
        followed = db.session.scalar(sa.select(TrajectoryFollow.id).where(
            TrajectoryFollow.trajectory_id == obj.id, TrajectoryFollow.user_id == user.id))
        return "following" if followed else "normal"
    if level is None and target == "discussion" and obj.author_id == user.id:
        return "following"
    return level or "normal"


def set_follow_level(user, target, obj, level):
    """The user's choice for a community, discussion or trajectory. Needs read access."""
    if level not in ("following", "normal", "muted"):
        raise ActionError(_l("Choose following, normal or muted."), field="level")
    if not permissions.can_follow_live(user, target, obj) or target == "case":
        raise ActionError(_l("You cannot follow this."), status=404, code="not_found")
    if target == "trajectory":  # following a trajectory has its own table (the "Trajecten" lists)
        follow = db.session.scalar(sa.select(TrajectoryFollow).where(
            TrajectoryFollow.trajectory_id == obj.id, TrajectoryFollow.user_id == user.id))
        if level == "following" and follow is None:
            db.session.add(TrajectoryFollow(trajectory_id=obj.id, user_id=user.id))
        elif level != "following" and follow is not None:
            db.session.delete(follow)
    row = db.session.scalar(sa.select(FollowLevel).where(
        FollowLevel.user_id == user.id, FollowLevel.target == target, FollowLevel.target_id == obj.id))
    stored = "normal" if target == "trajectory" and level == "following" else level
    if row is None:
        db.session.add(FollowLevel(user_id=user.id, target=target, target_id=obj.id, level=stored))
    else:
        row.level = stored
    db.session.commit()
    return level


def follow_by_default(user, discussion):
    """Starting or replying to a discussion follows it, unless the user chose a level already."""
    if discussion.id is None or chose_level(user, discussion):
        return
    follow(user, discussion)


def chose_level(user, discussion):
    return user.id in levels_for("discussion", discussion.id, [user.id])


def follow(user, discussion):
    db.session.add(FollowLevel(user_id=user.id, target="discussion", target_id=discussion.id,
                               level="following"))


# --- making notifications ------------------------------------------------------------------------
# The triggering actions call notify_*: that queues a job for after their commit (constant work
# in the request, whatever the audience). The job calls deliver_*, which checks each recipient's
# right at that moment, writes the rows and sends each recipient's live event; ``key`` (one per
# queueing) lets a retried job skip whom it already notified.

def notify_reply(actor, reply, mentioned_ids):
    enqueue_on_commit(fanout.reply_posted, actor.id, reply.id, sorted(mentioned_ids or ()))


def notify_new_discussion(actor, discussion, mentioned_ids):
    enqueue_on_commit(fanout.discussion_started, actor.id, discussion.id, sorted(mentioned_ids or ()))


def notify_mentions(actor, object_type, object_id, mentioned_ids, title):
    """New mentions in an edited post or a published case (record_mentions says which)."""
    if mentioned_ids:
        enqueue_on_commit(fanout.mentioned, actor.id, object_type, object_id, sorted(mentioned_ids), title)


def notify_trajectory(actor, trajectory, what, **data):
    enqueue_on_commit(fanout.trajectory_activity, getattr(actor, "id", None), trajectory.id, what, data)


def notify_join_request(user, community):
    enqueue_on_commit(fanout.join_requested, user.id, community.id)


def notify_membership_approved(actor, member, community):
    enqueue_on_commit(fanout.membership_approved, actor.id, member.id, community.id)


def _readers(user_ids, community, can_see):
    """The users among user_ids who may see the thing (memberships loaded in one query)."""
    if not user_ids:
        return []
    users = db.session.scalars(sa.select(User).where(User.id.in_(sorted(user_ids)),
                                                     User.active.is_(True))).all()
    memberships = {m.user_id: m for m in db.session.scalars(sa.select(CommunityMembership).where(
        CommunityMembership.community_id == community.id, CommunityMembership.user_id.in_(sorted(user_ids))))}
    for user in users:
        permissions.prime_memberships(user, {community.id: memberships.get(user.id)})
    return [user for user in users if can_see(user)]


def schedule_batches(user_ids, kind):
    from community.actions import notification_mail

    notification_mail.schedule_batches(user_ids, kind)


def _create(users, kind, actor, community, object_type, object_id, key, **data):
    """One notification per user (none twice for the same job ``key``), written with one INSERT
    and read back with one SELECT whatever the number of users; each gets a live item."""
    done = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.source == key)))
    user_ids = sorted({user.id for user in users} - done)
    if not user_ids:
        return []
    now = utcnow()
    common = dict(kind=kind, actor_id=getattr(actor, "id", None), community_id=getattr(community, "id", None),
                  object_type=object_type, object_id=object_id, data=data, created_at=now, source=key)
    db.session.execute(sa.insert(Notification.__table__), [dict(common, user_id=user_id) for user_id in user_ids])
    schedule_batches(user_ids, kind)  # mentions and replies also by mail, gathered over ten minutes
    ids = dict(db.session.execute(sa.select(Notification.user_id, Notification.id).where(
        Notification.source == key, Notification.kind == kind, Notification.user_id.in_(user_ids))).all())
    unread = unread_counts(user_ids)
    html = payloads.notification_items(ids[user_ids[0]])
    for user_id in user_ids:
        send_event_on_commit(streams.user(user_id), "notification", "new",
                             subject=streams.subject(object_type, object_id),  # hiding it blanks the title here too
                             build=lambda row_id=ids[user_id], count=unread.get(user_id, 0):
                             payloads.notification_data(row_id, kind, count, html(row_id)))
    return [ids[user_id] for user_id in user_ids]


def _muted_in_community(community_id, user_ids):
    return {user_id for user_id, level in levels_for("community", community_id, user_ids).items()
            if level == "muted"}


def deliver_reply(actor, reply, mentioned_ids, key):
    """A new reply: the discussion's followers hear of it; mentioned people get a mention."""
    discussion = reply.discussion
    community = discussion.community
    levels = levels_for("discussion", discussion.id)
    followers = {user_id for user_id, level in levels.items() if level == "following"}
    if discussion.author_id and discussion.author_id not in levels:
        followers.add(discussion.author_id)  # the author follows unless they chose otherwise
    muted = {user_id for user_id, level in levels.items() if level == "muted"}
    mentioned = set(mentioned_ids or ()) - muted
    candidates = (followers | mentioned) - {actor.id}
    muted |= _muted_in_community(community.id, candidates)
    readers = _readers(candidates - muted, community,
                       lambda user: permissions.can_read_discussion(user, discussion))
    data = dict(title=discussion.title, number=reply.number)
    _create([u for u in readers if u.id in mentioned], "mention", actor, community, "discussion",
            discussion.id, key, **data)
    _create([u for u in readers if u.id not in mentioned], "reply", actor, community, "discussion",
            discussion.id, key, **data)
    db.session.commit()


def deliver_new_discussion(actor, discussion, mentioned_ids, key):
    community = discussion.community
    levels = levels_for("community", community.id)
    followers = {user_id for user_id, level in levels.items() if level == "following"}
    mentioned = set(mentioned_ids or ()) - {u for u, level in levels.items() if level == "muted"}
    readers = _readers((followers | mentioned) - {actor.id}, community,
                       lambda user: permissions.can_read_discussion(user, discussion))
    data = dict(title=discussion.title, number=0)
    _create([u for u in readers if u.id in mentioned], "mention", actor, community, "discussion",
            discussion.id, key, **data)
    _create([u for u in readers if u.id not in mentioned], "new_discussion", actor, community,
            "discussion", discussion.id, key, **data)
    db.session.commit()


def deliver_mentions(actor, object_type, object_id, mentioned_ids, title, key):
    """``object_type`` "discussion" (a post in it) or "case"; each reader must still see it."""
    from community.models import Case, Discussion

    target = permissions.get_row({"discussion": Discussion, "case": Case}[object_type], object_id)
    if target is None or target.is_hidden:
        return
    community = target.community
    muted = _muted_in_community(community.id, mentioned_ids)
    readers = _readers(set(mentioned_ids or ()) - muted - {actor.id}, community,
                       lambda reader: permissions.can_follow_live(reader, object_type, target))
    _create(readers, "mention", actor, community, object_type, object_id, key, title=title, number=0)
    db.session.commit()


def deliver_trajectory(actor, trajectory, what, data, key):
    """Activity in a trajectory: its participants and followers hear of it, and of a milestone
    signed off its owners (the company's managers) too."""
    ids = set(db.session.scalars(sa.select(TrajectoryParticipant.user_id).where(
        TrajectoryParticipant.trajectory_id == trajectory.id)))
    ids |= set(db.session.scalars(sa.select(TrajectoryFollow.user_id).where(
        TrajectoryFollow.trajectory_id == trajectory.id)))
    if what == "milestone_signed_off":
        ids |= set(db.session.scalars(sa.select(OrganisationMembership.user_id).where(
            OrganisationMembership.organisation_id == trajectory.organisation_id,
            OrganisationMembership.role == "manager", OrganisationMembership.state == "active")))
    muted = {u for u, level in levels_for("trajectory", trajectory.id, ids).items() if level == "muted"}
    readers = _readers(ids - muted - {getattr(actor, "id", None)}, trajectory.community,
                       lambda user: permissions.can_view_trajectory(user, trajectory))
    kind = "milestone_signed_off" if what == "milestone_signed_off" else "trajectory"
    _create(readers, kind, actor, trajectory.community, "trajectory", trajectory.id, key,
            title=trajectory.title, what=what, **data)
    db.session.commit()


def deliver_join_request(user, community, key):
    coordinators = set(db.session.scalars(sa.select(CommunityMembership.user_id).where(
        CommunityMembership.community_id == community.id, CommunityMembership.role == "coordinator",
        CommunityMembership.state == "active")))
    readers = _readers(coordinators - {user.id}, community,
                       lambda coordinator: permissions.can_coordinate(coordinator, community))
    _create(readers, "join_request", user, community, "community", community.id, key, name=community.name)
    db.session.commit()


def deliver_membership_approved(actor, member, community, key):
    readers = _readers({member.id}, community, lambda user: permissions.can_view_community(user, community))
    _create(readers, "membership_approved", actor, community, "community", community.id, key,
            name=community.name)
    db.session.commit()


def deliver_export_ready(user, export, key):
    """The user's data export is ready: a notification for them alone (it is their own)."""
    _create([user], "export_ready", None, None, "export", export.id, key)


# --- reading them --------------------------------------------------------------------------------

def _mark(user, *conditions):
    """One UPDATE of the user's unread notifications matching ``conditions``; other tabs hear
    the new count after commit (the caller commits)."""
    stmt = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None), *conditions)
    changed = db.session.execute(stmt.values(read_at=utcnow()),
                                 execution_options={"synchronize_session": False}).rowcount
    if changed:
        send_event_on_commit(streams.user(user.id), "notification", "read",
                             **payloads.notifications_read(unread_counts([user.id]).get(user.id, 0)))
    return changed


def mark_read(user, notification_ids=None):
    """Mark some (or all) of the user's notifications read; other tabs hear the new count."""
    conditions = []
    if notification_ids is not None:
        ids = [i for i in notification_ids if permissions.valid_row_id(i)][:500]
        conditions.append(Notification.id.in_(ids))
    changed = _mark(user, *conditions)
    db.session.commit()
    return changed


def mark_read_about(user, notification):
    """Opening a notification: it and the earlier ones about the same thing are read (the
    centre shows them as one line)."""
    changed = _mark(user, Notification.object_type == notification.object_type,
                    Notification.object_id == notification.object_id, Notification.id <= notification.id)
    db.session.commit()
    return changed


def mark_read_on(user, object_type, object_id):
    """The reader opened the page of a case or trajectory: its notifications are read (their
    own notifications only, so nothing else needs loading). One statement."""
    changed = _mark(user, Notification.object_type == object_type, Notification.object_id == object_id)
    db.session.commit()
    return changed


def mark_discussion_read(user, discussion, number):
    """The reader has seen the discussion up to reply ``number``: its notifications from before
    the next reply was written are read (no commit: part of discussions.mark_read). One
    statement, whatever the number of notifications."""
    next_reply = (sa.select(Reply.created_at).where(Reply.discussion_id == discussion.id, Reply.number == number + 1)
                  .scalar_subquery())
    return _mark(user, Notification.object_type == "discussion", Notification.object_id == discussion.id,
                 sa.or_(next_reply.is_(None), Notification.created_at < next_reply))
