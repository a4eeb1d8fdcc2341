"""The websocket under Engine.IO when gunicorn's gevent worker serves the app (production and
`make run`): a lighter stand-in for simple-websocket, chosen for what an idle socket holds and
what a room broadcast costs per socket.

simple-websocket (python-engineio's default for gevent) gives every connection a reader greenlet
of its own next to the WSGI handler that waits for it, an Event, and wsproto's handshake state
(an h11 connection) for the socket's whole life; every frame sent goes through three wrappers
and wsproto's framing, once per socket even when a room broadcast sends the same text to 1,000
sockets; and it accepts permessage-deflate, so a browser's socket keeps a zlib compressor and
decompressor (a few hundred KB) and every event is compressed again for every socket.

This one reads in the handler's own greenlet (Engine.IO already waits for messages there),
keeps only wsproto's frame parser (wsproto.connection.Connection: masks, fragments, control
frames, UTF-8 and close codes are still checked by wsproto), frames an outgoing message once and
reuses the bytes for every socket that sends the same string object (Engine.IO encodes a
broadcast's packet once and hands that one string to each socket's writer), and offers no
compression. It takes the place of the driver's `websocket` class on our own Engine.IO server
only (install()); any other server (Werkzeug for `make dev` and the tests, plain gevent) keeps
simple-websocket. Written against python-engineio 4.15 (engineio.socket.Socket calls
wait/send/close and nothing else; pinned in requirements.txt); tests/test_transport.py checks it.
"""
import os
import socket
import struct
import time

from gevent import get_hub
from gevent.event import Event
from gevent.hub import Waiter
from gevent.lock import Semaphore
from gevent.queue import Empty
from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from wsproto.frame_protocol import CloseReason
from wsproto.utilities import LocalProtocolError, generate_accept_token

RECEIVE_BYTES = 4096

_last = [None, b""]  # the last message framed and its frame (a broadcast's one string)


class RawFrame(bytes):
    """The unsent rest of a frame (a direct send the kernel took only part of)."""


class _Rest:
    """Queued for the writer in place of a packet, so that the rest goes out first."""

    def __init__(self, data):
        self.data = RawFrame(data)

    def encode(self):
        return self.data


def frame(message):
    """One unmasked, final, uncompressed frame (text for str, binary for bytes)."""
    if isinstance(message, str):
        payload, opcode = message.encode(), 0x81
    else:
        payload, opcode = bytes(message), 0x82
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", opcode, size)
    elif size < 65536:
        head = struct.pack("!BBH", opcode, 126, size)
    else:
        head = struct.pack("!BBQ", opcode, 127, size)
    return head + payload


def shared_frame(message):
    """The frame for `message`, built once for a run of sends of the same object."""
    if message is not _last[0]:
        _last[1] = frame(message)
        _last[0] = message
    return _last[1]


