"""`flask backup` and `flask restore` (README "Backup and restore").

A backup is one timestamped folder: the database (SQLite's online backup API, which also reads
what is still in the -wal file; or pg_dump's custom format), a copy of the instance's uploads
folder, and manifest.json (schema revision, database kind, time, row counts). Restoring needs an
empty database and uploads folder, unless told to replace them.
"""
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app

from community.actions.attachments import upload_folder
from community.extensions import db
from community.search.schema import is_engine_table

FORMAT = "leerkring-backup"
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """An expected failure, shown as a one-line message without a traceback."""


# --- backup ------------------------------------------------------------------------------------

def create_backup(to_dir=None):
    """Write a backup folder into ``to_dir`` (default: instance/backups); return (path, manifest)."""
    kind = _database_kind()
    pg_dump = _tool("pg_dump") if kind == "postgresql" else None
    to_dir = os.path.abspath(to_dir or os.path.join(current_app.instance_path, "backups"))
    created = datetime.now(timezone.utc)
    base = final = os.path.join(to_dir, "leerkring-backup-" + created.strftime("%Y%m%dT%H%M%SZ"))
    number = 1
    while os.path.exists(final) or os.path.exists(final + ".partial"):
        number += 1
        final = f"{base}-{number}"
    partial = final + ".partial"  # renamed when complete: a half-written backup never looks done
    os.makedirs(to_dir, exist_ok=True)
    os.mkdir(partial, 0o700)  # it holds password hashes and tokens
    try:
        database_file = os.path.join(partial, DATABASE_FILES[kind])
        info = _backup_sqlite(database_file) if kind == "sqlite" else _backup_postgres(pg_dump, database_file)
        # After the database: an attachment's file is written before its row is committed, so every
        # row in the snapshot has its file (unless it was deleted in between; listed as missing).
        uploads = _copy_uploads(upload_folder(), os.path.join(partial, UPLOADS), info.pop("stored_names"))
        manifest = {"format": FORMAT, "version": 1, "created_at": created.isoformat(timespec="seconds"),
                    "database": kind, "database_file": DATABASE_FILES[kind], "uploads": uploads, **info}
        with open(os.path.join(partial, MANIFEST), "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=2, sort_keys=True)
        os.rename(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final, manifest


def _backup_sqlite(target):
    source_path = db.engine.url.database
    if not source_path or source_path == ":memory:" or not os.path.isfile(source_path):
        raise BackupError(f"There is no SQLite database at {source_path}.")
    source = sqlite3.connect(source_path, timeout=15)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one step: a consistent snapshot, including the -wal file
        finally:
            copy.close()
    finally:
        source.close()
    engine = sa.create_engine("sqlite:///" + target, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            info = _read_info(conn)
    finally:
        engine.dispose()
    copy = sqlite3.connect(target)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, readable read-only
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        copy.close()
    if check != "ok":
        raise BackupError(f"The copied database fails SQLite's quick_check: {check}")
    return info


def _backup_postgres(pg_dump, target):
    """pg_dump in the snapshot the counts were read in, so the manifest matches the dump."""
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
        info = _read_info(conn)
        _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}",
              f"--dbname={_libpq_url()}"])
        conn.rollback()
    return info


def _read_info(conn):
    tables = set(sa.inspect(conn).get_table_names())
    counts = {name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
              for name in sorted(tables - {"alembic_version"})}
    revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version")) \
        if "alembic_version" in tables else None
    stored = set(conn.scalars(sa.text("SELECT stored_name FROM attachments"))) \
        if "attachments" in tables else set()
    return {"schema_revision": revision, "counts": counts, "stored_names": stored}


def _copy_uploads(source, target, stored_names):
    def copy_file(src, dst):
        try:
            return shutil.copy2(src, dst)
        except FileNotFoundError:  # removed while the backup ran
            return dst

    if os.path.isdir(source):
        shutil.copytree(source, target, copy_function=copy_file)
    else:
        os.mkdir(target)
    files = [os.path.join(folder, name) for folder, _, names in os.walk(target) for name in names]
    return {"folder": UPLOADS, "files": len(files), "bytes": sum(os.path.getsize(path) for path in files),
            "missing": sorted(stored_names - set(os.listdir(target)))}


# --- restore -----------------------------------------------------------------------------------

