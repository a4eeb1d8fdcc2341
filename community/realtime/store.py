"""Who is connected: each user's socket ids (to end them on revocation) and who is present in
a discussion. Ephemeral, never in the database: in this process for the embedded default, in
Redis when REDIS_URL is set so every process sees the same picture.
"""
import threading
import time

from flask import current_app

from community.extensions import socketio

PRESENCE_SECONDS = 90  # a presence entry not refreshed within this time is dropped
_lock = threading.Lock()
_memory = {"sockets": {}, "presence": {}, "follows": {}, "sid_follows": {}}
_redis_clients = {}


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url not in _redis_clients:
        import redis

        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                                                   decode_responses=True)
    return _redis_clients[url]


def _key(*parts):
    # Two sites on one Redis each have their own channel; their keys stay apart the same way.
    return current_app.config["SOCKETIO_CHANNEL"] + ":" + ":".join(str(part) for part in parts)


def add_socket(user_id, sid):
    client = _redis()
    if client is None:
        with _lock:
            _memory["sockets"].setdefault(user_id, set()).add(sid)
        return
    try:
        client.sadd(_key("sockets", user_id), sid)
        client.expire(_key("sockets", user_id), 7 * 24 * 3600)
    except Exception:  # noqa: BLE001 - Redis down: the socket still works, revocation falls
        current_app.logger.exception("could not record socket")  # back to the next event check


def remove_socket(user_id, sid):
    client = _redis()
    if client is None:
        with _lock:
            _memory["sockets"].get(user_id, set()).discard(sid)
        return
    try:
        client.srem(_key("sockets", user_id), sid)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("could not forget socket")


def sockets_of(user_id):
    client = _redis()
    if client is None:
        with _lock:
            return sorted(_memory["sockets"].get(user_id, set()))
    try:
        return sorted(client.smembers(_key("sockets", user_id)))
    except Exception:  # noqa: BLE001
        current_app.logger.exception("could not list sockets")
        return []


def disconnect_user(user_id):
    """End every socket of the user on every process (the queue carries it to the others)."""
    for sid in sockets_of(user_id):
        try:
            socketio.server.disconnect(sid, namespace="/")
        except Exception:  # noqa: BLE001 - an already gone socket is fine
            current_app.logger.exception("could not disconnect %s", sid)
        remove_socket(user_id, sid)


# --- who follows which room, by scope -----------------------------------------------------------
# When access changes, the sockets that follow rooms under the changed thing are re-checked
# (community.realtime.access). A follow is filed under each scope it depends on: the community
# the room belongs to ("community:5", or "platform" for the admins' queue) and the user
# ("user:7"), so both "the community went private" and "this member was banned" find it.
FOLLOW_SECONDS = 7 * 24 * 3600  # entries of a process that died expire by themselves


def add_follow(sid, user_id, room, scopes):
    client = _redis()
    if client is None:
        with _lock:
            for scope in scopes:
                _memory["follows"].setdefault(scope, {})[(sid, room)] = user_id
                _memory["sid_follows"].setdefault(sid, set()).add((scope, room))
        return
    try:
        pipe = client.pipeline()
        for scope in scopes:
            pipe.hset(_key("follows", scope), f"{sid} {room}", user_id)
            pipe.expire(_key("follows", scope), FOLLOW_SECONDS)
            pipe.sadd(_key("sid", sid), f"{scope} {room}")
        pipe.expire(_key("sid", sid), FOLLOW_SECONDS)
        pipe.execute()
    except Exception:  # noqa: BLE001 - Redis down: the socket is not found by a re-check; the
        current_app.logger.exception("could not record follow")  # catch-up still filters


def remove_follow(sid, room=None):
    """Forget one room of a socket, or (room None) all of them."""
    client = _redis()
    if client is None:
        with _lock:
            entries = _memory["sid_follows"].get(sid, set())
            for scope, followed in list(entries):
                if room is None or followed == room:
                    _memory["follows"].get(scope, {}).pop((sid, followed), None)
                    if not _memory["follows"].get(scope, True):
                        _memory["follows"].pop(scope, None)
                    entries.discard((scope, followed))
            if not entries:
                _memory["sid_follows"].pop(sid, None)
        return
    try:
        entries = client.smembers(_key("sid", sid))
        pipe = client.pipeline()
        for entry in entries:
            scope, _, followed = entry.partition(" ")
            if room is None or followed == room:
                pipe.hdel(_key("follows", scope), f"{sid} {followed}")
                pipe.srem(_key("sid", sid), entry)
        pipe.execute()
    except Exception:  # noqa: BLE001
        current_app.logger.exception("could not forget follow")


def follows_in(scope):
    """{(sid, room): user id} of the sockets following rooms filed under scope."""
    client = _redis()
    if client is None:
        with _lock:
            return dict(_memory["follows"].get(scope, {}))
    try:
        raw = client.hgetall(_key("follows", scope))
    except Exception:  # noqa: BLE001
        current_app.logger.exception("could not read follows")
        return {}
    out = {}
    for field, user_id in raw.items():
        sid, _, room = field.partition(" ")
        out[(sid, room)] = int(user_id)
    return out


# --- presence ("who is here") ------------------------------------------------------------------

def set_present(stream, sid, user_id, name):
    now = time.time()
    client = _redis()
    value = f"{user_id}|{name}"
    if client is None:
        with _lock:
            _memory["presence"].setdefault(stream, {})[sid] = (now, value)
        return
    try:
        client.hset(_key("presence", stream), sid, f"{now}|{value}")
        client.expire(_key("presence", stream), PRESENCE_SECONDS * 2)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("could not store presence")


def clear_present(stream, sid):
    client = _redis()
    if client is None:
        with _lock:
            _memory["presence"].get(stream, {}).pop(sid, None)
        return
    try:
        client.hdel(_key("presence", stream), sid)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("could not clear presence")


def present(stream):
    """[(user id, name)] of people with a live page on the stream, one entry per person."""
    cutoff = time.time() - PRESENCE_SECONDS
    client = _redis()
    if client is None:
        with _lock:
            entries = [value for at, value in _memory["presence"].get(stream, {}).values() if at >= cutoff]
    else:
        try:
            raw = client.hgetall(_key("presence", stream)).values()
        except Exception:  # noqa: BLE001
            current_app.logger.exception("could not read presence")
            raw = []
        entries = []
        for item in raw:
            at, _, value = item.partition("|")
            if float(at or 0) >= cutoff:
                entries.append(value)
    people = {}
    for value in entries:
        user_id, _, name = value.partition("|")
        people[int(user_id)] = name
    return sorted(people.items(), key=lambda person: person[1].lower())
