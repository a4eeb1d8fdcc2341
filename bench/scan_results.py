"""Does a scan round's result page cost the same at 10 and at 1,000 responses?

For each size it builds a fresh SQLite database (`flask db upgrade`), a company with a manager
and one closed round with SIZE employee and SIZE/5 management responses (through the real
action), signs the manager in and loads the round's result page --requests times in process
(Flask's test client). Prints the median and p95 of a page per size and the median ratio
largest / smallest.

    .venv/bin/python bench/scan_results.py                 # 10 and 1,000 responses
    BENCH_APP_ROOT=/path/to/older/checkout .venv/bin/python bench/scan_results.py

Bounded: --requests page loads per size; every database is temporary.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from appkit import percentile, run_script  # noqa: E402

ONE = r"""
import json, random, re, sys, time
from datetime import date, timedelta
from flask_migrate import upgrade
from wsgi import app
from community.actions import accounts, organisations
from community.actions import scan as actions
from community.scan import scoring

size, requests = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(3)
with app.app_context():
    upgrade()
    admin = accounts.register_user("admin@bench.example", "Beheer", "bench-password-123", kind="other", is_admin=True)
    manager = accounts.register_user("hr@bench.example", "HR", "bench-password-123")
    org = organisations.create_organisation(admin, name="Metaal BV", kind="company", sector="Metaal")
    membership = organisations.request_membership(manager, org)
    organisations.decide_membership(admin, membership, approve=True)
    organisations.set_member_role(admin, membership, "manager")
    opens = date(2025, 3, 3)
    scan_round = actions.create_round(manager, org, "Ronde", opens, opens + timedelta(days=14), on_day=opens)
    for variant, count in (("employee", size), ("management", max(5, size // 5))):
        codes = [item["code"] for item in scoring.all_items(scoring.questionnaire(), variant)]
        for _ in range(count):
            actions.submit_response(scan_round, variant, {c: rng.randint(1, 5) for c in codes}, on_day=opens)
    round_id = scan_round.id
client = app.test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
assert client.post("/login", data={"email": "hr@bench.example", "password": "bench-password-123",
                                    "csrf_token": token}).status_code == 302
times = []
for _ in range(requests):
    started = time.perf_counter()
    response = client.get(f"/scan/rounds/{round_id}")
    times.append(time.perf_counter() - started)
    assert response.status_code == 200
print(json.dumps({"times": times}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000", help="employee responses, comma-separated")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    medians = {}
    print(f"scan results page, {args.requests} loads per size, in process (SQLite)")
    for size in (int(s) for s in args.sizes.split(",")):
        ms = [t * 1000 for t in run_script(ONE, (size, args.requests))["times"]]
        medians[size] = statistics.median(ms)
        print(f"  {size:>6,} employee responses  median {medians[size]:6.1f} ms  p95 {percentile(ms, 95):6.1f} ms")
    sizes = sorted(medians)
    print(f"  median ratio {sizes[-1]:,} / {sizes[0]:,}: {medians[sizes[-1]] / medians[sizes[0]]:.2f}")


if __name__ == "__main__":
    main()
