"""Test helpers: a CSRF-aware test client, a query counter, a permission-matrix assertion, row
counts, a small PNG, config changes for one test, and a signed-in socket."""
import io
import re
import socket
from contextlib import contextmanager

import sqlalchemy as sa
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import event

from community.extensions import db
from community.models import CommunityMembership
from tests.factories import PASSWORD


class TestClient(FlaskClient):
    """A test client that behaves like a browser: it fetches a CSRF token before posting."""

    __test__ = False

    def open(self, *args, **kwargs):
        # Each request gets its own application context (fresh g, fresh database session), as in
        # a real server; otherwise it would reuse the test's context and leak state between
        # requests.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        from community.extensions import db
        db.session.expire_all()  # the test's own objects see what the request wrote
        return response

    def csrf_token(self, page="/"):
        html = self.get(page).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(self, url, data=None, page=None, **kwargs):
        """POST a form the way a browser does, with the CSRF token of the current session."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(page or "/"))
        return self.post(url, data=payload, **kwargs)

    def login(self, user, password=PASSWORD):
        response = self.submit("/login", {"email": user.email, "password": password}, page="/login")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        return self.submit("/logout")


class QueryCounter:
    """Counts SQL statements on an engine while the with-block runs."""

    def __init__(self, engine):
        self.engine = engine
        self.statements = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self):
        return len(self.statements)


def counted_get(client, url, count_queries):
    """GET url twice (the first warms up: a token's first use is noted once) and count the
    statements of the second; returns (counter, JSON body)."""
    assert client.get(url).status_code == 200
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter, response.get_json()


def count(model, *where):
    """How many rows of ``model`` match the conditions."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def membership_of(user, community):
    return db.session.scalar(sa.select(CommunityMembership).where(
        CommunityMembership.user_id == user.id, CommunityMembership.community_id == community.id))


def png(width=4, height=3, color="teal"):
    """The bytes of a small PNG image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


@contextmanager
def settings(app, **values):
    """Change config values for the duration of a with-block."""
    saved = {key: app.config[key] for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_matrix(clients, cases):
    """Check a role × request table in one go and report every mismatch together.

    clients: {role: test client}; cases: [(method, url, {role: expected status}, data?)].
    A role missing from a case's expectations is not checked for that case.
    """
    failures = []
    for case in cases:
        method, url, expected = case[:3]
        data = case[3] if len(case) > 3 else None
        for role, status in expected.items():
            client = clients[role]
            if method == "GET":
                got = client.get(url).status_code
            elif url.startswith("/api/"):
                got = client.open(url, method=method, json=data or {}).status_code
            else:
                got = client.submit(url, data).status_code
            if got != status:
                failures.append(f"{role:>22} {method:6} {url:45} expected {status}, got {got}")
    assert not failures, "permission matrix mismatches:\n" + "\n".join(failures)


def assert_error(response, status, code=None, field=None):
    """The API answered `status` with a JSON error body (and the given code and field)."""
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    if field:
        assert error.get("field") == field, error
    return error


class LiveSocket:
    """A Socket.IO test client signed in with an HTTP test client's session. Every call runs in
    a fresh application context, as each message on a real server does (the test's own context
    would share `g`, and with it who is signed in)."""

    def __init__(self, app, http_client):
        from community.extensions import socketio

        self.app = app
        with app.app_context():
            self.client = socketio.test_client(app, flask_test_client=http_client)

    def is_connected(self):
        return self.client.is_connected()

    def emit(self, event, data=None, callback=True):
        with self.app.app_context():
            return self.client.emit(event, data, callback=callback)

    def follow(self, kind, object_id):
        return self.emit("follow", {"kind": kind, "id": object_id})

    def received(self, name="event"):
        """The messages of one kind received since the last call (others are dropped). A closed
        socket receives nothing."""
        if not self.client.is_connected():
            return []
        return [packet["args"][0] for packet in self.client.get_received() if packet["name"] == name]

    def disconnect(self):
        with self.app.app_context():
            self.client.disconnect()


def browser_login(page, user, password=PASSWORD):
    """Sign in through the login form in a Playwright page, as a person would."""
    page.goto("/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(password)
    page.locator("form[data-draft=login] button[type=submit]").click()
    page.wait_for_url("**/dashboard")


def closing_on_drop(app):
    """The WSGI app, with its response closed even when the browser drops the connection halfway.

    Werkzeug's development server skips the response's close() when a write fails on a closed
    page (a favicon still streaming), so a static file stays open until garbage collection and
    its ResourceWarning lands in whichever test is running. A generator's finally runs on close
    or on collection, and closes the response first."""

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            yield from response
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi
