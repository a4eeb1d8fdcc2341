"""Does posting a reply stay as fast when the replies table grows?

For each database and each size it builds a fresh database with `flask db upgrade`, fills it with
SIZE existing replies (bulk INSERTs spread over 50 discussions and 40 authors, dated over the past
year; the poster wrote 2 % of them), then posts --posts replies one after the other through the
JSON API in process (Flask's test client: the app and the database, no network), and prints the
p50/p95/max of a post. The fan-out job is queued, not run (no consumer), so the figure is the
request's own work. Prints the p95 ratio largest size / smallest size per database.

    .venv/bin/python bench/post_reply.py                         # sqlite, 2,000 and 100,000
    .venv/bin/python bench/post_reply.py --database postgres     # needs --postgres (the CI server)

To measure an older tree the same way: BENCH_APP_ROOT=/path/to/checkout.

Bounded: --posts requests per size; every database it makes is temporary and dropped at the end.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from appkit import DEFAULT_POSTGRES, percentile, run_script  # noqa: E402

ONE = r"""
import json, os, random, sys, time
from datetime import timedelta
import sqlalchemy as sa

size, posts = int(sys.argv[1]), int(sys.argv[2])
from flask_migrate import upgrade
from wsgi import app
from community.extensions import db
from community.actions import accounts, communities, discussions, tokens
from community.models import Discussion, Reply, utcnow

random.seed(7)
with app.app_context():
    upgrade()
    admin = accounts.register_user("admin@bench.example", "Beheer", "bench-password-123", kind="other", is_admin=True)
    community = communities.create_community(admin, name="Groei", visibility="public")
    people = []
    for n in range(40):
        person = accounts.register_user(f"lid{n}@bench.example", f"Lid {n}", "bench-password-123")
        communities.join(person, community)
        people.append(person.id)
    threads = [discussions.start_discussion(admin, community, f"Draad {n}", "Groeit").id for n in range(50)]
    poster = people[0]
    _, token = tokens.create_token(db.session.get(type(admin), poster), "bench")
    now, numbers, rows = utcnow(), {d: 0 for d in threads}, []
    for n in range(size):
        thread = threads[n % len(threads)]
        numbers[thread] += 1
        author = poster if n % 50 == 0 else people[1 + n % 39]
        at = now - timedelta(days=365) + timedelta(seconds=n * (365 * 86400 - 7200) // max(size, 1))
        rows.append(dict(discussion_id=thread, author_id=author, number=numbers[thread], body=f"Antwoord {n}",
                         body_html=f"<p>Antwoord {n}</p>", render_version=0, helpful_count=0,
                         created_at=at, edit_note="", hidden_reason=""))
        if len(rows) == 5000:
            db.session.execute(sa.insert(Reply.__table__), rows); rows = []
    if rows:
        db.session.execute(sa.insert(Reply.__table__), rows)
    for thread, count in numbers.items():
        db.session.execute(sa.update(Discussion).where(Discussion.id == thread).values(reply_count=count))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
client = app.test_client()
headers = {"Authorization": "Bearer " + token}
times = []
for n in range(posts):
    thread = threads[n % len(threads)]
    started = time.perf_counter()
    response = client.post(f"/api/v1/discussions/{thread}/replies", json={"body": f"Bericht {n} {random.random()}"},
                           headers=headers)
    times.append(time.perf_counter() - started)
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
with app.app_context():
    total = db.session.scalar(sa.select(sa.func.count(Reply.id)))
print(json.dumps({"times": times, "total": total}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sizes", default="2000,100000", help="existing replies, comma-separated")
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a server URL whose role may create databases")
    args = parser.parse_args()
    p95s = {}
    print(f"database {args.database}: {args.posts} API replies posted one after the other, in process")
    for size in (int(s) for s in args.sizes.split(",")):
        result = run_script(ONE, (size, args.posts), args.database, args.postgres, DUPLICATE_POST_MINUTES="5")
        ms = [t * 1000 for t in result["times"]]
        p95s[size] = percentile(ms, 95)
        print(f"  {size:>7,} replies before  p50 {statistics.median(ms):6.1f} ms  p95 {p95s[size]:6.1f} ms  "
              f"max {max(ms):6.1f} ms  ({result['total']:,} after)")
    sizes = sorted(p95s)
    print(f"  p95 ratio {sizes[-1]:,} / {sizes[0]:,}: {p95s[sizes[-1]] / p95s[sizes[0]]:.2f}")


if __name__ == "__main__":
    main()
