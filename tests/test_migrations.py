"""`flask db upgrade` on an empty database builds exactly the schema the models describe."""
import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from community import create_app
from community.extensions import db
from community.search.schema import include_name
from config import TestingConfig


def _app_for(url):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
    return create_app(Config)


def _assert_upgrade_matches_models(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            # The search engine's own part (FTS5 table, tsvector column) is outside the models:
            # community.search.schema.include_name leaves exactly that out.
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"migrations and models differ: {diff}"
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        db.engine.dispose()


def test_upgrade_on_empty_sqlite(tmp_path):
    _assert_upgrade_matches_models(_app_for(f"sqlite:///{tmp_path / 'empty.db'}"))


@pytest.mark.postgres
def test_upgrade_on_empty_postgres():
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        pytest.skip("TEST_POSTGRES_URL is not set")
    name = "leerkring_migrate_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        base = server.rsplit("/", 1)[0]
        _assert_upgrade_matches_models(_app_for(f"{base}/{name}"))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_sqlite_pragmas(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("this suite runs on PostgreSQL")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


# --- the downgrade guard (migrations/env.py, `flask db downgrade --yes-drop-data`) --------------

def _check_downgrade_guard(url, instance):
    from tests.test_backup import HEAD, database_scalar, flask, seed, site_env

    env = site_env(url, instance)
    flask("db", "upgrade", env=env)
    seed(env)  # through the real actions: a discussion, a reply and a report on it, among others
    refused = flask("db", "downgrade", "0006", env=env, expect=1)
    assert "Refusing to downgrade" in refused.stderr and "table reports" in refused.stderr
    assert "--yes-drop-data" in refused.stderr
    assert database_scalar(env, "SELECT version_num FROM alembic_version") == HEAD
    assert database_scalar(env, "SELECT count(*) FROM reports") == 1
    flask("db", "downgrade", "--yes-drop-data", "0006", env=env)
    assert database_scalar(env, "SELECT version_num FROM alembic_version") == "0006"
    # 0006 -> 0005 drops the scan tables, which are empty: no flag needed.
    flask("db", "downgrade", env=env)
    assert database_scalar(env, "SELECT version_num FROM alembic_version") == "0005"


def test_downgrade_that_drops_data_needs_yes_drop_data_sqlite(tmp_path):
    _check_downgrade_guard(f"sqlite:///{tmp_path / 'guard.db'}", tmp_path / "instance")


@pytest.mark.postgres
def test_downgrade_that_drops_data_needs_yes_drop_data_postgres(tmp_path):
    from tests.test_backup import fresh_postgres_database

    with fresh_postgres_database() as url:
        _check_downgrade_guard(url, tmp_path / "instance")
