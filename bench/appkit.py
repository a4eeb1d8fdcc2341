"""Shared parts of the in-process benchmarks (bench/post_reply.py, bench/scan_results.py): run a
script against a fresh database (SQLite in a temporary instance folder, or a new PostgreSQL
database dropped afterwards) in a subprocess, so each size starts clean, and read its JSON line.
"""
import json
import os
import subprocess
import sys
import tempfile
import uuid

# The app tree to measure: this repository, or an older checkout to compare (BENCH_APP_ROOT).
ROOT = os.environ.get("BENCH_APP_ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_POSTGRES = "postgresql://leerkring:leerkring@127.0.0.1:5432/postgres"
QUIET_LIMITS = dict(POSTS_PER_MINUTE="100000", POSTS_PER_HOUR="100000", NEW_ACCOUNT_POSTS_PER_MINUTE="100000",
                    NEW_ACCOUNT_POSTS_PER_HOUR="100000")


def run_script(script, args, database="sqlite", postgres=DEFAULT_POSTGRES, **env_extra):
    """Run ``script`` (Python source importing ``wsgi``) with ``args``; return its last line as JSON."""
    instance = tempfile.mkdtemp(prefix="leerkring-bench-")
    env = dict(os.environ, INSTANCE_PATH=instance, JOBS_STORE="sqlite", SECRET_KEY="bench-" + "x" * 40,
               PYTHONPATH=ROOT, **QUIET_LIMITS, **env_extra)
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    name = admin = None
    if database == "postgres":
        import sqlalchemy as sa

        name = "leerkring_bench_" + uuid.uuid4().hex[:8]
        admin = sa.create_engine(postgres.replace("postgresql://", "postgresql+psycopg://", 1),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        env["DATABASE_URL"] = postgres.rsplit("/", 1)[0] + "/" + name
    try:
        done = subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=3600)
        if done.returncode:
            sys.exit(done.stderr[-3000:])
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if name:
            import sqlalchemy as sa

            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]
