"""Shared fixtures: one app and schema per test session (built by the real migrations), a clean
database for every test, logged-in clients, factories that go through the real actions, a
query counter, a permission-matrix helper, and every live event checked against its schema.

Databases: SQLite in a temporary folder by default; set TEST_DATABASE_URL to run the whole suite
on PostgreSQL. With LEERKRING_STRICT_SKIPS=1 (CI), a skipped postgres/redis/browser test fails.
"""
import os
import re
import tempfile
import time

import pytest
import sqlalchemy as sa

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="leerkring-test-"))

from community import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests import factories as factory_module  # noqa: E402
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
        # A browser test's live server may still be answering a request the page sent just before
        # it closed; its reads and TRUNCATE's locks can deadlock. PostgreSQL then cancels one of
        # the two: when it is this cleanup, try again (the request has ended by then).
        for attempt in range(5):
            try:
                with db.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                             + " RESTART IDENTITY CASCADE"))
                    else:
                        for table in tables:
                            conn.execute(sa.text(f'DELETE FROM "{table}"'))
                break
            except sa.exc.OperationalError as error:
                if attempt == 4 or "deadlock" not in str(error).lower():
                    raise
                time.sleep(0.2 * (attempt + 1))
        ctx.pop()


# Event types the tests send themselves, to probe the event machinery (not sent by any action).
PROBE_EVENTS = {"test"}


@pytest.fixture(autouse=True)
def emitted(monkeypatch):
    """Every live event sent during the test, as (room, message); each is checked against its
    schema (community.realtime.schemas) as it goes out, and a test that sent one that does not
    fit fails (as Zulip checks the events of its tests)."""
    from community.realtime import events, schemas

    sent, wrong = [], []
    send = events.emit

    def emit(room, message, event="event"):
        if event == "event":
            sent.append((room, message))
            if message.get("type") not in PROBE_EVENTS:
                wrong.extend(f"{room} {message.get('type')}/{message.get('op')}: {problem}"
                             for problem in schemas.problems(message))
        send(room, message, event)
    monkeypatch.setattr(events, "emit", emit)
    yield sent
    assert not wrong, "events that do not fit their schema:\n" + "\n".join(wrong)


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
def api(make_client, factories):
    """api(user) is a test client that sends the user's API token; api() sends none."""
    def make(user=None):
        client = make_client()
        if user is not None:
            client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + factories.token(user)
        return client
    return make


@pytest.fixture
def factories():
    """Factories that build state through the real actions (tests/factories.py)."""
    return factory_module


@pytest.fixture
def count_queries(app):
    def counter():
        return QueryCounter(db.engine)
    return counter


def csrf_from(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


# --- end-to-end: a live server and headless Chromium -------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served over real HTTP on a free loopback port, in a background thread."""
    import threading

    from werkzeug.serving import make_server

    from tests.helpers import closing_on_drop

    server = make_server("127.0.0.1", 0, closing_on_drop(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _real_socket_server():
    """Flask-SocketIO's test client (tests.helpers.LiveSocket) swaps the server's packet senders
    for its own queues, for the whole process, and makes handlers run inline. A real browser
    needs the real ones back, whichever socket test ran before."""
    from community.extensions import socketio

    server = socketio.server
    for name in ("_send_packet", "_send_eio_packet"):
        server.__dict__.pop(name, None)  # the class's own methods show through again
    server.async_handlers = True  # (its Engine.IO server stays inline: Socket.IO dispatches itself)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page; fails the test on any console error (CSP included)."""
    _real_socket_server()
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    page.console_errors = []

    def on_console(msg):
        # A form answered 400/404 on purpose shows up as "Failed to load resource"; failed
        # sub-resources are caught by on_response below instead.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            page.console_errors.append(msg.text)

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            page.console_errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()
    assert not page.console_errors, f"console errors in the browser: {page.console_errors}"
