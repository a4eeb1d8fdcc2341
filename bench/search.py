"""How fast is the search at 100k replies and 5k discussions?

Builds a fresh database with `flask db upgrade` (SQLite in a temporary instance folder, or a new
PostgreSQL database on --postgres's server, dropped afterwards), fills it, then runs 20 queries
through GET /api/v1/search in process (Flask's test client: the app and the database, no network)
as a member of some of the communities (one private among them: the permission filters do work),
and prints p50/p95 per query and over all of them.

The data: 12 communities (3 private), 300 members, 5,000 discussions and 100,000 replies of
generated Dutch shop-floor text (sentences from a vocabulary of some 3,000 words, most of them
compounds such as "lasrobot", "storingsanalyse", a few with accents, word frequencies skewed as in
real text), dated over two years. For speed the rows are written directly (bulk INSERT into
discussions and replies, no markdown rendering, no events), and the index is then built by the
same code as `flask search rebuild` (community.search.index.rebuild), whose time is printed too.

    .venv/bin/python bench/search.py                          # SQLite
    .venv/bin/python bench/search.py --database postgres      # PostgreSQL (--postgres URL of a server)

    .venv/bin/python bench/search.py --database postgres --profile /tmp/search.prof   # and a CPU profile

Bounded: --runs requests per query after two warm-up runs; the database is temporary.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from appkit import DEFAULT_POSTGRES, percentile, run_script  # noqa: E402

QUERIES = [
    "lasrobot", "storingsanalyse", "preventief onderhoud", '"preventief onderhoud"', "coördinator", "lassen",
    "veiligheid", "cobot programmeren", "stor", "hydrauliek lekkage", "plc", "laser snijden", "aluminium",
    "kwaliteit", "inwerken leerling", "opleiding stage", "sensor trilling", "cnc frezen", "werkplaats",
    "lasrookafzuiging",
]

ONE = r"""
import json, random, sys, time
from datetime import timedelta
import sqlalchemy as sa

discussion_count, reply_count, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
queries = json.loads(sys.argv[4])
profile_path = sys.argv[5] if len(sys.argv) > 5 else ""
from flask_migrate import upgrade
from wsgi import app
from community.extensions import db
from community.actions import accounts, communities, tokens
from community.models import Discussion, Reply, User, utcnow
from community.search import index

random.seed(17)
HEADS = ["las", "robot", "storings", "onderhouds", "veiligheids", "kwaliteits", "productie", "machine", "plaat",
         "buis", "laser", "plasma", "snij", "zaag", "frees", "draai", "boor", "pomp", "hydrauliek", "sensor",
         "trillings", "meet", "stuur", "plc", "cnc", "opleidings", "leer", "werk", "stage", "project", "team",
         "proces", "energie", "lucht", "water", "olie", "lager", "motor", "koel", "verf", "lijm", "montage"]
TAILS = ["robot", "analyse", "plan", "instructie", "cel", "lijn", "kast", "systeem", "programma", "rapport",
         "overleg", "traject", "methode", "norm", "kosten", "tijd", "fout", "melding", "schema", "gids",
         "afzuiging", "bril", "handschoen", "tafel", "kop", "naad", "draad", "werk", "plaats", "leider"]
WORDS = ["aluminium", "roestvast", "staal", "koper", "lassen", "gelast", "lasser", "lassers", "snijden",
         "frezen", "draaien", "buigen", "zetten", "meten", "kalibreren", "programmeren", "inwerken", "leerling",
         "leerlingen", "docent", "coördinator", "praktijk", "ervaring", "oplossing", "probleem", "storing",
         "storingen", "onderhoud", "preventief", "correctief", "veiligheid", "kwaliteit", "opleiding",
         "werkplaats", "cobot", "lekkage", "trilling", "temperatuur", "druk", "vermogen", "planning",
         "klant", "offerte", "tekening", "toleranties", "oppervlak", "afwerking", "coating", "poedercoaten",
         "efficiëntie", "reïntegratie", "café", "overleg", "collega", "ploegendienst", "nachtdienst"]
COMMON = ["de", "het", "een", "en", "van", "in", "op", "met", "voor", "is", "dat", "we", "wij", "jullie",
          "hebben", "heeft", "bij", "ook", "niet", "maar", "nog", "wel", "als", "dan", "er", "om", "naar",
          "goed", "nieuwe", "onze", "deze", "week", "vandaag", "gisteren", "graag", "vraag", "antwoord"]
vocabulary = WORDS + [h + t for h in HEADS for t in TAILS] + [f"{h}{t}s" for h in HEADS[:20] for t in TAILS[:20]]
weights = [1.0 / (rank + 3) for rank in range(len(vocabulary))]
random.shuffle(vocabulary)


def sentence():
    content = random.choices(vocabulary, weights, k=random.randint(2, 4))
    glue = random.choices(COMMON, k=random.randint(4, 8))
    words = content + glue
    random.shuffle(words)
    return " ".join(words).capitalize() + "."


def text(sentences):
    return " ".join(sentence() for _ in range(sentences))