class GunicornWebSocket:
    """Engine.IO's `websocket` class for gevent (the interface of
    engineio.async_drivers.gevent.WebSocketWSGI): called with the WSGI environ, it answers the
    upgrade on gunicorn's socket and runs Engine.IO's handler, which calls wait() for each
    message, send() from its writer greenlet and close()."""

    def __init__(self, handler, server, fallback=None):
        self.app = handler
        self.owner = getattr(handler, "__self__", None)  # the Engine.IO socket it serves
        self.server = server
        self.fallback = fallback
        self.sock = None
        self.conn = None
        self.connected = False
        self.lock = None
        self.limit = getattr(server, "max_http_buffer_size", 1000000)

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        if sock is None and self.fallback is not None:  # not under gunicorn: the library's own
            return self.fallback(self.app, self.server)(environ, start_response)
        key = environ.get("HTTP_SEC_WEBSOCKET_KEY", "")
        if sock is None or not key or environ.get("HTTP_SEC_WEBSOCKET_VERSION") != "13":
            start_response("400 Bad Request", [("Content-Type", "text/plain"), ("Sec-WebSocket-Version", "13")])
            return [b"Bad websocket request"]
        sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: " + generate_accept_token(key.encode()) + b"\r\n\r\n")
        self.sock = sock
        self.conn = Connection(ConnectionType.SERVER)
        self.lock = Semaphore()
        self.connected = True
        queue = getattr(self.owner, "queue", None)
        if isinstance(queue, PacketQueue):
            queue.websocket = self
            queue.taken = 0  # what long-polling took before the upgrade went out over polling
        try:
            self.app(self)
        finally:
            self.connected = False
            if isinstance(queue, PacketQueue):
                queue.websocket = None
        raise StopIteration()  # gunicorn: the response was written here; close the connection

    def _send_raw(self, data):
        with self.lock:
            sent = self.sock.send(data)  # one call for a whole frame nearly always; gevent's
            if sent < len(data):  # sendall would first ask the kernel for the buffer size
                self.sock.sendall(data[sent:])

    def send(self, message):
        """Engine.IO's writer sends what it took from the queue."""
        queue = getattr(self.owner, "queue", None)
        if isinstance(queue, PacketQueue) and queue.taken:
            queue.taken -= 1
        if not self.connected:
            raise OSError("websocket closed")
        self._send_raw(message if type(message) is RawFrame else shared_frame(message))

    def send_now(self, data):
        """Write a frame without waiting, from the greenlet that emits: the number of bytes
        the kernel took (0 when its buffer is full), or None when the connection failed.
        Only while connected: the file descriptor is still this connection's (gunicorn
        closes it after __call__, which clears `connected` first)."""
        try:
            return os.write(self.sock.fileno(), data)
        except BlockingIOError:
            return 0
        except OSError:
            return None

    def close(self, reason=CloseReason.NORMAL_CLOSURE):
        if not self.connected:
            return
        self.connected = False
        try:
            if self.conn.state is ConnectionState.OPEN:
                self._send_raw(self.conn.send(CloseConnection(code=reason)))
            # wake the handler's greenlet if it waits in wait(): the socket is done
            self.sock.shutdown(socket.SHUT_RD)
        except (OSError, LocalProtocolError):
            pass

    def wait(self):
        """The next message (str or bytes), or None once the connection is closed."""
        parts, size = [], 0
        while True:
            try:
                for event in self.conn.events():  # frames already received come first
                    if isinstance(event, (TextMessage, BytesMessage)):
                        parts.append(event.data)
                        size += len(event.data)
                        if size > self.limit:
                            self.close(CloseReason.MESSAGE_TOO_BIG)
                            return None
                        if event.message_finished:
                            return "".join(parts) if isinstance(event, TextMessage) else b"".join(parts)
                    elif isinstance(event, Ping):
                        self._send_raw(self.conn.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        # the client's close (answered), or wsproto's verdict on a broken frame
                        answer = event.response() if self.conn.state is ConnectionState.REMOTE_CLOSING else event
                        self._send_raw(self.conn.send(answer))
                        self.close()
                        return None
            except (LocalProtocolError, OSError):
                self.close()
                return None
            try:
                data = self.sock.recv(RECEIVE_BYTES) if self.connected else b""
            except OSError:
                data = b""
            if not data:
                self.connected = False
                return None
            self.conn.receive_data(data)


class PacketQueue:
    """Engine.IO's per-socket packet queue (its `queue` async class: put, get with a timeout or
    without blocking, task_done, join), which sends a packet straight away when it can instead
    of waking the socket's writer greenlet for it.

    Engine.IO puts every packet for a socket in its queue and a writer greenlet per socket takes
    it out and sends it: for a room broadcast to 1,000 sockets that is 1,000 callbacks through
    the event loop, 1,000 greenlet switches, timers and queue bookkeeping, most of the server's
    CPU for a reply. Once the socket is a websocket (GunicornWebSocket), put() writes the frame
    to the connection right away when nothing is waiting before it (the queue is empty, the
    writer holds no packet and no send is in progress) and the kernel takes it without waiting;
    otherwise the packet is queued as before (and a partly written frame's rest is queued first),
    so the order of packets holds and a slow client never makes the sender wait.

    Engine.IO's writer waits at most ping interval + timeout for a packet and then gives the
    socket up; a packet sent directly counts as one it sent, so get() waits again while direct
    sends go on. The queue itself is a list and the getters waiting on it (gevent's Queue keeps
    three deques and an Event per socket, ~2.5 KB)."""

    __slots__ = ("items", "getters", "unfinished", "idle", "websocket", "taken", "sent_at")

    def __init__(self):
        self.items = []
        self.getters = []  # gevent Waiters of the greenlets in get()
        self.unfinished = 0
        self.idle = None  # an Event for join(), made when someone joins
        self.websocket = None
        self.taken = 0  # packets the writer took and has not sent yet
        self.sent_at = 0.0  # when a packet last went out directly

    def put(self, item, block=True, timeout=None):
        websocket = self.websocket
        if (item is not None and websocket is not None and websocket.connected and not self.taken
                and not self.items and not websocket.lock.locked()
                and websocket.owner.upgraded and not websocket.owner.upgrading):
            data = shared_frame(item.encode())
            sent = websocket.send_now(data)
            if sent == len(data):
                self.sent_at = time.monotonic()
                return
            if sent:
                self.sent_at = time.monotonic()
                item = _Rest(data[sent:])
        self.items.append(item)
        self.unfinished += 1
        if self.getters:
            get_hub().loop.run_callback(self.getters.pop(0).switch, None)

    def get(self, block=True, timeout=None):
        started = time.monotonic()
        while not self.items:
            if not block:
                raise Empty
            wait = None
            if timeout is not None:
                wait = max(self.sent_at, started) + timeout - time.monotonic()
                if wait <= 0:
                    raise Empty
            waiter = Waiter()
            self.getters.append(waiter)
            timer = get_hub().loop.timer(wait) if wait is not None else None
            try:
                if timer is not None:
                    timer.start(waiter.switch, None)
                waiter.get()
            finally:
                if timer is not None:
                    timer.close()
                if waiter in self.getters:
                    self.getters.remove(waiter)
        item = self.items.pop(0)
        if item is not None:
            self.taken += 1
        return item

    def task_done(self):
        self.unfinished -= 1
        if self.unfinished <= 0 and self.idle is not None:
            self.idle.set()

    def join(self, timeout=None):
        if self.unfinished <= 0:
            return True
        if self.idle is None or self.idle.is_set():
            self.idle = Event()
        return self.idle.wait(timeout)

    def qsize(self):
        return len(self.items)

    def empty(self):
        return not self.items


def install(eio_server):
    """Use GunicornWebSocket for this Engine.IO server (gevent mode only). The driver's table is
    shared by every server in the process, so this server gets a copy.

    Also stop gevent recording, for every greenlet spawned, the stack and greenlet that spawned
    it (gevent.config.track_greenlet_tree, a debugging aid read at each spawn): each socket
    spawns two greenlets at connect and one more for every ping (every 25 s), and the record is
    about ten frame summaries each."""
    import gevent

    gevent.config.track_greenlet_tree = False
    fallback = eio_server._async.get("websocket")

    def websocket(handler, server):
        return GunicornWebSocket(handler, server, fallback=fallback)

    eio_server._async = dict(eio_server._async, websocket=websocket, queue=PacketQueue)
