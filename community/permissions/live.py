"""Live updates, notifications and catching up on events: the same rules as reading the pages,
asked again whenever access may have changed."""
from community.models import Case, Community, Discussion, Trajectory, User
import community.realtime.streams as streams
from community.permissions.cases import can_view_case
from community.permissions.communities import can_view_community
from community.permissions.core import _signed_in, can_coordinate, get_row, is_admin, valid_row_id
from community.permissions.discussions import can_read_discussion
from community.permissions.hidden import can_see_reply
from community.permissions.trajectories import can_view_trajectory

LIVE_KINDS = ("community", "discussion", "case", "trajectory", "user")


def can_follow_live(user, kind, target):
    """Receive a thing's live events: the same rule as reading its page."""
    if target is None or not _signed_in(user):
        return False
    if kind == "community":
        return can_view_community(user, target)
    if kind == "discussion":
        return can_read_discussion(user, target)
    if kind == "case":
        return can_view_case(user, target)
    if kind == "trajectory":
        return can_view_trajectory(user, target)
    return kind == "user" and target.id == user.id


def access_live_stream(kind, object_id, user):
    """The stream name ("discussion:12") of a thing the user may follow live, or None: a thing
    that does not exist and one the user may not see get the same answer. The client names a
    kind and an id, never a room."""
    models = {"community": Community, "discussion": Discussion, "case": Case,
              "trajectory": Trajectory, "user": User}
    if kind == "moderation":  # a review queue: a community's (its moderators) or all (id 0, admins)
        if object_id == 0 and not isinstance(object_id, bool):
            return streams.moderation() if is_admin(user) else None
        community = get_row(Community, object_id)
        return streams.moderation(object_id) if community is not None and can_coordinate(user, community) else None
    if kind not in models or not valid_row_id(object_id):
        return None
    target = get_row(models[kind], object_id)
    return streams.name(kind, object_id) if can_follow_live(user, kind, target) else None


def can_see_notification(user, notification, targets):
    """A notification shows only while its recipient may still see what it is about.
    ``targets`` maps (object type, id) to the loaded object (one query per type for a page)."""
    if notification.user_id != getattr(user, "id", None):
        return False
    target = targets.get((notification.object_type, notification.object_id))
    if notification.kind == "join_request":
        return target is not None and can_coordinate(user, target)
    if notification.kind == "export_ready":  # their own export, while it is kept
        return target is not None and target.user_id == user.id
    return can_follow_live(user, notification.object_type, target)


def can_see_event_subject(user, kind, target, notification_kind=None):
    """A logged event about ``target`` ("reply", "discussion", "case", "trajectory",
    "community") is shown to a reader who catches up only while they may still see it: access
    may have ended since the event was sent."""
    if target is None:
        return False
    if kind == "reply":
        return can_read_discussion(user, target.discussion) and can_see_reply(user, target)
    if notification_kind == "join_request":
        return can_coordinate(user, target)
    if notification_kind == "export_ready":
        return _signed_in(user) and target.user_id == user.id
    return can_follow_live(user, kind, target)
