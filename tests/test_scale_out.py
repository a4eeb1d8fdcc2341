"""Scale-out in the production shape: two real app processes (gunicorn, one gevent worker each)
on loopback ports, one PostgreSQL database (built by `flask db upgrade`) and Redis as the
Socket.IO message queue. Real Socket.IO clients over websockets, real HTTP; no mocks.

- a reply posted through process B reaches a member's socket on process A;
- a signed-in user who is not a member of the private community follows nothing and gets nothing;
- removing the member through process B ends their socket on process A (revocation crosses
  processes through Redis), and the socket they open again may not follow the discussion.

Needs TEST_POSTGRES_URL (a role that may create databases) and TEST_REDIS_URL; skipped without
them (a failure in CI, where LEERKRING_STRICT_SKIPS=1).
"""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.helpers import free_port
from tests.live_processes import BIN, PASSWORD, ROOT, Socket, _browser, _csrf, _stop, _wait_ready


pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(120)]

# Runs in a subprocess against the test database (so this test process's shared extension
# objects are never bound to another app). Everything goes through the real actions.
SEED = r"""
import json
from wsgi import app
from community.actions import accounts, communities, discussions, tokens
from community.models import CommunityMembership

with app.app_context():
    admin = accounts.register_user("coordinator@scale.example", "Coordinator", PASSWORD, kind="other",
                                   is_admin=True)
    community = communities.create_community(admin, name="Besloten kring", visibility="private",
                                             join_policy="invite")
    member = accounts.register_user("member@scale.example", "Lid Een", PASSWORD)
    communities.invite_user(admin, community, member)
    membership = communities.join(member, community)
    outsider = accounts.register_user("outsider@scale.example", "Buiten Staander", PASSWORD)
    discussion = discussions.start_discussion(admin, community, "Over twee processen",
                                              "Komt een reactie via B aan op A?")
    open_community = communities.create_community(admin, name="Open kring", visibility="public")
    open_discussion = discussions.start_discussion(admin, open_community, "Openbaar", "Voor iedereen")
    _, token = tokens.create_token(admin, "scale-out")
    print(json.dumps({"discussion": discussion.id, "slug": community.slug, "membership": membership.id,
                      "open_slug": open_community.slug, "open_community": open_community.id,
                      "open_discussion": open_discussion.id, "token": token}))
""".replace("PASSWORD", repr(PASSWORD))


@pytest.fixture(scope="module")
def services():
    postgres, redis_url = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
    if not postgres or not redis_url:
        pytest.skip("TEST_POSTGRES_URL and TEST_REDIS_URL are needed for the two-process scale-out test")
    pytest.importorskip("requests", reason="python-socketio[client] (requests) is not installed")
    return postgres, redis_url


