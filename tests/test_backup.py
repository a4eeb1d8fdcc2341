"""`flask backup` and `flask restore` on SQLite and PostgreSQL, through the real command line.

Each test runs its own site (a temporary instance folder, and a fresh PostgreSQL database when
needed) with `flask --app wsgi` subprocesses and environment variables, the way an admin does.
Content is made through the real actions (tests/factories.py) in a subprocess; the restored site
is then asked, again in a subprocess, for the discussion page and the attachment download.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLASK = os.path.join(os.path.dirname(sys.executable), "flask")
HEAD = ScriptDirectory(os.path.join(ROOT, "migrations")).get_current_head()
REPLY = "Antwoord-dat-in-de-WAL-staat"
UNREACHABLE_PG = "postgresql://nobody@127.0.0.1:1/none"

# Made through the real actions with the test configuration (fast password hashing, no limits).
SEED = r"""
import io, json, os
from PIL import Image
from community import create_app
from config import TestingConfig

class Config(TestingConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]

with create_app(Config).app_context():
    from community.actions import attachments, cases, discussions, moderation
    from tests import factories
    community = factories.community(name="Back-upkring")
    author, member = factories.user(), factories.user()
    factories.community_member(community, author)
    factories.community_member(community, member)
    discussion = discussions.start_discussion(author, community, "Back-up proef", "Wat bewaren we?")
    reply = discussions.post_reply(member, discussion, os.environ["SEED_REPLY"])
    moderation.report(author, "reply", reply, "spam")
    case = cases.create_case(author, community, title="Casus met foto", context="Een foto.", publish=True)
    image = io.BytesIO()
    Image.new("RGB", (12, 8), "teal").save(image, "PNG")
    attachment = attachments.add_attachment(author, case, "foto.png", io.BytesIO(image.getvalue()))
    print(json.dumps({"email": author.email, "discussion": discussion.id, "attachment": attachment.id,
                      "stored_name": attachment.stored_name}))
"""

# The restored site with its own configuration (DATABASE_URL, INSTANCE_PATH), like the server.
CHECK = r"""
import hashlib, json, sys
from types import SimpleNamespace
from community import create_app
from tests.helpers import TestClient

seeded = json.loads(sys.argv[1])
app = create_app()
app.test_client_class = TestClient
with app.app_context():
    client = app.test_client()
    client.login(SimpleNamespace(email=seeded["email"]))
    thread = f"/d/{seeded['discussion']}"
    page = client.get(thread)
    download = client.get(f"/attachments/{seeded['attachment']}")
    posted = client.submit(thread + "/reply", {"body": "Geschreven na de restore."}, page=thread)
    print(json.dumps({"page": page.status_code, "page_text": page.get_data(as_text=True),
                      "download": download.status_code, "sha256": hashlib.sha256(download.data).hexdigest(),
                      "posted": posted.status_code,
                      "after": "Geschreven na de restore." in client.get(thread).get_data(as_text=True)}))
"""


def site_env(database_url, instance):
    """The environment of a site: its database URL ('' = SQLite in the instance folder)."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "TEST_DATABASE_URL")}
    env.update(LEERKRING_ENV="development", DATABASE_URL=database_url, INSTANCE_PATH=str(instance),
               RATELIMIT_ENABLED="0", NEW_ACCOUNT_HOURS="0", SEED_REPLY=REPLY)
    return env


def run(command, env, expect=0):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    output = result.stdout + result.stderr
    assert result.returncode == expect, f"{command[:4]} exited {result.returncode}:\n{output[-4000:]}"
    assert "Traceback" not in output, output[-4000:]
    return result


def flask(*args, env, expect=0):
    return run([FLASK, "--app", "wsgi", *args], env, expect)


def seed(env):
    return json.loads(run([sys.executable, "-c", SEED], env).stdout.strip().splitlines()[-1])


def check_site(env, seeded):
    return json.loads(run([sys.executable, "-c", CHECK, json.dumps(seeded)], env).stdout.strip().splitlines()[-1])


def database_scalar(env, sql):
    """One value from a site's database, read from the test process."""
    url = env["DATABASE_URL"] or "sqlite:///" + os.path.join(env["INSTANCE_PATH"], "leerkring.db")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text(sql))
    finally:
        engine.dispose()


