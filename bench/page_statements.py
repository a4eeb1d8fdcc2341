"""How many SQL statements do the busiest pages run? Seeds the demo data into a throw-away SQLite
database, signs a demo user in with the Flask test client and prints, for each page, the number
of statements of its second request (the first warms caches up).

    .venv/bin/python bench/page_statements.py [--email hr@vandermeer.example] [--show /d/]
    BENCH_APP_ROOT=<older checkout> .venv/bin/python bench/page_statements.py   # the same, before

``--show`` prints the statements of the pages whose address contains the text. Nothing outside a
temporary folder is touched; the script stops by itself.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

# The app tree to measure: this repository, or an older checkout to compare (BENCH_APP_ROOT).
ROOT = os.environ.get("BENCH_APP_ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
os.chdir(ROOT)
WORKDIR = tempfile.mkdtemp(prefix="leerkring-bench-")
os.environ["INSTANCE_PATH"] = WORKDIR
os.environ["LEERKRING_ENV"] = "testing"

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from community import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from config import TestingConfig  # noqa: E402

PASSWORD = "bench-demo-password-2026"


class BenchConfig(TestingConfig):
    SQLALCHEMY_DATABASE_URI = ""  # always the temporary SQLite file, never TEST_DATABASE_URL
    RATELIMIT_ENABLED = False
    SEED_DEMO_PASSWORD = PASSWORD


def pages():
    from community.models import Discussion, Trajectory

    discussion = db.session.scalars(sa.select(Discussion).order_by(Discussion.reply_count.desc())).first()
    slug = discussion.community.slug
    trajectory = db.session.scalars(sa.select(Trajectory).order_by(Trajectory.id)).first()
    return [f"/d/{discussion.id}", f"/c/{slug}/", f"/c/{slug}/discussions", f"/c/{slug}/cases", "/dashboard",
            "/notifications", f"/t/{trajectory.id}"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--email", default="hr@vandermeer.example", help="the demo user to sign in as")
    parser.add_argument("--show", default="", help="print the statements of pages whose address contains this")
    args = parser.parse_args()
    app = create_app(BenchConfig)
    try:
        with app.app_context():
            from flask_migrate import upgrade

            from community.seed.demo import seed_demo

            upgrade()
            seed_demo()
            urls = pages()
            engine = db.engine
            db.session.remove()
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
        if client.post("/login", data={"csrf_token": token, "email": args.email,
                                       "password": PASSWORD}).status_code != 302:
            raise SystemExit(f"could not sign in as {args.email}")
        statements = []
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(" ".join(a[2].split())))
        print(f"SQL statements per page for {args.email} (demo data, SQLite):")
        for url in urls:
            client.get(url)
            statements.clear()
            status = client.get(url).status_code
            print(f"{url:<45}{status:>5}{len(statements):>5}")
            if args.show and args.show in url:
                for statement in statements:
                    print("    " + statement[:160])
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
