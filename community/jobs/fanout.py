"""Notifications fanned out to their recipients after the action's commit. Each job loads what
it is about afresh and checks every recipient's right at that moment (something hidden or made
private meanwhile reaches nobody); ``key`` makes a retry skip whom it already notified."""
from community.jobs import job


def _load(model, object_id):
    from community import permissions

    return permissions.get_row(model, object_id)


@job()
def reply_posted(actor_id, reply_id, mentioned_ids, key):
    from community.actions import notifications
    from community.models import Reply, User

    reply, actor = _load(Reply, reply_id), _load(User, actor_id)
    if reply is not None and actor is not None and not reply.is_hidden and not reply.is_deleted:
        notifications.deliver_reply(actor, reply, mentioned_ids, key)


@job()
def discussion_started(actor_id, discussion_id, mentioned_ids, key):
    from community.actions import notifications
    from community.models import Discussion, User

    discussion, actor = _load(Discussion, discussion_id), _load(User, actor_id)
    if discussion is not None and actor is not None and not discussion.is_hidden:
        notifications.deliver_new_discussion(actor, discussion, mentioned_ids, key)


@job()
def mentioned(actor_id, object_type, object_id, mentioned_ids, title, key):
    from community.actions import notifications
    from community.models import User

    actor = _load(User, actor_id)
    if actor is not None:
        notifications.deliver_mentions(actor, object_type, object_id, mentioned_ids, title, key)


@job()
def trajectory_activity(actor_id, trajectory_id, what, data, key):
    from community.actions import notifications
    from community.models import Trajectory, User

    trajectory = _load(Trajectory, trajectory_id)
    if trajectory is not None:
        notifications.deliver_trajectory(_load(User, actor_id) if actor_id else None, trajectory, what, data, key)


@job()
def join_requested(user_id, community_id, key):
    from community.actions import notifications
    from community.models import Community, User

    user, community = _load(User, user_id), _load(Community, community_id)
    if user is not None and community is not None:
        notifications.deliver_join_request(user, community, key)


@job()
def membership_approved(actor_id, member_id, community_id, key):
    from community.actions import notifications
    from community.models import Community, User

    member, community = _load(User, member_id), _load(Community, community_id)
    if member is not None and community is not None:
        notifications.deliver_membership_approved(_load(User, actor_id), member, community, key)
