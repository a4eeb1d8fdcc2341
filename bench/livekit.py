"""Shared parts of the live-update benchmarks (bench/fanout.py, bench/redis_restart.py):
a throw-away PostgreSQL database built with `flask db upgrade`, demo state made through the
real actions, real gunicorn + gevent server processes on 127.0.0.1, and HTTP sign-in.

Everything runs against real services on loopback; nothing here is a mock.
"""
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The app tree the servers run from: this repository, or a patched copy to compare (--app-root).
APP_ROOT = os.environ.get("BENCH_APP_ROOT", ROOT)
PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)
PASSWORD = "bench-password-123"
LOG_DIR = "/tmp/leerkring-bench-logs"  # one log per server port (kept for a look after a run)
SECRET = "bench-secret-key-that-is-long-enough-0123456789"

# Built in a subprocess against the benchmark database, so this process never imports the app
# (and its extensions stay free of any app). Prints one JSON line.
SEED = r"""
import json, sys
from wsgi import app
from community.extensions import db
from community.actions import accounts, communities, discussions, tokens

users = int(sys.argv[1])
private = sys.argv[2] == "private"
with app.app_context():
    admin = accounts.register_user("admin@bench.example", "Beheerder Bench", PASSWORD, kind="other",
                                   is_admin=True)
    community = communities.create_community(
        admin, name="Smart Maintenance Oost", visibility="private" if private else "public",
        join_policy="invite" if private else "open")
    members = []
    for n in range(users):
        user = accounts.register_user(f"member{n}@bench.example", f"Lid {n}", PASSWORD)
        if private:
            communities.invite_user(admin, community, user)
        communities.join(user, community)
        members.append(user)
    outsider = accounts.register_user("outsider@bench.example", "Buiten Staander", PASSWORD)
    discussion = discussions.start_discussion(admin, community, "Live updates onder belasting",
                                              "Deze discussie krijgt een gestage stroom reacties.")
    _, token = tokens.create_token(admin, "bench")
    from community.models import CommunityMembership
    memberships = {m.user_id: m.id for m in db.session.query(CommunityMembership)
                   .filter_by(community_id=community.id)}
    print(json.dumps({
        "discussion": discussion.id, "community": community.id, "slug": community.slug,
        "admin": admin.email, "admin_token": token, "outsider": outsider.email,
        "members": [{"email": u.email, "id": u.id, "membership": memberships[u.id]} for u in members],
    }))
""".replace("PASSWORD", repr(PASSWORD))


def raise_fd_limit(wanted=65536):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url, redis_url="", **extra):
    """The production configuration, with the limits a benchmark would trip raised."""
    env = dict(os.environ)
    env.update({
        "LEERKRING_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": database_url,
        "REDIS_URL": redis_url, "SESSION_COOKIE_SECURE": "0", "SOCKETIO_ASYNC_MODE": "gevent",
        "PYTHONPATH": APP_ROOT, "INSTANCE_PATH": os.path.join("/tmp", "leerkring-bench-instance"),
        # One author posts steadily and many clients sign in from one address.
        "POSTS_PER_MINUTE": "100000", "POSTS_PER_HOUR": "100000",
        "NEW_ACCOUNT_POSTS_PER_MINUTE": "100000", "NEW_ACCOUNT_POSTS_PER_HOUR": "100000",
        "DUPLICATE_POST_MINUTES": "0",
        "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute", "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
    })
    env.update({key: str(value) for key, value in extra.items()})
    return env


def sqlalchemy_url(url):
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def fresh_database(server_url, name):
    """(Re)create database `name` on the server and return its URL."""
    import sqlalchemy as sa

    admin = sa.create_engine(sqlalchemy_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def migrate_and_seed(env, users=10, private=False):
    subprocess.run([os.path.join(BIN, "flask"), "--app", "wsgi", "db", "upgrade"], cwd=APP_ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    out = subprocess.run([PYTHON, "-c", SEED, str(users), "private" if private else "public"], cwd=APP_ROOT,
                         env=env, check=True, capture_output=True, text=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


class Server:
    """One production app process: gunicorn, one gevent worker, on 127.0.0.1:port."""

    def __init__(self, env, port=None, log_path=None, connections=10000):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        os.makedirs(LOG_DIR, exist_ok=True)
        self.log_path = log_path or os.path.join(LOG_DIR, f"server-{self.port}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "gunicorn"), "-k", "gevent", "-w", "1", "--worker-connections", str(connections),
             "-b", f"127.0.0.1:{self.port}", "--no-control-socket", "--graceful-timeout", "3", "wsgi:app"],
            cwd=APP_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout=60):
        wait_http(self.url + "/login", self.proc, f"server on {self.port} (see {self.log_path})", timeout)
        return self

    def worker_pid(self):
        """gunicorn's master forks one worker: the process that holds the sockets."""
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        return int(out[0]) if out else self.proc.pid

    def rss_kb(self):
        with open(f"/proc/{self.worker_pid()}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self.log.close()


class RedisServer:
    """A private redis-server on its own port: its pub/sub is not shared with anyone else's
    (Redis channels are global across database numbers, and Flask-SocketIO's channel name is
    fixed), and it can be killed and restarted without touching the shared one."""

    def __init__(self, port):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc = None

    def start(self, timeout=10):
        import redis

        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--loglevel", "warning"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_timeout=1).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def kill(self):
        """SIGKILL: a crash, not a clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid, busy_below=0.05, timeout=120):
    """Wait until the process uses less than `busy_below` of a core over half a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if (cpu_seconds(pid) - before) / 0.5 < busy_below:
            return True
    return False


def wait_http(url, proc, what, timeout=60):
    """Wait until `url` answers 200 while `proc` keeps running."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer in {timeout} s")


def login(base_url, email, password=PASSWORD):
    """Sign in like a browser; returns the `leerkring_session` cookie value."""
    import requests

    session = requests.Session()
    page = session.get(base_url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = session.post(base_url + "/login", data={"email": email, "password": password, "csrf_token": token},
                            allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} failed: {response.status_code}")
    return session.cookies.get("leerkring_session")


def cookie_header(cookie):
    return {"Cookie": "leerkring_session=" + cookie}


def percentile(values, pct):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(pct / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def host_of(url):
    return urllib.parse.urlparse(url).netloc
