"""The websocket under Engine.IO with gunicorn's gevent worker (community/realtime/transport.py),
driven over a real socket pair by wsproto's client side: the handshake, messages in and out,
fragments, pings, closes from either side, protocol errors and the size limit, and one frame
shared by every socket that sends the same string. The whole path under gunicorn is covered by
tests/test_embedded_server.py and tests/test_scale_out.py."""
import types

import pytest

gevent = pytest.importorskip("gevent")
from gevent import socket as gsocket  # noqa: E402
from wsproto.connection import Connection, ConnectionType  # noqa: E402
from wsproto.events import BytesMessage, CloseConnection, Message, Ping, Pong, TextMessage  # noqa: E402

from community.realtime import transport  # noqa: E402

pytestmark = pytest.mark.timeout(30)

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455's example key and its answer
ACCEPT = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


_open = []


@pytest.fixture(autouse=True)
def _close_sockets():
    yield
    while _open:
        _open.pop().close()


def socketpair():
    pair = gsocket.socketpair()
    _open.extend(pair)
    return pair


class Peer:
    """The browser's end: wsproto's client connection (masked frames) on a gevent socket."""

    def __init__(self, sock):
        self.sock = sock
        self.conn = Connection(ConnectionType.CLIENT)
        self.buffer = b""

    def handshake(self):
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.conn.receive_data(self.buffer)
        return head

    def send(self, event):
        self.sock.sendall(self.conn.send(event))

    def events(self, count, timeout=5):
        got = []
        with gevent.Timeout(timeout):
            while True:
                got.extend(self.conn.events())
                if len(got) >= count:
                    return got
                data = self.sock.recv(4096)
                self.conn.receive_data(data or None)


def serve(limit=1000, environ=None):
    """Start GunicornWebSocket on one end of a socket pair; its handler records what wait()
    returns until None. Returns (peer, server greenlet, the websocket, received)."""
    server_sock, client_sock = socketpair()
    environ = environ or {"gunicorn.socket": server_sock, "HTTP_SEC_WEBSOCKET_KEY": KEY,
                          "HTTP_SEC_WEBSOCKET_VERSION": "13"}
    received, holder = [], {}

    def handler(ws):
        holder["ws"] = ws
        while True:
            message = ws.wait()
            received.append(message)
            if message is None:
                return []

    websocket = transport.GunicornWebSocket(handler, types.SimpleNamespace(max_http_buffer_size=limit))

    def run():
        with pytest.raises(StopIteration):  # gunicorn then closes the connection
            websocket(environ, lambda *args: None)

    task = gevent.spawn(run)
    peer = Peer(client_sock)
    return peer, task, websocket, received


@pytest.mark.parametrize("message", ["", "4x", "é" * 70, "a" * 125, "b" * 126, "c" * 65535, "d" * 65536,
                                     b"\x00\x01binary"])
def test_a_frame_is_the_one_wsproto_would_send(message):
    wsproto_server = Connection(ConnectionType.SERVER)
    assert transport.frame(message) == wsproto_server.send(Message(data=message))


def test_a_broadcast_string_is_framed_once():
    message = "42[\"event\",{\"seq\":1}]"
    first = transport.shared_frame(message)
    assert transport.shared_frame(message) is first
    other = "".join(["42[\"event\",", "{\"seq\":1}]"])  # equal text, another object: framed anew
    assert transport.shared_frame(other) == first and transport.shared_frame(other) is not first


def test_handshake_messages_both_ways_and_a_client_close():
    peer, task, websocket, received = serve()
    head = peer.handshake()
    assert head.startswith(b"HTTP/1.1 101 ") and b"Sec-WebSocket-Accept: " + ACCEPT in head
    assert b"permessage-deflate" not in head.lower()
    # a fragmented text message with a ping between its fragments; then a binary message
    peer.send(TextMessage(data="hal", message_finished=False))
    peer.send(Ping(payload=b"p"))
    peer.send(TextMessage(data="lo"))
    peer.send(BytesMessage(data=b"\x01\x02"))
    assert isinstance(peer.events(1)[0], Pong)
    websocket.send("40")
    websocket.send(b"\x03")
    out = peer.events(2)
    assert [type(e) for e in out] == [TextMessage, BytesMessage] and out[0].data == "40" and out[1].data == b"\x03"
    peer.send(CloseConnection(code=1000))
    answer = peer.events(1)[0]
    assert isinstance(answer, CloseConnection) and answer.code == 1000
    task.join(timeout=5)
    assert task.dead and task.exception is None
    assert received == ["hallo", b"\x01\x02", None]
    with pytest.raises(OSError):
        websocket.send("too late")