def sha256_of(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def backup_folder(result):
    line = next(line for line in result.stdout.splitlines() if line.startswith("Backup written to "))
    return line[len("Backup written to "):]


@contextmanager
def fresh_postgres_database():
    """A new, empty database on the TEST_POSTGRES_URL server, dropped afterwards."""
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        pytest.skip("TEST_POSTGRES_URL is not set")
    name = "leerkring_backup_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def assert_restored_site_works(target, seeded, source_instance):
    """`flask db upgrade` has nothing to do, and the site shows the thread and the attachment."""
    upgrade = flask("db", "upgrade", env=target)
    assert "Running upgrade" not in upgrade.stderr
    assert database_scalar(target, "SELECT version_num FROM alembic_version") == HEAD
    result = check_site(target, seeded)
    assert result["page"] == 200 and REPLY in result["page_text"]
    assert result["download"] == 200
    assert result["sha256"] == sha256_of(os.path.join(source_instance, "uploads", seeded["stored_name"]))
    assert result["posted"] == 302 and result["after"], "a new reply after the restore"


def assert_manifest(folder, kind):
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    assert manifest["database"] == kind and manifest["schema_revision"] == HEAD
    assert manifest["counts"]["replies"] == 1 and manifest["counts"]["attachments"] == 1
    assert manifest["uploads"]["files"] == 1 and manifest["uploads"]["missing"] == []
    return manifest


# --- SQLite ------------------------------------------------------------------------------------

def test_sqlite_backup_reads_the_wal_and_restores_into_an_empty_instance(tmp_path):
    source = site_env("", tmp_path / "source")
    flask("db", "upgrade", env=source)
    database = tmp_path / "source" / "leerkring.db"
    # Like the running server: an open connection keeps the -wal file from being checkpointed
    # into the database file when the seeding process ends.
    server = sqlite3.connect(database)
    try:
        server.execute("SELECT count(*) FROM sqlite_master").fetchone()
        seeded = seed(source)
        assert os.path.getsize(f"{database}-wal") > 0
        shutil.copyfile(database, tmp_path / "plain-copy.db")
        plain = sqlite3.connect(tmp_path / "plain-copy.db")
        try:
            assert plain.execute("SELECT count(*) FROM replies").fetchone()[0] == 0, \
                "the reply should still be in the -wal file only"
        finally:
            plain.close()
        folder = backup_folder(flask("backup", "--to", str(tmp_path / "backups"), env=source))
    finally:
        server.close()

    assert os.path.basename(folder).startswith("leerkring-backup-")
    assert sorted(os.listdir(folder)) == ["database.sqlite3", "manifest.json", "uploads"]
    assert_manifest(folder, "sqlite")
    copy = sqlite3.connect(os.path.join(folder, "database.sqlite3"))
    try:
        assert copy.execute("SELECT count(*) FROM replies WHERE body = ?", (REPLY,)).fetchone()[0] == 1
    finally:
        copy.close()

    target = site_env("", tmp_path / "target")
    flask("restore", folder, env=target)
    assert_restored_site_works(target, seeded, tmp_path / "source")

    # A site with data is not overwritten unless told; then it is.
    refused = flask("restore", folder, env=source, expect=1)
    assert "not empty" in refused.stderr and "--yes" in refused.stderr
    assert database_scalar(target, "SELECT count(*) FROM replies") == 2
    flask("restore", "--yes", folder, env=target)
    assert database_scalar(target, "SELECT count(*) FROM replies") == 1


def test_restore_refuses_what_it_cannot_restore(tmp_path):
    empty = site_env("", tmp_path / "site")
    assert "not a Leerkring backup" in flask("restore", str(tmp_path), env=empty, expect=1).stderr
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"format": "leerkring-backup", "database": "sqlite"}))
    (folder / "database.sqlite3").write_bytes(b"not a database at all" * 100)
    assert "damaged" in flask("restore", str(folder), env=empty, expect=1).stderr
    # A SQLite backup into a PostgreSQL site: refused before connecting.
    wrong_kind = flask("restore", str(folder), env=site_env(UNREACHABLE_PG, tmp_path / "pg"), expect=1)
    assert "SQLite backup" in wrong_kind.stderr


def test_backup_without_pg_dump_says_so(tmp_path):
    env = site_env(UNREACHABLE_PG, tmp_path / "site")
    env["PATH"] = str(tmp_path / "no-tools-here")
    result = flask("backup", env=env, expect=1)
    assert "pg_dump was not found" in result.stderr
    assert not os.path.exists(tmp_path / "site" / "backups")


# --- PostgreSQL --------------------------------------------------------------------------------

@pytest.mark.postgres
def test_postgres_backup_and_restore(tmp_path):
    with fresh_postgres_database() as source_url, fresh_postgres_database() as target_url:
        source = site_env(source_url, tmp_path / "source")
        flask("db", "upgrade", env=source)
        seeded = seed(source)
        folder = backup_folder(flask("backup", "--to", str(tmp_path / "backups"), env=source))
        assert sorted(os.listdir(folder)) == ["database.pgdump", "manifest.json", "uploads"]
        with open(os.path.join(folder, "database.pgdump"), "rb") as handle:
            assert handle.read(5) == b"PGDMP"  # pg_dump's custom format
        assert_manifest(folder, "postgresql")

        # The target ran `flask db upgrade` already (a fresh deploy): empty tables are replaced.
        target = site_env(target_url, tmp_path / "target")
        flask("db", "upgrade", env=target)
        flask("restore", folder, env=target)
        assert_restored_site_works(target, seeded, tmp_path / "source")

        refused = flask("restore", folder, env=source, expect=1)
        assert "not empty" in refused.stderr and "--yes" in refused.stderr
