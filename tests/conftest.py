"""Shared fixtures: one app and schema per test session (built by the real migrations), a clean
database for every test, logged-in clients, factories that go through the real actions, a
query counter and a permission-matrix helper.

Databases: SQLite in a temporary folder by default; set TEST_DATABASE_URL to run the whole suite
on PostgreSQL. With LEERKRING_STRICT_SKIPS=1 (CI), a skipped postgres/redis/browser test fails.
"""
import os
import re
import tempfile

import pytest
import sqlalchemy as sa

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="leerkring-test-"))

from community import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests import factories  # noqa: E402
from tests.helpers import QueryCounter, TestClient  # noqa: E402

SERVICE_MARKERS = {"postgres", "redis", "browser"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped PostgreSQL, Redis or browser test is a failure, not a silent pass."""
    outcome = yield
    report = outcome.get_result()
    if (os.environ.get("LEERKRING_STRICT_SKIPS") == "1" and report.skipped
            and SERVICE_MARKERS & {m.name for m in item.iter_markers()}):
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode (LEERKRING_STRICT_SKIPS=1): {report.longrepr}"


def _reset_schema(app):
    """Drop everything, then build the schema with the real migrations (flask db upgrade)."""
    from flask_migrate import upgrade

    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        upgrade()


@pytest.fixture(scope="session")
def app():
    app = create_app(TestingConfig)
    _reset_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Every test starts from empty tables (the schema stays)."""
    if "no_db" in request.fixturenames:
        yield
        return
    from community.extensions import limiter

    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    try:
        yield
    finally:
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                     + " RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(sa.text(f'DELETE FROM "{table}"'))
        ctx.pop()


@pytest.fixture
def client(app):
    app.test_client_class = TestClient
    return app.test_client()


@pytest.fixture
def make_client(app):
    """Fresh, independent browsers: make_client() or make_client(user) (logged in)."""
    app.test_client_class = TestClient

    def make(user=None):
        new = app.test_client()
        if user is not None:
            new.login(user)
        return new
    return make


@pytest.fixture
def f():
    """Factories that build state through the real actions."""
    return factories


@pytest.fixture
def count_queries(app):
    def counter():
        return QueryCounter(db.engine)
    return counter


def csrf_from(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
