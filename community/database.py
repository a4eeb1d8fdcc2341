"""Database set-up: the SQLite default in the instance folder, its pragmas, and migrations."""
import os

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
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
