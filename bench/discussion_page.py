"""How fast is a long discussion page? Builds a discussion with many replies in a throw-away SQLite
database (through the real actions), signs a member in with the Flask test client, then requests
the first and the last page of replies N times each, and prints the median and 95th percentile of
the server time and the number of SQL statements per request.

    .venv/bin/python bench/discussion_page.py [--replies 500] [--runs 50]

Nothing outside a temporary folder is touched; the script stops by itself.
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# Before the app is imported: the database goes to a temporary instance folder.
WORKDIR = tempfile.mkdtemp(prefix="leerkring-bench-")
os.environ["INSTANCE_PATH"] = WORKDIR
os.environ["LEERKRING_ENV"] = "testing"

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from community import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from config import TestingConfig  # noqa: E402

PASSWORD = "bench-password-123"
REPLY_TEXTS = [
    "Bij ons draait de **cobot** inmiddels twee ploegen. De lasnaden zijn constanter dan met de hand.",
    "Goede vraag. Wij meten met *trillingssensoren* op de spindel:\n\n- versnelling\n- temperatuur\n"
    "- stroomopname",
    "Zie ook de handleiding: https://www.example.org/handleiding-onderhoud (hoofdstuk 4).",
    "> Wat doen jullie met valse alarmen?\n\nEerst een monteur laten kijken, dan pas de grens bijstellen.",
    "Kort antwoord: ja. Lang antwoord: het hangt af van de seriegrootte en de plaatdikte.",
]


class BenchConfig(TestingConfig):
    SQLALCHEMY_DATABASE_URI = ""  # always the temporary SQLite file, never TEST_DATABASE_URL
    RATELIMIT_ENABLED = False


def build(app, reply_count):
    """A community, five members and one discussion with reply_count replies, via the actions."""
    from community.actions import accounts, communities, discussions

    admin = accounts.register_user("admin@bench.example", "Beheerder Bench", PASSWORD, kind="other",
                                   is_admin=True)
    coordinator = accounts.register_user("coordinator@bench.example", "Marieke Jansen", PASSWORD, kind="other")
    community = communities.create_community(admin, name="Smart Maintenance Oost", visibility="public",
                                             join_policy="open", coordinator=coordinator)
    members = [coordinator]
    for n, name in enumerate(["Fenna Kuipers", "Ahmed El Amrani", "Lotte Visser", "Peter Bakker"], start=1):
        user = accounts.register_user(f"member{n}@bench.example", name, PASSWORD)
        communities.join(user, community)
        members.append(user)
    discussion = discussions.start_discussion(
        members[1], community, "Hoe krijg je monteurs mee in het werken met sensordata?",
        "Bij ons hangen sinds kort sensoren op de compressoren. **Hoe hebben jullie je team meegekregen?**")
    replies = []
    for i in range(reply_count):
        author = members[i % len(members)]
        quote = replies[i - 3] if i >= 3 and i % 10 == 0 else None
        text = REPLY_TEXTS[i % len(REPLY_TEXTS)] + f"\n\nReactie {i + 1}, @{members[(i + 1) % len(members)].handle}."
        replies.append(discussions.post_reply(author, discussion, text, quote_of=quote))
        if i % 7 == 0:
            discussions.set_helpful(members[(i + 2) % len(members)], replies[-1])
    return discussion.id, members[1].email


def log_in(client, email):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login failed: {response.status_code}")


def measure(app, client, url, runs):
    """Server time (perf_counter around client.get) and SQL statements for each request."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    for _ in range(2):  # warm up: templates compiled, caches filled
        assert client.get(url).status_code == 200, url
    times, counts = [], []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            statements.clear()
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            counts.append(len(statements))
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return times, counts


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=500, help="replies in the discussion (default 500)")
    parser.add_argument("--runs", type=int, default=50, help="requests per page (default 50)")
    args = parser.parse_args()

    app = create_app(BenchConfig)
    if "discussions.view" not in app.view_functions:
        raise SystemExit("The discussion page (discussions.view) is not there yet: nothing to measure.")
    try:
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
            started = time.perf_counter()
            discussion_id, email = build(app, args.replies)
            built = time.perf_counter() - started
            reply_count = db.session.scalar(sa.text("SELECT reply_count FROM discussions WHERE id = :id"),
                                            {"id": discussion_id})
            db.session.remove()
        client = app.test_client()
        log_in(client, email)
        print(f"Discussion with {reply_count} replies built in {built:.1f} s "
              f"(SQLite, {args.runs} requests per page, Python {sys.version.split()[0]}).")
        print(f"{'page':<22}{'median':>10}{'p95':>10}{'min':>10}{'SQL statements':>17}")
        for page in (1, 10):
            url = f"/d/{discussion_id}?page={page}"
            times, counts = measure(app, client, url, args.runs)
            sql = str(counts[0]) if len(set(counts)) == 1 else f"{min(counts)}-{max(counts)}"
            print(f"{url:<22}{statistics.median(times) * 1000:>8.1f}ms{percentile(times, 0.95) * 1000:>8.1f}ms"
                  f"{min(times) * 1000:>8.1f}ms{sql:>17}")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
