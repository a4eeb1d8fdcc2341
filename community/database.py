"""Database set-up: the SQLite default in the instance folder, its pragmas, and migrations."""
import atexit
import os
import threading
import weakref

import sqlalchemy as sa
from sqlalchemy import event

from community.extensions import db, migrate


def init_app(app):
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        uri = "sqlite:///" + os.path.join(app.instance_path, "leerkring.db")
    if uri.startswith("postgres://"):  # the form some hosts hand out
        uri = "postgresql://" + uri[len("postgres://"):]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://"):]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.setdefault("connect_args", {}).update({"timeout": 15})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    import community.models  # noqa: F401  (register the tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True, compare_type=True, render_item=_render_item)
    _close_at_exit(app)


def _close_at_exit(app):
    """Close the pooled connections when the process ends. SQLite moves its write-ahead log into
    the database file when the last connection closes; left to the garbage collector, whether
    that happened depended on the order in which the interpreter tore down its modules (after
    ``flask db upgrade`` the file could stay empty, with everything in the -wal file)."""
    app_ref = weakref.ref(app)

    def close():
        app = app_ref()
        if app is not None:
            with app.app_context():
                db.engine.dispose()
    atexit.register(close)


def _render_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain DateTime in migrations, so they never import app code."""
    from community.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


@event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL (readers do not block the writer), a busy timeout, and foreign keys enforced."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Transactions are begun at the first write (below), not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# --- SQLite: one writer at a time, readers never wait --------------------------------------------
# A SQLite transaction that read first and then writes fails at once with "database is locked"
# when another write committed in between (its snapshot is stale), whatever the busy timeout.
# Under fifty people posting that was 1 post in 15. So reads run without a transaction (each
# statement sees the latest commit, and takes no lock), and the first write of a transaction
# starts it with BEGIN IMMEDIATE, taking the write lock, behind a lock of this process so
# writers queue in order instead of polling. What was read before stays valid as it would
# under PostgreSQL's READ COMMITTED.
WRITE_WAIT_SECONDS = 15
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_write_lock = threading.Lock()


class WriteBusy(sa.exc.TimeoutError):
    """No turn to write within WRITE_WAIT_SECONDS: answered 503 like an exhausted pool."""


def _is_sqlite(conn):
    return conn.dialect.name == "sqlite"


@event.listens_for(sa.engine.Engine, "begin")
def _sqlite_begin(conn):
    if _is_sqlite(conn):
        conn.info["writing"] = False


@event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _sqlite_first_write(conn, cursor, statement, parameters, context, executemany):
    if not _is_sqlite(conn) or conn.info.get("writing", True):
        return
    if not statement.lstrip()[:7].upper().startswith(_WRITES):
        return
    if not _write_lock.acquire(timeout=WRITE_WAIT_SECONDS):
        raise WriteBusy("no turn to write to the database")
    conn.info["writing"] = True
    try:
        cursor.execute("BEGIN IMMEDIATE")
    except Exception:
        conn.info["writing"] = False
        _write_lock.release()
        raise


def _end_write(conn):
    if _is_sqlite(conn) and conn.info.pop("writing", False):
        _write_lock.release()


@event.listens_for(sa.engine.Engine, "commit")
def _sqlite_commit(conn):
    _end_write(conn)


@event.listens_for(sa.engine.Engine, "rollback")
def _sqlite_rollback(conn):
    _end_write(conn)


@event.listens_for(sa.pool.Pool, "reset")
def _sqlite_reset(dbapi_connection, connection_record, reset_state):
    """A connection handed back mid-write (an error path) gives its turn back too."""
    if connection_record is not None and connection_record.info.pop("writing", False):
        _write_lock.release()
