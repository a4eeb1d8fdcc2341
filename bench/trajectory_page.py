"""Does a trajectory page stay the same size and speed as its learning log grows?

For each size it builds a fresh SQLite database (`flask db upgrade`), a company with a manager, a
community, and one active trajectory with a coach and an employee, --milestones milestones (a
third signed off, a third done) and SIZE learning-log entries written over the months (through the
real actions; dates spread two entries a day). It signs the manager in (who sees every button)
and loads the trajectory page --requests times in process (Flask's test client). Prints per size
the page's size, the median, p95 and fastest load, the median CPU time of the request's thread (less
disturbed by other work on a busy machine) and its SQL statements, then the ratios largest /
smallest.

    .venv/bin/python bench/trajectory_page.py                       # 10 and 200 entries, 10 milestones
    .venv/bin/python bench/trajectory_page.py --milestones 40       # the issue's old trajectory
    BENCH_APP_ROOT=/path/to/older/checkout .venv/bin/python bench/trajectory_page.py

Bounded: --requests page loads per size; every database is temporary.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from appkit import percentile, run_script  # noqa: E402

ONE = r"""
import json, re, sys, time
from datetime import date, datetime, timedelta, timezone
import sqlalchemy as sa
from flask_migrate import upgrade
from wsgi import app
from community.actions import accounts, communities, organisations
from community.actions import trajectories as actions
from community.extensions import db
from community.models import OutcomeEntry

size, milestone_count, requests = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
PASSWORD = "bench-password-123"
KINDS = ("reflection", "result", "obstacle", "next_step")
VALUES = ("immediate", "applied", "realised")
with app.app_context():
    upgrade()
    admin = accounts.register_user("admin@bench.example", "Beheer", PASSWORD, kind="other", is_admin=True)
    manager = accounts.register_user("hr@bench.example", "Hanna de Vries", PASSWORD)
    employee = accounts.register_user("lasser@bench.example", "Pieter Lasser", PASSWORD)
    coach = accounts.register_user("docent@bench.example", "Docent Bakker", PASSWORD, kind="teacher")
    org = organisations.create_organisation(admin, name="Metaal BV", kind="company", sector="Metaal")
    for person, role in ((manager, "manager"), (employee, "member")):
        membership = organisations.request_membership(person, org)
        organisations.decide_membership(admin, membership, approve=True)
        if role == "manager":
            organisations.set_member_role(admin, membership, "manager")
    community = communities.create_community(admin, name="Lassen met cobots", coordinator=admin)
    for person in (manager, employee, coach):
        communities.join(person, community)
    trajectory = actions.create_trajectory(manager, org, community, title="Cobotlassen invoeren",
                                           goal="**Sneller** inwerken met de cobot.", visibility="community",
                                           planned_start=date(2025, 1, 6), planned_end=date(2027, 6, 30))
    actions.add_participant(manager, trajectory, employee, "employee")
    actions.add_participant(manager, trajectory, coach, "coach")
    actions.change_status(manager, trajectory, "active")
    milestones = []
    for i in range(milestone_count):
        milestone = actions.add_milestone(manager, trajectory, title=f"Mijlpaal {i + 1}: lasnaad {i + 1} programmeren",
                                          description=f"Wat we willen zien bij stap **{i + 1}**.",
                                          due_date=date(2025, 2, 3) + timedelta(weeks=2 * i))
        milestones.append(milestone)
        if i % 3 == 0:
            actions.sign_off_milestone(coach, milestone)
        elif i % 3 == 1:
            actions.set_milestone_done(manager, milestone, True)
    for i in range(size):
        actions.add_entry_to_log(employee, trajectory,
                                 f"Vandaag geleerd (stap {i + 1}): de **lasnaad** blijft strak als de snelheid "
                                 f"omlaag gaat. Volgende keer de hoek van de toorts controleren.",
                                 KINDS[i % 4], VALUES[i % 3],
                                 milestone=milestones[i % len(milestones)] if milestones and i % 2 else None)
    start = datetime(2025, 1, 6, 9, tzinfo=timezone.utc)
    ids = db.session.scalars(sa.select(OutcomeEntry.id).where(OutcomeEntry.trajectory_id == trajectory.id)
                             .order_by(OutcomeEntry.id)).all()
    for i, entry_id in enumerate(ids):  # two entries a day, as a log written over the months
        db.session.execute(sa.update(OutcomeEntry).where(OutcomeEntry.id == entry_id)
                           .values(created_at=start + timedelta(hours=12 * i)))
    db.session.commit()
    trajectory_id = trajectory.id
client = app.test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
assert client.post("/login", data={"email": "hr@bench.example", "password": PASSWORD,
                                    "csrf_token": token}).status_code == 302
statements = []
with app.app_context():
    engine = db.engine
sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
times, cpu, sizes, counts = [], [], [], []
for n in range(requests + 2):
    statements.clear()
    started, started_cpu = time.perf_counter(), time.thread_time()
    response = client.get(f"/t/{trajectory_id}")
    elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
    assert response.status_code == 200
    if n >= 2:  # two to warm up
        times.append(elapsed)
        cpu.append(elapsed_cpu)
        sizes.append(len(response.get_data()))
        counts.append(len(statements))
print(json.dumps({"times": times, "cpu": cpu, "bytes": max(sizes), "statements": max(counts)}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,200", help="learning-log entries, comma-separated")
    parser.add_argument("--milestones", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    results = {}
    print(f"trajectory page, {args.milestones} milestones, {args.requests} loads per size, in process (SQLite)")
    for size in (int(s) for s in args.sizes.split(",")):
        result = run_script(ONE, (size, args.milestones, args.requests))
        ms = [t * 1000 for t in result["times"]]
        cpu = statistics.median(result["cpu"]) * 1000
        results[size] = (result["bytes"] / 1024, statistics.median(ms), cpu, min(ms))
        print(f"  {size:>5,} log entries  {result['bytes'] / 1024:6.1f} KB  median {results[size][1]:6.1f} ms  "
              f"p95 {percentile(ms, 95):6.1f} ms  fastest {min(ms):6.1f} ms  CPU median {cpu:6.1f} ms  "
              f"{result['statements']} SQL")
    sizes = sorted(results)
    small, large = results[sizes[0]], results[sizes[-1]]
    print(f"  ratio {sizes[-1]:,} / {sizes[0]:,}: size {large[0] / small[0]:.2f}, median {large[1] / small[1]:.2f}, "
          f"fastest {large[3] / small[3]:.2f}, CPU median {large[2] / small[2]:.2f}")


if __name__ == "__main__":
    main()