with app.app_context():
    upgrade()
    admin = accounts.register_user("admin@bench.example", "Beheer", "bench-password-123", kind="other", is_admin=True)
    rooms = [communities.create_community(admin, name=f"Kring {n}", visibility="private" if n % 4 == 3 else "public",
                                          join_policy="invite" if n % 4 == 3 else "open") for n in range(12)]
    reader = accounts.register_user("lezer@bench.example", "Lezer", "bench-password-123")
    for room in rooms[:6]:  # two public ones and one private one he is not in: filtered out by the query
        if room.visibility == "private":
            communities.invite_user(admin, room, reader)
        communities.join(reader, room)
    people = [accounts.register_user(f"lid{n}@bench.example", f"Lid {n}", "bench-password-123").id
              for n in range(300)]
    _, token = tokens.create_token(db.session.get(User, reader.id), "bench")
    now = utcnow()
    started = time.perf_counter()
    rows = []
    for n in range(discussion_count):
        at = now - timedelta(days=730) + timedelta(seconds=n * 730 * 86400 // discussion_count)
        body = text(random.randint(2, 6))
        rows.append(dict(community_id=rooms[n % len(rooms)].id, author_id=people[n % len(people)],
                         title=sentence()[:-1][:120], body=body, body_html="", render_version=0, reply_count=0,
                         pinned=False, locked=False, lock_reason="", created_at=at, last_activity_at=at,
                         edit_note="", hidden_reason=""))
    db.session.execute(sa.insert(Discussion.__table__), rows)
    threads = db.session.scalars(sa.select(Discussion.id).order_by(Discussion.id)).all()
    numbers, rows = {}, []
    for n in range(reply_count):
        thread = threads[random.randrange(len(threads))]
        numbers[thread] = numbers.get(thread, 0) + 1
        at = now - timedelta(days=730) + timedelta(seconds=n * 730 * 86400 // reply_count)
        rows.append(dict(discussion_id=thread, author_id=people[random.randrange(len(people))],
                         number=numbers[thread], body=text(random.randint(1, 6)), body_html="", render_version=0,
                         helpful_count=0, created_at=at, edit_note="", hidden_reason=""))
        if len(rows) == 5000:
            db.session.execute(sa.insert(Reply.__table__), rows); rows = []
    if rows:
        db.session.execute(sa.insert(Reply.__table__), rows)
    for thread, count in numbers.items():
        db.session.execute(sa.update(Discussion).where(Discussion.id == thread).values(reply_count=count))
    db.session.commit()
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    counts = index.rebuild(db.session)
    db.session.commit()
    rebuilt = time.perf_counter() - started
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
client = app.test_client()
headers = {"Authorization": "Bearer " + token}
results = {}
for query in queries:
    times, cpu, total = [], [], None
    for n in range(runs + 2):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get("/api/v1/search", query_string={"q": query}, headers=headers)
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        total = response.json["total"]
        if n >= 2:
            times.append(elapsed)
            cpu.append(elapsed_cpu)
    results[query] = {"times": times, "cpu": cpu, "total": total}
if profile_path:  # after the timing: the same requests again, under cProfile counting CPU time
    import cProfile
    profiler = cProfile.Profile(time.process_time)
    for query in queries:
        for n in range(runs):
            profiler.enable()
            client.get("/api/v1/search", query_string={"q": query}, headers=headers)
            profiler.disable()
    profiler.dump_stats(profile_path)
print(json.dumps({"results": results, "seeded": seeded, "rebuilt": rebuilt, "counts": counts}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a server URL whose role may create databases")
    parser.add_argument("--discussions", type=int, default=5000)
    parser.add_argument("--replies", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per query")
    parser.add_argument("--profile", default="", help="then run the requests again under cProfile (CPU time) and "
                                                      "write its statistics to this file (read them with pstats)")
    args = parser.parse_args()
    import json

    profile = os.path.abspath(args.profile) if args.profile else ""
    result = run_script(ONE, (args.discussions, args.replies, args.runs, json.dumps(QUERIES), profile), args.database,
                        args.postgres, SEARCH_LIMIT_PER_USER="1000000 per minute")
    print(f"database {args.database}: {args.discussions:,} discussions, {args.replies:,} replies; index built in "
          f"{result['rebuilt']:.1f} s ({result['counts']}); {args.runs} timed GET /api/v1/search per query")
    print("  (wall: the request's elapsed time; cpu: this process's CPU time for it, which on SQLite includes\n"
          "   the database's work and on a busy machine shows what the request costs without the waiting)")
    everything, everything_cpu = [], []
    for query, figures in result["results"].items():
        ms, cpu = [t * 1000 for t in figures["times"]], [t * 1000 for t in figures["cpu"]]
        everything += ms
        everything_cpu += cpu
        print(f"  {query!r:28} {figures['total']:>6,} hits  wall p50 {statistics.median(ms):6.1f} ms  "
              f"p95 {percentile(ms, 95):6.1f} ms   cpu p50 {statistics.median(cpu):6.1f} ms  "
              f"p95 {percentile(cpu, 95):6.1f} ms")
    print(f"  all {len(everything)} requests: wall p50 {statistics.median(everything):.1f} ms, "
          f"p95 {percentile(everything, 95):.1f} ms, max {max(everything):.1f} ms; "
          f"cpu p50 {statistics.median(everything_cpu):.1f} ms, p95 {percentile(everything_cpu, 95):.1f} ms")


if __name__ == "__main__":
    main()
