"""The embedded default as `make run` starts it: `python wsgi.py`, one process, SQLite in the
instance folder, the job consumer in the worker, served by gunicorn with one gevent worker as in
production (not Werkzeug's development server). A real Socket.IO client over a WebSocket and real HTTP; no mocks.

- the server says nothing about a development server;
- a reply posted through the API reaches a follower's socket, and the notification the in-process
  consumer makes for them arrives on their own stream within a second or two.
"""
import json
import os
import subprocess
import sys
import time

import pytest

from tests.helpers import free_port
from tests.live_processes import BIN, PASSWORD, ROOT, Socket, _browser, _stop, _wait_ready

pytestmark = pytest.mark.timeout(120)

SEED = r"""
import json
from wsgi import app
from community.actions import accounts, communities, discussions, notifications, tokens

with app.app_context():
    author = accounts.register_user("author@embedded.example", "Auteur", PASSWORD, kind="other", is_admin=True)
    community = communities.create_community(author, name="Eigen kring", visibility="public")
    follower = accounts.register_user("follower@embedded.example", "Volger", PASSWORD)
    communities.join(follower, community)
    discussion = discussions.start_discussion(author, community, "Draad", "Wie volgt er mee?")
    notifications.set_follow_level(follower, "discussion", discussion, "following")
    follower_id = follower.id
    _, token = tokens.create_token(author, "embedded")
    print(json.dumps({"discussion": discussion.id, "follower": follower_id, "token": token}))
""".replace("PASSWORD", repr(PASSWORD))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("requests", reason="python-socketio[client] (requests) is not installed")
    instance = tmp_path_factory.mktemp("instance")
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "SOCKETIO_ASYNC_MODE", "LEERKRING_ENV", "JOBS_STORE")}
    env.update(INSTANCE_PATH=str(instance), PORT=str(free_port()), PYTHONPATH=ROOT)
    subprocess.run([os.path.join(BIN, "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=60)
    seeded = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True, timeout=60)
    state = json.loads(seeded.stdout.strip().splitlines()[-1])
    log_path = instance / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{env['PORT']}"
        try:
            _wait_ready(proc, url, log_path)
            yield dict(state, url=url, log=log_path)
        finally:
            _stop(proc)


def test_serves_with_gunicorn_gevent_and_no_development_server(server):
    import requests

    assert requests.get(server["url"] + "/login", timeout=10).status_code == 200
    log = server["log"].read_text()
    assert "Using worker: gevent" in log, log[-2000:]
    assert "development server" not in log.lower() and "werkzeug" not in log.lower(), log[-2000:]


def test_a_reply_and_its_notification_arrive_live(server):
    import requests

    browser = _browser(server["url"], "follower@embedded.example")
    socket = Socket(server["url"], browser)
    try:
        assert socket.client.transport() == "websocket"
        assert socket.follow(server["discussion"])["ok"] is True
        assert socket.follow(server["follower"], kind="user")["ok"] is True
        posted = time.monotonic()
        response = requests.post(f"{server['url']}/api/v1/discussions/{server['discussion']}/replies",
                                 json={"body": "Ingebed en live"},
                                 headers={"Authorization": f"Bearer {server['token']}"}, timeout=30)
        assert response.status_code == 201, response.text[:500]
        assert socket.wait_for(lambda e: e.get("type") == "reply" and e.get("op") == "new", timeout=5)
        notified = socket.wait_for(lambda e: e.get("type") == "notification", timeout=5)
        assert notified, socket.events
        assert notified[0]["kind"] == "reply"
        assert time.monotonic() - posted < 5
    finally:
        socket.close()


@pytest.mark.parametrize("transports, final", [(["polling"], "polling"), (["polling", "websocket"], "websocket")])
def test_long_polling_and_its_upgrade_to_a_websocket_deliver_too(server, transports, final):
    """Browsers open a websocket first, but fall back to long-polling and may upgrade from it:
    the packet queue (community/realtime/transport.py) serves both."""
    import requests
    import socketio

    browser = _browser(server["url"], "follower@embedded.example")
    events = []
    client = socketio.Client(reconnection=False)
    client.on("event", events.append)
    client.connect(server["url"], headers={"Cookie": f"leerkring_session={browser.cookies.get('leerkring_session')}"},
                   transports=transports, wait_timeout=10)
    try:
        assert client.call("follow", {"kind": "discussion", "id": server["discussion"]}, timeout=10)["ok"] is True
        deadline = time.monotonic() + 10
        while client.transport() != final and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.transport() == final
        response = requests.post(f"{server['url']}/api/v1/discussions/{server['discussion']}/replies",
                                 json={"body": f"Via {final}"},
                                 headers={"Authorization": f"Bearer {server['token']}"}, timeout=30)
        assert response.status_code == 201, response.text[:500]
        reply_id = response.json()["id"]
        deadline = time.monotonic() + 5
        while not any(e.get("reply_id") == reply_id for e in events) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert any(e.get("type") == "reply" and e.get("reply_id") == reply_id for e in events), events
    finally:
        client.disconnect()
