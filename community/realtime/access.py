"""Access that changes takes effect at once on open streams.

A socket is admitted to a room when it follows it (community.realtime.sockets.on_follow). Rights can
end later: a community goes private, a trajectory becomes confidential, a discussion is hidden
or moved, a member leaves, is removed, banned or loses a role, an organisation role changes.
Every such action calls ``recheck_on_commit`` with what changed. Just before the commit (the
change is flushed, so the rules see the new state) every socket following a room filed under
that scope is checked again with the very rule that admitted it,
``permissions.access_live_stream``; after the commit the ones that may no longer read are taken
out of the room on whichever process holds them (Socket.IO's message queue carries it) and told
so. This happens before the transaction's own events are sent, so nothing the change protects
reaches a socket that lost its right.

Catch-up over HTTP is filtered separately, at read time (community.realtime.reading).
"""
import logging

import sqlalchemy as sa

from community import permissions
from community.extensions import db, socketio
from community.realtime import store, streams

log = logging.getLogger(__name__)

PENDING = "leerkring_pending_recheck"
REVOKE = "leerkring_pending_revoke"
REFILE = "leerkring_pending_refile"
PLATFORM = "platform"  # the admins' review queue depends on no community


def recheck_on_commit(community=None, user=None, platform=False, refile=False):
    """Re-check, at this transaction's commit, the followers of everything in ``community``,
    every follow of ``user``, and (``platform``) the admins' queue. ``refile``: something moved
    to another community, so the follows that stay are filed under where it is now."""
    if refile:
        db.session.info[REFILE] = True
    scopes = db.session.info.setdefault(PENDING, set())
    if community is not None:
        scopes.add(community_scope(community.id))
    if user is not None:
        scopes.add(user_scope(user.id))
    if platform:
        scopes.add(PLATFORM)


# A follow is filed under the community it belongs to and the user, named like their streams.
community_scope = streams.community
user_scope = streams.user


def scopes_for(stream, user_id):
    """Where a follow of ``stream`` is filed: its community (or the platform) and its user."""
    from community.models import Case, Discussion, Trajectory

    kind, object_id = streams.parse(stream)
    scopes = [user_scope(user_id)]
    if kind in ("community", "moderation"):
        scopes.append(community_scope(object_id) if object_id else PLATFORM)
    elif kind in ("discussion", "case", "trajectory"):
        model = {"discussion": Discussion, "case": Case, "trajectory": Trajectory}[kind]
        row = permissions.get_row(model, object_id)
        if row is not None:
            scopes.append(community_scope(row.community_id))
    return scopes


def remember_follow(sid, user_id, stream):
    store.add_follow(sid, user_id, stream, scopes_for(stream, user_id))


def collect(session):
    """Before the commit: who follows what they may no longer read."""
    scopes = session.info.pop(PENDING, None)
    if not scopes:
        return
    follows = {}
    for scope in sorted(scopes):
        follows.update(store.follows_in(scope))
    if not follows:
        return
    from community.models import User

    permissions.forget_memberships()  # the change may have altered what this request cached
    user_ids = sorted(set(follows.values()))
    users = {user.id: user for user in session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
    revoked = []
    refile = session.info.pop(REFILE, False)
    for (sid, room), user_id in sorted(follows.items(), key=lambda item: item[0][1]):
        if not _may_follow(users.get(user_id), room):
            revoked.append((sid, room, user_id))
        elif refile:
            remember_follow(sid, user_id, room)
    session.info.setdefault(REVOKE, []).extend(revoked)


def _may_follow(user, room):
    kind, object_id = streams.parse(room)
    if user is None or object_id is None:
        return False
    return permissions.access_live_stream(kind, object_id, user) == room


def apply(session):
    """After the commit: take the sockets out of the rooms, on every process, and tell them."""
    revoked = session.info.pop(REVOKE, None) or []
    for sid, room, _user_id in revoked:
        try:
            socketio.server.leave_room(sid, room, namespace="/")
            socketio.emit("revoked", {"stream": room}, to=sid)
        except Exception:  # noqa: BLE001 - never raised after a commit; catch-up still filters
            log.exception("could not take %s out of %s", sid, room)
        store.remove_follow(sid, room)
        if streams.parse(room)[0] == "discussion":
            store.clear_present(room, sid)


def drop(session):
    session.info.pop(REFILE, None)
    session.info.pop(PENDING, None)
    session.info.pop(REVOKE, None)
