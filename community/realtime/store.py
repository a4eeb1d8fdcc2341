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
_memory = {"sockets": {}, "presence": {}}
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
    return "leerkring:" + ":".join(str(part) for part in parts)


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