@pytest.fixture(scope="module")
def database(services):
    server, _ = services
    name = "leerkring_scale_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def cluster(services, database, tmp_path_factory):
    """Migrate and seed the shared database, then start processes A and B."""
    _, redis_url = services
    env = dict(os.environ, LEERKRING_ENV="production", SECRET_KEY="scale-out-" + "x" * 40,
               DATABASE_URL=database, REDIS_URL=redis_url, SESSION_COOKIE_SECURE="0",
               SOCKETIO_ASYNC_MODE="gevent", PYTHONPATH=ROOT, POSTS_PER_MINUTE="100",
               NEW_ACCOUNT_POSTS_PER_MINUTE="100", NEW_ACCOUNT_POSTS_PER_HOUR="1000",
               INSTANCE_PATH=str(tmp_path_factory.mktemp("instance")))
    subprocess.run([os.path.join(BIN, "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=60)
    seeded = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True, timeout=60)
    state = json.loads(seeded.stdout.strip().splitlines()[-1])
    logs = tmp_path_factory.mktemp("logs")
    processes = {}
    try:
        for name in ("A", "B"):
            port = free_port()
            log = open(logs / f"{name}.log", "w")
            proc = subprocess.Popen(
                [os.path.join(BIN, "gunicorn"), "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}",
                 "--no-control-socket", "--graceful-timeout", "2", "wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            processes[name] = (proc, f"http://127.0.0.1:{port}", log)
        for name, (proc, url, _) in processes.items():
            _wait_ready(proc, url, logs / f"{name}.log")
        yield {"A": processes["A"][1], "B": processes["B"][1], **state}
    finally:
        for proc, _, log in processes.values():
            _stop(proc)
            log.close()


def test_events_and_revocation_cross_processes(cluster):
    a, b, discussion, slug = cluster["A"], cluster["B"], cluster["discussion"], cluster["slug"]
    member_on_a = _browser(a, "member@scale.example")
    outsider_on_a = _browser(a, "outsider@scale.example")
    coordinator_on_b = _browser(b, "coordinator@scale.example")
    sockets = []
    try:
        member = Socket(a, member_on_a)
        outsider = Socket(a, outsider_on_a)
        sockets += [member, outsider]
        ack = member.follow(discussion)
        assert ack["ok"] is True and ack["stream"] == f"discussion:{discussion}", ack
        # The outsider is signed in (the connection is accepted) but may not follow the thing;
        # the refusal looks the same as for a discussion that does not exist.
        assert outsider.client.connected
        assert outsider.follow(discussion) == {"ok": False, "error": "not_found"}

        # A reply posted through process B, as the discussion page's form does it.
        page = coordinator_on_b.get(f"{b}/d/{discussion}", timeout=10)
        assert page.status_code == 200
        sent = coordinator_on_b.post(f"{b}/d/{discussion}/reply", allow_redirects=False, timeout=30,
                                     data={"body": "Via proces B gepost.", "csrf_token": _csrf(page.text)})
        assert sent.status_code == 302, sent.text[:500]

        arrived = member.wait_for(lambda e: e.get("type") == "reply" and e.get("op") == "new")
        assert arrived, f"no reply event on process A; got {member.events}"
        event = arrived[0]
        assert event["stream"] == f"discussion:{discussion}" and event["seq"] == ack["last"] + 1
        assert event["discussion_id"] == discussion
        # The event names the reply; the page fetches it rendered for its reader, here from A.
        fetched = member_on_a.get(f"{a}/d/{discussion}?fragment=reply&number={event['number']}", timeout=10)
        assert fetched.status_code == 200 and "Via proces B gepost." in fetched.text
        time.sleep(0.5)  # anything meant for the outsider would have come with it
        assert outsider.events == []

        # The coordinator removes the member through process B: their socket on A leaves the
        # room at once (and is told), and what B sends next does not reach it.
        members_page = coordinator_on_b.get(f"{b}/c/{slug}/members", timeout=10)
        assert members_page.status_code == 200
        removed = coordinator_on_b.post(f"{b}/c/{slug}/memberships/{cluster['membership']}/remove",
                                        data={"csrf_token": _csrf(members_page.text)}, allow_redirects=False,
                                        timeout=30)
        assert removed.status_code == 302, removed.text[:500]
        assert member.wait_for(lambda r: r["stream"] == f"discussion:{discussion}", among=member.revoked), \
            "the removed member's socket on process A was not taken out of the room"
        member.events.clear()
        page = coordinator_on_b.get(f"{b}/d/{discussion}", timeout=10)
        sent = coordinator_on_b.post(f"{b}/d/{discussion}/reply", allow_redirects=False, timeout=30,
                                     data={"body": "Na het verwijderen.", "csrf_token": _csrf(page.text)})
        assert sent.status_code == 302
        time.sleep(0.5)
        assert member.events == [], "a removed member still received the discussion"
        assert member.client.connected and outsider.client.connected  # signed in still

        # Following again is refused, and so is catching up over HTTP, on either process.
        assert member.follow(discussion) == {"ok": False, "error": "not_found"}
        for base in (a, b):
            catch_up = member_on_a.get(f"{base}/api/v1/live/discussion/{discussion}/events?after=0", timeout=10)
            assert catch_up.status_code == 404
    finally:
        for sock in sockets:
            sock.close()


def test_a_community_made_private_through_one_process_stops_streams_on_the_other(cluster):
    """Outsiders follow a public community and its discussion on A; its coordinator makes it
    private through B's API; their sockets on A leave both rooms at once, and a reply posted
    through B afterwards reaches only members."""
    import requests

    a, b = cluster["A"], cluster["B"]
    community, discussion = cluster["open_community"], cluster["open_discussion"]
    outsider = Socket(a, _browser(a, "outsider@scale.example"))
    try:
        assert outsider.follow(community, kind="community")["ok"]
        assert outsider.follow(discussion)["ok"]
        bearer = {"Authorization": f"Bearer {cluster['token']}"}
        changed = requests.patch(f"{b}/api/v1/communities/{cluster['open_slug']}", headers=bearer, timeout=30,
                                 json={"visibility": "private"})
        assert changed.status_code == 200, changed.text[:500]
        streams = {f"community:{community}", f"discussion:{discussion}"}
        deadline = time.monotonic() + 10
        while {r["stream"] for r in outsider.revoked} != streams and time.monotonic() < deadline:
            time.sleep(0.02)
        assert {r["stream"] for r in outsider.revoked} == streams
        outsider.events.clear()
        posted = requests.post(f"{b}/api/v1/discussions/{discussion}/replies", headers=bearer, timeout=30,
                               json={"body": "Geheim kanarie-4711"})
        assert posted.status_code == 201, posted.text[:500]
        time.sleep(0.5)
        assert "kanarie-4711" not in str(outsider.events)
        assert outsider.events == []
    finally:
        outsider.close()
