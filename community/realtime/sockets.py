"""Live updates over Socket.IO: connection handling, rooms, and the ephemeral "typing" and
"who is here" signals.

Connections must come from a signed-in browser (the login session) and the default same-origin
policy stays in force (no cors_allowed_origins='*'). A client asks to follow a thing by kind and
id; community.permissions decides, and the room name comes from community.realtime.streams.
Events are sent only by actions, after their commit (community.realtime.events). create_app
wires these handlers in (init_app).
"""
import threading
import time

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user
from flask_socketio import disconnect, emit, join_room, leave_room, rooms

from community import permissions
from community.extensions import db, socketio
from community.realtime import access, store, streams
from community.realtime.events import last_seq

TYPING_EVERY_SECONDS = 2.5  # a socket's "typing" signals are passed on at most this often
_typing_sent = {}


def init_app(app):
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config.get("REDIS_URL") or None,
        # Redis pub/sub channels ignore database numbers: two sites (or a staging copy) on one
        # Redis must each have their own channel, or they receive each other's events.
        channel=app.config["SOCKETIO_CHANNEL"],
        manage_session=False,  # use Flask's session as it is, so logout applies to sockets too
        # Browsers send only tiny messages (follow, typing); refuse anything big outright.
        max_http_buffer_size=app.config.get("SOCKETIO_MAX_MESSAGE_BYTES", 16 * 1024),
        logger=False,
        engineio_logger=False,
    )
    if app.config["SOCKETIO_ASYNC_MODE"] == "gevent":  # gunicorn's gevent worker: the lighter websocket
        from community.realtime import transport

        transport.install(socketio.server.eio)


def _reader():
    """The signed-in user, or None: not signed in, or the database cannot answer now (an
    outage, a deadlock); then nothing is raised in the handler's thread."""
    try:
        return current_user._get_current_object() if current_user.is_authenticated else None
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None


def _signed_in():
    """Every message re-reads the login session: a socket whose session ended is closed, and so
    is one whose session cannot be read (the browser reconnects and catches up once it can)."""
    if _reader() is not None:
        return True
    disconnect()
    return False


def _target(data):
    if not isinstance(data, dict):
        return None, None
    kind, object_id = data.get("kind"), data.get("id")
    if not isinstance(kind, str) or len(kind) > 20:
        return None, None
    platform_queue = kind == "moderation" and object_id == 0 and not isinstance(object_id, bool)
    if not platform_queue and not permissions.valid_row_id(object_id):
        return None, None
    return kind, object_id


@socketio.on("connect")
def on_connect(auth=None):
    if not current_user.is_authenticated:
        return False  # refuse anonymous connections
    try:
        join_room(streams.user(current_user.id))
    except (ValueError, KeyError):  # gone again before we got here
        return False
    store.add_socket(current_user.id, request.sid)
    return None


@socketio.on("disconnect")
def on_disconnect(*args):
    for room in rooms():
        if streams.parse(room)[0] == "discussion":
            store.clear_present(room, request.sid)
            _send_presence(room)
    _typing_sent.pop(request.sid, None)
    store.remove_follow(request.sid)
    reader = _reader()
    if reader is not None:
        store.remove_socket(reader.id, request.sid)


@socketio.on("follow")
def on_follow(data=None):
    """Join a thing's room. The answer says where the stream stands, so the browser can catch up
    from its last number; a refusal looks the same for missing and forbidden things."""
    if not _signed_in():
        return {"ok": False, "error": "not_signed_in"}
    kind, object_id = _target(data)
    stream = permissions.access_live_stream(kind, object_id, current_user) if kind else None
    if stream is None:
        return {"ok": False, "error": "not_found"}
    try:
        join_room(stream)
    except (ValueError, KeyError):  # the socket went away while this was handled (a page change)
        return {"ok": False, "error": "gone"}
    access.remember_follow(request.sid, current_user.id, stream)
    if kind == "discussion":
        store.set_present(stream, request.sid, current_user.id, current_user.display_name)
        _send_presence(stream, newcomer=request.sid)
    return {"ok": True, "stream": stream, "last": last_seq(stream)}