def restore_backup(path, replace=False):
    """Restore a backup folder into this site's database and uploads folder. Both must be empty
    unless ``replace``. Returns (manifest, revision now in the database, this code's head)."""
    folder = os.path.dirname(path) if os.path.basename(path) == MANIFEST else path
    manifest = _read_manifest(folder)
    kind = _database_kind()
    if manifest["database"] != kind:
        raise BackupError(f"This is a {KIND_NAMES.get(manifest['database'], manifest['database'])} backup, "
                          f"but this site uses {KIND_NAMES[kind]} (DATABASE_URL). Restore it into a site with "
                          f"the same kind of database.")
    database_file = os.path.join(folder, DATABASE_FILES[kind])
    if not os.path.isfile(database_file):
        raise BackupError(f"The backup has no {DATABASE_FILES[kind]}.")
    script = _script_directory()
    revision = manifest.get("schema_revision")
    if revision and revision not in {rev.revision for rev in script.walk_revisions()}:
        raise BackupError(f"The backup's schema revision {revision} is unknown to this version of Leerkring "
                          f"(a newer version made it); restore it with that version.")
    pg_restore = _tool("pg_restore") if kind == "postgresql" else None
    in_use = _data_present()
    if in_use and not replace:
        raise BackupError("This site is not empty: " + "; ".join(in_use) + ". Restore into an empty instance "
                          "and database, or pass --yes to replace what is there.")
    if kind == "sqlite":
        _restore_sqlite(database_file)
    else:
        _restore_postgres(pg_restore, database_file)
    _restore_uploads(os.path.join(folder, UPLOADS), upload_folder())
    with db.engine.connect() as conn:
        restored = conn.scalar(sa.text("SELECT version_num FROM alembic_version")) \
            if sa.inspect(conn).has_table("alembic_version") else None
    return manifest, restored, script.get_current_head()


def _read_manifest(folder):
    try:
        with open(os.path.join(folder, MANIFEST), encoding="utf-8") as handle:
            manifest = json.load(handle)
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a Leerkring backup (no {MANIFEST}).")
    except (ValueError, OSError) as error:
        raise BackupError(f"Cannot read {os.path.join(folder, MANIFEST)}: {error}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or manifest.get("database") not in DATABASE_FILES:
        raise BackupError(f"{os.path.join(folder, MANIFEST)} is not a Leerkring backup manifest.")
    return manifest


def _data_present():
    """What is already there: tables with rows (the schema alone does not count) and uploads."""
    found = []
    with db.engine.connect() as conn:
        tables = sorted(name for name in set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
                        if not is_engine_table(name))  # FTS5 keeps its settings in a row of its own
        filled = [name for name in tables
                  if conn.scalar(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)) is not None]
    if filled:
        found.append(f"the database has data ({len(filled)} tables with rows: {', '.join(filled[:4])}"
                     f"{', …' if len(filled) > 4 else ''})")
    uploads = os.path.join(current_app.instance_path, UPLOADS)
    if os.path.isdir(uploads) and os.listdir(uploads):
        found.append(f"{uploads} has files")
    return found


def _restore_sqlite(source):
    target = db.engine.url.database
    db.engine.dispose()
    partial = target + ".restoring"
    shutil.copyfile(source, partial)
    copy = sqlite3.connect(partial)
    try:
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        check = str(error)
    finally:
        copy.close()
    if check != "ok":
        os.remove(partial)
        raise BackupError(f"The backup's database file is damaged: {check}")
    # A journal left by the old database would be replayed onto the restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    os.replace(partial, target)


def _restore_postgres(pg_restore, source):
    with db.engine.begin() as conn:  # empty tables (or --yes): drop them, the dump recreates them
        existing = sa.MetaData()
        existing.reflect(bind=conn)
        existing.drop_all(bind=conn)
    db.engine.dispose()
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--no-password", f"--dbname={_libpq_url()}", source])


def _restore_uploads(source, target):
    if os.path.isdir(target):
        shutil.rmtree(target)
    if os.path.isdir(source):
        shutil.copytree(source, target)
    else:
        os.makedirs(target)


# --- helpers -----------------------------------------------------------------------------------

def _database_kind():
    name = db.engine.dialect.name
    if name not in DATABASE_FILES:
        raise BackupError(f"Backups cover SQLite and PostgreSQL, not {name}.")
    return name


def _script_directory():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client programs (Debian/"
                          f"Ubuntu: apt install postgresql-client), the server's major version or newer.")
    return path


def _libpq_url():
    """The database URL for pg_dump/pg_restore; the password goes in the environment instead,
    so it does not show in the process list."""
    return db.engine.url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command):
    env = dict(os.environ)
    if db.engine.url.password:
        env["PGPASSWORD"] = db.engine.url.password
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        name = os.path.basename(command[0])
        output = result.stderr.strip() or result.stdout.strip()
        raise BackupError(f"{name} failed (exit {result.returncode}): {output}")