def test_two_messages_in_one_read_are_both_returned():
    peer, task, websocket, received = serve()
    peer.handshake()
    peer.sock.sendall(peer.conn.send(TextMessage(data="2")) + peer.conn.send(TextMessage(data="3")))
    gevent.sleep(0.2)
    assert received == ["2", "3"]
    peer.send(CloseConnection(code=1000))
    task.join(timeout=5)
    assert received[-1] is None


def test_closing_from_the_server_wakes_the_waiting_reader():
    peer, task, websocket, received = serve()
    peer.handshake()
    gevent.sleep(0.05)
    websocket.close()  # as Engine.IO's writer does when the session ends
    closing = peer.events(1)[0]
    assert isinstance(closing, CloseConnection) and closing.code == 1000
    task.join(timeout=5)
    assert task.dead and received == [None]


def test_a_message_over_the_limit_closes_with_1009():
    peer, task, websocket, received = serve(limit=10)
    peer.handshake()
    peer.send(TextMessage(data="x" * 6, message_finished=False))
    peer.send(TextMessage(data="y" * 6))
    closing = peer.events(1)[0]
    assert isinstance(closing, CloseConnection) and closing.code == 1009
    task.join(timeout=5)
    assert received == [None]


def test_an_unmasked_frame_is_a_protocol_error():
    peer, task, websocket, received = serve()
    peer.handshake()
    peer.sock.sendall(transport.frame("unmasked"))  # a server's frame: clients must mask
    closing = peer.events(1)[0]
    assert isinstance(closing, CloseConnection) and closing.code == 1002
    task.join(timeout=5)
    assert received == [None]


def test_a_request_without_a_websocket_key_is_refused():
    server_sock, client_sock = socketpair()
    answers = []
    websocket = transport.GunicornWebSocket(lambda ws: [], types.SimpleNamespace(max_http_buffer_size=10))
    body = websocket({"gunicorn.socket": server_sock, "HTTP_SEC_WEBSOCKET_VERSION": "13"},
                     lambda status, headers: answers.append(status))
    assert answers == ["400 Bad Request"] and body == [b"Bad websocket request"]


def test_install_changes_only_that_server_and_keeps_the_library_class_outside_gunicorn():
    from engineio.async_drivers import gevent as driver

    library_class = driver._async["websocket"]
    eio = types.SimpleNamespace(_async=driver._async)
    transport.install(eio)
    assert driver._async["websocket"] is library_class
    assert eio._async["queue"] is transport.PacketQueue and driver._async["queue"] is not transport.PacketQueue
    calls = []

    class Library:
        def __init__(self, handler, server):
            calls.append("init")

        def __call__(self, environ, start_response):
            calls.append(environ["SERVER_SOFTWARE"])
            return []

    eio._async = dict(eio._async, websocket=Library)
    transport.install(eio)
    made = eio._async["websocket"](lambda ws: [], types.SimpleNamespace(max_http_buffer_size=10))
    assert isinstance(made, transport.GunicornWebSocket)
    assert made({"SERVER_SOFTWARE": "gevent/26"}, lambda *args: None) == [] and calls == ["init", "gevent/26"]


# --- the packet queue: a plain queue, and direct sends once the socket is a websocket ----------

def test_the_packet_queue_as_a_queue():
    queue = transport.PacketQueue()
    with pytest.raises(transport.Empty):
        queue.get(block=False)
    started = gevent.get_hub().loop.now()
    with pytest.raises(transport.Empty):
        queue.get(timeout=0.1)
    assert gevent.get_hub().loop.now() - started >= 0.09
    got = []
    reader = gevent.spawn(lambda: got.append(queue.get(timeout=5)))
    gevent.sleep(0.01)
    queue.put("a")
    queue.put("b")
    reader.join(timeout=2)
    assert got == ["a"] and queue.get(block=False) == "b" and queue.qsize() == 0
    assert queue.join(timeout=0.05) is False  # two put, none done
    queue.task_done()
    joiner = gevent.spawn(queue.join)
    gevent.sleep(0.01)
    assert not joiner.dead
    queue.task_done()
    joiner.join(timeout=2)
    assert joiner.dead and joiner.value is True


class EngineSocket:
    """What GunicornWebSocket and PacketQueue read of Engine.IO's socket."""

    def __init__(self):
        self.queue = transport.PacketQueue()
        self.upgraded, self.upgrading = True, False
        self.received = []

    def handler(self, ws):
        while True:
            message = ws.wait()
            self.received.append(message)
            if message is None:
                return []