@socketio.on("unfollow")
def on_unfollow(data=None):
    kind, object_id = _target(data)
    if kind is None:
        return {"ok": False, "error": "not_found"}
    stream = streams.name(kind, object_id)
    own = streams.user(current_user.id) if current_user.is_authenticated else None
    if stream in rooms() and stream != own:
        store.remove_follow(request.sid, stream)
        try:
            leave_room(stream)
        except (ValueError, KeyError):
            return {"ok": True}
        if kind == "discussion":
            store.clear_present(stream, request.sid)
            _send_presence(stream)
    return {"ok": True}


@socketio.on("here")
def on_here(data=None):
    """The page is still open: keep this person in "who is here" (sent every minute or so). The
    answer carries the stream's latest number: a page that missed an event while the message
    queue was down (and saw no later event yet) notices and catches up."""
    if not _signed_in():
        return None
    kind, object_id = _target(data)
    stream = streams.name(kind, object_id) if kind else None
    if stream is None or stream not in rooms():
        return None
    if kind == "discussion":
        store.set_present(stream, request.sid, current_user.id, current_user.display_name)
    return {"last": last_seq(stream)}


@socketio.on("typing")
def on_typing(data=None):
    """Pass "X is typing" to the others in a discussion the socket follows; nothing is stored."""
    if not _signed_in():
        return None
    kind, object_id = _target(data)
    stream = streams.discussion(object_id) if kind == "discussion" else None
    if stream is None or stream not in rooms():
        return None
    from community.models import Discussion

    discussion = permissions.get_row(Discussion, object_id)
    if discussion is None or not permissions.can_reply(current_user, discussion):
        return None  # a muted member (or a locked discussion) has nothing to type
    now = time.monotonic()
    if now - _typing_sent.get(request.sid, 0) < TYPING_EVERY_SECONDS:
        return None
    _typing_sent[request.sid] = now
    emit("typing", {"stream": stream, "user_id": current_user.id, "name": current_user.display_name},
         to=stream, include_self=False)
    return None


PRESENCE_IMMEDIATE_MAX = 50  # rooms with more people get "who is here" at most once a second
PRESENCE_EVERY_SECONDS = 1.0
_presence_lock = threading.Lock()
_presence_sent = {}  # stream -> (monotonic time, people) this process last sent to the room
_presence_later = set()  # streams with a trailing send scheduled


PRESENCE_NAMES_MAX = 20  # a page names at most this many people, and says how many more


def _people(stream):
    people = store.present(stream)
    return {"people": [{"user_id": user_id, "name": name} for user_id, name in people[:PRESENCE_NAMES_MAX]],
            "count": len(people)}


def _send_presence(stream, newcomer=None):
    """Tell the room who is here. Sending the whole list to everybody on every join made a room
    that N sockets join cost N²/2 messages (1,000 followers: ~500,000 messages, ~30 s of a
    server core). So: a newcomer gets the list for itself; the room hears only when the list of
    people changed; and a big room hears at most once a second (the last change always goes
    out, from a trailing send)."""
    people = _people(stream)
    if newcomer is not None:
        socketio.emit("presence", dict(people, stream=stream), to=newcomer)
    with _presence_lock:
        at, last = _presence_sent.get(stream, (0.0, None))
        if people == last:
            return
        wait = at + PRESENCE_EVERY_SECONDS - time.monotonic()
        if people["count"] > PRESENCE_IMMEDIATE_MAX and wait > 0:
            if stream not in _presence_later:
                _presence_later.add(stream)
                socketio.start_background_task(_send_presence_later, current_app._get_current_object(),
                                               stream, wait)
            return
        _remember_presence(stream, people)
    socketio.emit("presence", dict(people, stream=stream), to=stream, skip_sid=newcomer)


def _remember_presence(stream, people):
    if people["count"]:
        _presence_sent[stream] = (time.monotonic(), people)
    else:
        _presence_sent.pop(stream, None)  # an empty room is forgotten, so the dict stays small


def _send_presence_later(app, stream, wait):
    socketio.sleep(wait)
    with app.app_context():
        people = _people(stream)
        with _presence_lock:
            _presence_later.discard(stream)
            _remember_presence(stream, people)
        socketio.emit("presence", dict(people, stream=stream), to=stream)
