"""Every stream name is built here. A stream is the numbered line of events about one thing
("discussion:12"), and its Socket.IO room has the same name. A client never names one: it asks
for a kind and an id, community.permissions.access_live_stream decides, and the name comes from
here. The same "kind:id" shape names what an event is about (its subject, "reply:7"), the
audience of a feed line (a trajectory's stream) and where a follow is filed (community.realtime.access).
"""
PLATFORM_QUEUE = 0  # "moderation:0": the admins' review queue of every community


def name(kind, object_id):
    return f"{kind}:{int(object_id)}"


def parse(stream):
    """(kind, id) of a name, or (kind, None) when it has no number."""
    kind, _, object_id = (stream or "").partition(":")
    return kind, int(object_id) if object_id.isdigit() else None


def community(community_id):
    return name("community", community_id)


def discussion(discussion_id):
    return name("discussion", discussion_id)


def case(case_id):
    return name("case", case_id)


def trajectory(trajectory_id):
    return name("trajectory", trajectory_id)


def user(user_id):
    """A person's own stream: notifications, and the room that reaches all their sockets."""
    return name("user", user_id)


def in_sql(kind, id_column):
    """The same name as ``name(kind, id)`` as an SQL expression of an id column (for a query
    that reads a stream by the row it loads, or matches many streams at once)."""
    import sqlalchemy as sa

    return sa.literal(f"{kind}:") + sa.cast(id_column, sa.String)


def user_in_sql(user_id):
    return in_sql("user", user_id)


def trajectory_in_sql(trajectory_id):
    return in_sql("trajectory", trajectory_id)


def moderation(community_id=PLATFORM_QUEUE):
    """A community's review queue, or (no id) the admins' queue of every community."""
    return name("moderation", community_id)


def subject(kind, object_id):
    """What a logged event shows ("reply:7"), so hiding that later can blank it."""
    return name(kind, object_id)