def open_socket():
    from engineio import packet

    server_sock, client_sock = socketpair()
    owner = EngineSocket()
    websocket = transport.GunicornWebSocket(owner.handler, types.SimpleNamespace(max_http_buffer_size=1000))
    environ = {"gunicorn.socket": server_sock, "HTTP_SEC_WEBSOCKET_KEY": KEY, "HTTP_SEC_WEBSOCKET_VERSION": "13"}
    task = gevent.spawn(lambda: pytest.raises(StopIteration, websocket, environ, lambda *args: None))
    peer = Peer(client_sock)
    peer.handshake()
    gevent.sleep(0.01)
    assert owner.queue.websocket is websocket
    return owner, websocket, peer, task, packet


def writer(owner, websocket):
    """Engine.IO's writer, as engineio/socket.py runs it."""
    while True:
        try:
            packets = [owner.queue.get(timeout=5)]
            while True:
                try:
                    packets.append(owner.queue.get(block=False))
                except transport.Empty:
                    break
        except transport.Empty:
            return
        if None in packets:
            return
        for pkt in packets:
            websocket.send(pkt.encode())


def test_a_packet_goes_out_directly_without_the_writer():
    owner, websocket, peer, task, packet = open_socket()
    owner.queue.put(packet.Packet(packet.MESSAGE, data="2[\"event\",1]"))
    assert owner.queue.qsize() == 0 and owner.queue.unfinished == 0
    assert [e.data for e in peer.events(1)] == ["42[\"event\",1]"]
    owner.queue.put(None)  # the end of the writer is always queued
    assert owner.queue.qsize() == 1


def test_packets_wait_their_turn_behind_queued_and_taken_ones():
    owner, websocket, peer, task, packet = open_socket()
    owner.upgrading = True  # during an upgrade from polling, everything is queued
    owner.queue.put(packet.Packet(packet.NOOP))
    owner.upgrading = False
    owner.queue.put(packet.Packet(packet.MESSAGE, data="a"))  # something queued: queued behind it
    assert owner.queue.qsize() == 2
    first = owner.queue.get(block=False)  # the writer takes one and has not sent it yet
    owner.queue.put(packet.Packet(packet.MESSAGE, data="b"))
    assert owner.queue.qsize() == 2
    websocket.send(first.encode())
    second = owner.queue.get(block=False)
    websocket.send(second.encode())
    owner.queue.put(packet.Packet(packet.MESSAGE, data="c"))  # "b" still queued: "c" behind it
    websocket.send(owner.queue.get(block=False).encode())
    websocket.send(owner.queue.get(block=False).encode())
    owner.queue.put(packet.Packet(packet.MESSAGE, data="d"))  # all sent: "d" goes directly
    assert owner.queue.qsize() == 0
    assert [e.data for e in peer.events(5)] == ["6", "4a", "4b", "4c", "4d"]


@pytest.mark.parametrize("size, count", [(5000, 400), (300_000, 12)])
def test_a_client_that_does_not_read_gets_everything_in_order_once_it_does(size, count):
    owner, websocket, peer, task, packet = open_socket()
    body = "x" * size
    for n in range(count):  # ~2-4 MB: more than the kernel buffers between the two ends
        owner.queue.put(packet.Packet(packet.MESSAGE, data=f"{n:03d}{body}"))
    assert owner.queue.qsize() > 0  # the kernel stopped taking them: the rest is queued
    if size > 200_000:  # a frame bigger than the buffer: its unsent rest is queued first
        assert isinstance(owner.queue.items[0], transport._Rest)
    sender = gevent.spawn(writer, owner, websocket)
    got, parts = [], []
    with gevent.Timeout(20):
        while len(got) < count:
            for event in peer.events(1):  # wsproto hands over a big frame in pieces
                parts.append(event.data)
                if event.message_finished:
                    got.append("".join(parts))
                    parts = []
    owner.queue.put(None)
    sender.join(timeout=5)
    assert got == [f"4{n:03d}{body}" for n in range(count)]


def test_the_writer_keeps_waiting_while_packets_go_out_directly():
    owner, websocket, peer, task, packet = open_socket()
    outcome = []

    def wait_for_a_packet():
        try:
            outcome.append(owner.queue.get(timeout=0.3))
        except transport.Empty:
            outcome.append("gave up")

    waiting = gevent.spawn(wait_for_a_packet)
    for _ in range(5):  # 0.5 s of direct sends: longer than the writer's timeout
        gevent.sleep(0.1)
        owner.queue.put(packet.Packet(packet.MESSAGE, data="ping"))
    assert outcome == []
    waiting.join(timeout=2)
    assert outcome == ["gave up"]  # 0.3 s after the last direct send
    assert len(peer.events(5)) == 5
