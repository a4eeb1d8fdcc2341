"""Fifty people posting at once: does every post land exactly once, and how long does it take?

Starts the app in one of two shapes on 127.0.0.1, seeds a community through the real actions
(N posters and R readers, five discussions that every member follows, so each reply has about
N+R followers to notify), then for T seconds:

  posters   each posts a reply with a unique marker into one of the five discussions, pauses
            (--pause seconds, with jitter) and posts again; half through the JSON API (Bearer
            token), half through the discussion page's form (signed-in session, CSRF token)
  readers   each loads a discussion page, pauses, loads another

and afterwards compares every marker with the database: a post answered with success must be
stored exactly once (else "lost"), and no marker may be stored twice ("duplicated"). It prints
requests, 5xx, other failures, lost, duplicated, and p50/p95/max of post and read latency, and
how long the job queue took to deliver the last notifications after the load stopped.

Shapes:
  --shape sqlite       the embedded default: `python wsgi.py` (one process, SQLite, live updates
                       and the job consumer in process)
  --shape production   two gunicorn processes (one gevent worker each), PostgreSQL, Redis (Socket.IO
                       queue, rate limits, job storage) and one `flask jobs run` consumer

    .venv/bin/python bench/write_load.py --shape sqlite --posters 50 --readers 20 --seconds 120
    .venv/bin/python bench/write_load.py --shape production --posters 50 --readers 20 --seconds 120

To measure an older tree with the same load: BENCH_APP_ROOT=/path/to/checkout (it runs that
tree's code with this virtualenv).

Bounded: every request has a timeout, the load stops after --seconds, servers are stopped at
the end. Needs a PostgreSQL server (--postgres, default the CI one) and redis-server for the
production shape.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livekit as lk  # noqa: E402

DEFAULT_POSTGRES = "postgresql://leerkring:leerkring@127.0.0.1:5432/postgres"
REQUEST_TIMEOUT = 60

SEED = r"""
import json, sys
from wsgi import app
from community.extensions import db
from community.actions import accounts, communities, discussions, notifications, tokens

posters, readers = int(sys.argv[1]), int(sys.argv[2])
with app.app_context():
    admin = accounts.register_user("admin@load.example", "Beheerder", PASSWORD, kind="other", is_admin=True)
    community = communities.create_community(admin, name="Drukke kring", visibility="public")
    people = []
    for n in range(posters + readers):
        user = accounts.register_user(f"lid{n}@load.example", f"Lid {n}", PASSWORD)
        communities.join(user, community)
        people.append(user)
    threads = [discussions.start_discussion(admin, community, f"Draad {n}", "Onder belasting")
               for n in range(5)]
    for user in people:
        for d in threads:
            notifications.set_follow_level(user, "discussion", d, "following")
    out = {"discussions": [d.id for d in threads], "people": []}
    for n, user in enumerate(people[:posters]):
        _, token = tokens.create_token(user, "load") if n % 2 == 0 else (None, None)
        out["people"].append({"email": user.email, "token": token})
    out["readers"] = [u.email for u in people[posters:]]
    print(json.dumps(out))
""".replace("PASSWORD", repr(lk.PASSWORD))


# --- the two shapes ------------------------------------------------------------------------------

class SqliteShape:
    def __init__(self, workdir):
        self.instance = os.path.join(workdir, "instance")
        self.port = lk.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = lk.app_env("", LEERKRING_ENV="development", INSTANCE_PATH=self.instance,
                              HOST="127.0.0.1", PORT=self.port)
        self.env.pop("DATABASE_URL")
        self.env.pop("REDIS_URL")

    def start(self):
        seed = lk_seed(self.env)
        self.log = open(os.path.join(lk.LOG_DIR, f"write-load-sqlite-{self.port}.log"), "w")
        self.proc = subprocess.Popen([lk.PYTHON, "wsgi.py"], cwd=lk.APP_ROOT, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        lk.wait_http(self.url + "/login", self.proc, "python wsgi.py")
        return seed, [self.url]

    def query(self, sql):
        import sqlite3

        with sqlite3.connect(os.path.join(self.instance, "leerkring.db")) as conn:
            return conn.execute(sql).fetchall()

    def stop(self):
        stop_process(self.proc)
        self.log.close()


class ProductionShape:
    def __init__(self, workdir, postgres):
        self.redis = lk.RedisServer(lk.free_port())
        self.database = lk.fresh_database(postgres, "leerkring_write_load")
        self.env = lk.app_env(self.database, self.redis.url, INSTANCE_PATH=os.path.join(workdir, "instance"))
        self.servers, self.consumer = [], None

    def start(self):
        self.redis.start()
        seed = lk_seed(self.env)
        self.servers = [lk.Server(self.env) for _ in range(2)]
        self.log = open(os.path.join(lk.LOG_DIR, "write-load-consumer.log"), "w")
        if not os.path.isdir(os.path.join(lk.APP_ROOT, "community", "jobs")):  # an older tree (--app-root)
            self.consumer = None
            for server in self.servers:
                server.wait_ready()
            return seed, [server.url for server in self.servers]
        self.consumer = subprocess.Popen([os.path.join(lk.BIN, "flask"), "--app", "wsgi", "jobs", "run"],
                                         cwd=lk.APP_ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        for server in self.servers:
            server.wait_ready()
        return seed, [server.url for server in self.servers]

    def query(self, sql):
        import sqlalchemy as sa

        engine = sa.create_engine(lk.sqlalchemy_url(self.database))
        with engine.connect() as conn:
            rows = conn.execute(sa.text(sql)).all()
        engine.dispose()
        return rows

    def stop(self):
        for server in self.servers:
            server.stop()
        if self.consumer is not None:
            stop_process(self.consumer)
        if getattr(self, "log", None):
            self.log.close()
        self.redis.kill()


def lk_seed(env):
    subprocess.run([os.path.join(lk.BIN, "flask"), "--app", "wsgi", "db", "upgrade"], cwd=lk.APP_ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    out = subprocess.run([lk.PYTHON, "-c", SEED, str(ARGS.posters), str(ARGS.readers)], cwd=lk.APP_ROOT,
                         env=env, check=True, capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def stop_process(proc):
    import signal

    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


# --- the load --------------------------------------------------------------------------------

class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []  # (marker, via, status or error, seconds)
        self.reads = []  # (status or error, seconds)
        self.errors = []  # what the client saw of failed connections

    def post(self, *row):
        with self.lock:
            self.posts.append(row)

    def read(self, *row):
        with self.lock:
            self.reads.append(row)


def _session(base, email, rng):
    """Sign in like a browser. People arrive over a few seconds, not in one instant (seventy
    argon2 checks at once is a login storm, not the load measured here); a 503 is tried again."""
    import requests

    time.sleep(rng.uniform(0, 5))
    for attempt in range(4):
        session = requests.Session()
        page = session.get(base + "/login", timeout=REQUEST_TIMEOUT).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        answer = session.post(base + "/login", data={"email": email, "password": lk.PASSWORD, "csrf_token": token},
                              allow_redirects=False, timeout=REQUEST_TIMEOUT)
        if answer.status_code == 302:
            return session
        time.sleep(2 ** attempt)
    raise RuntimeError(f"login of {email} failed: {answer.status_code}")


def poster(n, person, bases, discussions, deadline, results):
    import requests

    base = bases[n % len(bases)]
    rng = random.Random(n)
    if person["token"]:
        session, via = requests.Session(), "api"
        session.headers["Authorization"] = "Bearer " + person["token"]
        csrf = None
    else:
        session, via = _session(base, person["email"], rng), "form"
        page = session.get(f"{base}/d/{discussions[0]}", timeout=REQUEST_TIMEOUT).text
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    time.sleep(rng.uniform(0, ARGS.pause))  # spread the start
    while time.monotonic() < deadline:
        d = rng.choice(discussions)
        marker = "m" + uuid.uuid4().hex
        started = time.monotonic()
        try:
            if via == "api":
                answer = session.post(f"{base}/api/v1/discussions/{d}/replies", timeout=REQUEST_TIMEOUT,
                                      json={"body": f"Reactie {marker}"})
                ok = answer.status_code == 201
            else:
                answer = session.post(f"{base}/d/{d}/reply", timeout=REQUEST_TIMEOUT, allow_redirects=False,
                                      data={"body": f"Reactie {marker}", "csrf_token": csrf})
                ok = answer.status_code == 302 and "/d/" in answer.headers.get("Location", "")
            status = answer.status_code if not ok or answer.status_code < 400 else answer.status_code
            results.post(marker, via, status if not ok else "ok", time.monotonic() - started)
        except requests.RequestException as error:
            results.post(marker, via, type(error).__name__, time.monotonic() - started)
            results.errors.append(str(error)[:160])
        time.sleep(rng.uniform(0.5, 1.5) * ARGS.pause)


def reader(n, email, bases, discussions, deadline, results):
    import requests

    base = bases[n % len(bases)]
    rng = random.Random(1000 + n)
    session = _session(base, email, rng)
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            answer = session.get(f"{base}/d/{rng.choice(discussions)}", timeout=REQUEST_TIMEOUT)
            results.read(answer.status_code, time.monotonic() - started)
        except requests.RequestException as error:
            results.read(type(error).__name__, time.monotonic() - started)
        time.sleep(rng.uniform(0.5, 1.5) * ARGS.pause)


def run_load(seed, bases):
    results = Results()
    deadline = time.monotonic() + ARGS.seconds + ARGS.pause  # posters start within one pause
    workers = [threading.Thread(target=poster, args=(n, person, bases, seed["discussions"], deadline, results))
               for n, person in enumerate(seed["people"])]
    workers += [threading.Thread(target=reader, args=(n, email, bases, seed["discussions"], deadline, results))
                for n, email in enumerate(seed["readers"])]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(ARGS.seconds + 2 * REQUEST_TIMEOUT)
    return results


# --- checking and reporting ------------------------------------------------------------------

def verify(shape, results):
    stored = {}
    for (body,) in shape.query("SELECT body FROM replies WHERE body LIKE 'Reactie m%'"):
        marker = body.split()[-1]
        stored[marker] = stored.get(marker, 0) + 1
    answered_ok = {marker for marker, _, status, _ in results.posts if status == "ok"}
    lost = sorted(marker for marker in answered_ok if marker not in stored)
    duplicated = sorted(marker for marker, count in stored.items() if count > 1)
    failed_but_stored = sorted(marker for marker, _, status, _ in results.posts
                               if status != "ok" and marker in stored)
    return lost, duplicated, failed_but_stored


def wait_for_notifications(shape, expected_min, timeout=600):
    """After the load: how long until the queue has made the notifications (the consumer drains)."""
    started = time.monotonic()
    last = -1
    while time.monotonic() - started < timeout:
        (count,), = shape.query("SELECT count(*) FROM notifications")
        if count >= expected_min or (count == last and count > 0 and time.monotonic() - started > 5):
            return count, time.monotonic() - started
        last = count
        time.sleep(1)
    return last, time.monotonic() - started


def summary(label, rows):
    times = [seconds for *_, seconds in rows]
    statuses = [row[-2] for row in rows]
    five = sum(1 for s in statuses if isinstance(s, int) and s >= 500)
    other = sum(1 for s in statuses if s != "ok" and not (isinstance(s, int) and (s >= 500 or s == 200)))
    print(f"{label:6} requests {len(rows):6}  5xx {five:4}  other failures {other:4}  "
          f"p50 {lk.percentile(times, 50) * 1000:7.0f} ms  p95 {lk.percentile(times, 95) * 1000:7.0f} ms  "
          f"max {max(times or [0]) * 1000:7.0f} ms")


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=("sqlite", "production"), default="sqlite")
    parser.add_argument("--posters", type=int, default=50)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--pause", type=float, default=2.0, help="mean seconds between one person's requests")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    ARGS = parser.parse_args()
    if not 1 <= ARGS.posters <= 500 or not 0 <= ARGS.readers <= 500 or not 1 <= ARGS.seconds <= 1800:
        parser.error("posters 1-500, readers 0-500, seconds 1-1800")
    lk.raise_fd_limit()
    os.makedirs(lk.LOG_DIR, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="leerkring-write-load-")
    shape = SqliteShape(workdir) if ARGS.shape == "sqlite" else ProductionShape(workdir, ARGS.postgres)
    try:
        seed, bases = shape.start()
        print(f"shape {ARGS.shape}: {len(bases)} process(es), {ARGS.posters} posters, {ARGS.readers} readers, "
              f"{ARGS.seconds} s, pause {ARGS.pause} s, followers per discussion {ARGS.posters + ARGS.readers}")
        results = run_load(seed, bases)
        ok_posts = sum(1 for row in results.posts if row[2] == "ok")
        count, seconds = wait_for_notifications(shape, ok_posts * (ARGS.posters + ARGS.readers - 1) * 0.9)
        lost, duplicated, failed_but_stored = verify(shape, results)
        summary("posts", [(m, v, s, t) for m, v, s, t in results.posts])
        for via in ("api", "form"):
            summary(f"  {via}", [(m, v, s, t) for m, v, s, t in results.posts if v == via])
        summary("reads", [(s, s, t) for s, t in results.reads])
        print(f"lost {len(lost)}  duplicated {len(duplicated)}  failed answer but stored {len(failed_but_stored)}")
        print(f"notifications {count}, the queue done {seconds:.1f} s after the load stopped")
        statuses = {}
        for _, _, status, _ in results.posts:
            statuses[status] = statuses.get(status, 0) + 1
        print("post answers:", ", ".join(f"{key}: {value}" for key, value in sorted(statuses.items(), key=str)))
        for error in sorted(set(results.errors))[:5]:
            print("  connection error:", error)
    finally:
        shape.stop()
        shutil.rmtree(workdir, ignore_errors=True)


ARGS = None

if __name__ == "__main__":
    main()
