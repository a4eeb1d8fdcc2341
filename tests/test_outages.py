"""Outages: Redis or the database out of reach for a while, and a write whose answer could not
be read back.

- Redis gone (a redis-server of the test's own, killed): logging in and every page keep working;
  the rate limiter counts in memory meanwhile and goes back to Redis once it answers again.
- The database gone (an address where nothing listens: a real refused connection) or its pool
  exhausted: the API answers 503 JSON, pages the branded 503 page, built without asking the
  database anything, and a form's text comes back to be copied.
- A write whose commit succeeded answers success even when the database fails right after the
  commit (fault injection: every SELECT after that commit fails, as if the server had gone).
"""
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from community import create_app
from community.realtime import sockets
from community.actions import communities as community_actions
from community.actions import discussions as discussion_actions
from community.actions import trajectories as trajectory_actions
from community.extensions import db, limiter, socketio
from community.models import Case, Discussion, OutcomeEntry, Reply
from config import TestingConfig
from tests.helpers import TestClient, assert_error, count, free_port


@pytest.fixture
def make_app(app):
    """Apps of their own configuration. The extension objects are shared by every app, so the
    suite's app gets its limiter storage and Socket.IO server back afterwards."""
    made = []

    def make(config_class):
        other = create_app(config_class)
        other.test_client_class = TestClient
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
    limiter.init_app(app)
    limiter._storage_dead = False  # a fallback left over from a killed Redis must not leak on
    # Flask-SocketIO keeps the previous Redis queue when re-initialised without one.
    socketio.server_options.pop("client_manager", None)
    sockets.init_app(app)


@pytest.fixture
def thread(factories):
    """A community with a member who started a discussion."""
    member = factories.user(name="Lid Een", language="en")
    community = factories.community()
    community_actions.join(member, community)
    discussion = discussion_actions.start_discussion(member, community, "Trillingen meten", "Wie heeft ervaring?")
    return member, community, discussion


def _carry_session(source, target, app):
    """The same browser against another app (same SECRET_KEY): its session cookie goes along."""
    name = app.config["SESSION_COOKIE_NAME"]
    target.set_cookie(name, source.get_cookie(name).value)
    return target


# --- Redis ------------------------------------------------------------------------------------------

class _RedisServer:
    """A redis-server of this test's own on a free loopback port (never the shared one)."""

    def __init__(self, binary, port):
        self.binary, self.port, self.process = binary, port, None

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            for _ in range(100):
                try:
                    if client.ping():
                        return
                except redis.exceptions.ConnectionError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")
        finally:
            client.close()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def login_keys(self):
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        try:
            return [key for key in client.keys("*") if b"login:" in key]
        finally:
            client.close()


@pytest.fixture
def own_redis():
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    server = _RedisServer(binary, free_port())
    server.start()
    yield server
    server.stop()


@pytest.mark.redis
def test_login_and_pages_keep_working_while_redis_is_down(make_app, own_redis, thread, caplog):
    member, community, discussion = thread

    class RedisConfig(TestingConfig):
        REDIS_URL = f"redis://127.0.0.1:{own_redis.port}/0"
        RATELIMIT_STORAGE_URI = None  # taken from REDIS_URL, as in production

    redis_app = make_app(RedisConfig)
    wrong = {"email": member.email, "password": "not the password"}
    assert redis_app.test_client().submit("/login", wrong, page="/login").status_code == 400
    assert own_redis.login_keys(), "the failed attempt is not counted in Redis"
    redis_app.test_client().login(member)

    own_redis.stop()
    browser = redis_app.test_client()
    started = time.monotonic()
    browser.login(member)  # asserts the redirect
    assert time.monotonic() - started < 5, "the fallback to memory waited too long for Redis"
    assert "falling back to in-memory storage" in caplog.text
    anonymous = redis_app.test_client()
    assert anonymous.submit("/login", wrong, page="/login").status_code == 400  # counted in memory
    for url in ("/dashboard", f"/c/{community.slug}/", f"/c/{community.slug}/discussions", f"/d/{discussion.id}",
                "/notifications"):
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
    posted = browser.submit(f"/d/{discussion.id}/reply", {"body": "Geschreven terwijl Redis weg was"},
                            page=f"/d/{discussion.id}")
    assert posted.status_code == 302

    # Redis back: the limiter returns to it by itself (Flask-Limiter checks with growing pauses).
    own_redis.start()
    deadline = time.monotonic() + 60
    while not own_redis.login_keys():
        assert time.monotonic() < deadline, "the rate limiter did not go back to Redis"
        time.sleep(0.5)
        assert anonymous.submit("/login", wrong, page="/login").status_code == 400
    assert redis_app.test_client().login(member).status_code == 302


# --- the database out of reach ------------------------------------------------------------------------

def _dead_database():
    class DeadDatabase(TestingConfig):
        # Nothing listens on this loopback port: every connection attempt is refused.
        SQLALCHEMY_DATABASE_URI = f"postgresql://leerkring@127.0.0.1:{free_port()}/leerkring"
    return DeadDatabase


@contextmanager
def _connection_attempts(app):
    attempts = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: attempts.append(1)  # noqa: E731
    event.listen(engine, "do_connect", listener)
    try:
        yield attempts
    finally:
        event.remove(engine, "do_connect", listener)


def test_database_down_api_answers_503_json(make_app, thread, factories):
    member, community, discussion = thread
    token = factories.token(member)
    down = make_app(_dead_database())
    api = down.test_client()
    api.environ_base.update(HTTP_AUTHORIZATION="Bearer " + token, HTTP_ACCEPT_LANGUAGE="en")
    with _connection_attempts(down) as attempts:
        response = api.get(f"/api/v1/discussions/{discussion.id}")
    error = assert_error(response, 503, code="unavailable")
    assert "database" in error["message"]
    assert response.headers["Retry-After"] == "30"
    assert len(attempts) == 1, "the error answer asked the database again"

    posted = api.post(f"/api/v1/discussions/{discussion.id}/replies", json={"body": "Nog een vraag"})
    error = assert_error(posted, 503, code="unavailable")
    assert "not saved" in error["message"]
    # Without credentials the API still says 401 (nothing to look up), not 503.
    assert down.test_client().get(f"/api/v1/discussions/{discussion.id}").status_code == 401


def test_database_down_pages_answer_the_branded_503_page_with_the_text_kept(make_app, app, thread, make_client):
    member, community, discussion = thread
    browser = make_client(member)  # signed in while the database worked; the account is in English
    page = f"/d/{discussion.id}"
    token = browser.csrf_token(page)
    down = make_app(_dead_database())
    client = _carry_session(browser, down.test_client(), app)

    with _connection_attempts(down) as attempts:
        response = client.get(page)
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Temporarily unavailable" in html and "Leerkring" in html and 'class="site-header"' in html
    assert '<html lang="en">' in html  # the account's language, from the session
    assert 'href="/login"' not in html  # a signed-in user is not asked to log in
    assert len(attempts) == 1, "the error page asked the database again"

    text = "Mijn antwoord <b>met</b> vijf regels\ntweede regel"
    with _connection_attempts(down) as attempts:
        response = client.post(f"{page}/reply", data={"csrf_token": token, "body": text},
                               headers={"Referer": f"http://localhost{page}"})
    assert response.status_code == 503 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "was not saved" in html
    assert "Mijn antwoord &lt;b&gt;met&lt;/b&gt; vijf regels\ntweede regel</textarea>" in html
    assert "readonly" in html and f'href="{page}"' in html  # back to the form
    assert token not in html.split("</header>", 1)[1]  # the CSRF token is not shown back as text
    assert len(attempts) == 1


def test_database_down_login_keeps_the_address_never_the_password(make_app):
    down = make_app(_dead_database())
    visitor = down.test_client()
    response = visitor.submit("/login", {"email": "someone@example.com", "password": "secret password 1"},
                              page="/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Tijdelijk niet beschikbaar" in html and '<html lang="nl">' in html
    assert "someone@example.com</textarea>" in html
    assert "secret password 1" not in html
    english = down.test_client().submit("/login", {"email": "x@example.com", "password": "whatever it is"},
                                        page="/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Temporarily unavailable" in english.get_data(as_text=True)  # no session choice: the browser's


def test_pool_exhausted_answers_503_and_recovers(make_app, app, thread, factories, make_client):
    member, community, discussion = thread
    token = factories.token(member)
    browser = make_client(member)

    class SmallPool(TestingConfig):
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 1, "max_overflow": 0, "pool_timeout": 0.3}

    small = make_app(SmallPool)
    held, release = threading.Event(), threading.Event()

    def hold_the_only_connection():
        with small.app_context():
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
                held.set()
                release.wait(20)

    holder = threading.Thread(target=hold_the_only_connection)
    holder.start()
    try:
        assert held.wait(10)
        api = small.test_client()
        api.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + token
        assert_error(api.get(f"/api/v1/discussions/{discussion.id}"), 503, code="unavailable")
        client = _carry_session(browser, small.test_client(), app)
        response = client.get(f"/d/{discussion.id}")
        assert response.status_code == 503 and 'class="error-code"' in response.get_data(as_text=True)
    finally:
        release.set()
        holder.join(10)
    assert api.get(f"/api/v1/discussions/{discussion.id}").status_code == 200
    assert client.get(f"/d/{discussion.id}").status_code == 200


# --- a saved write answers success, whatever happens after its commit ---------------------------------

@contextmanager
def _reads_fail_after_commit_of(model):
    """Fault injection: once a transaction that inserted a ``model`` row has committed, every
    SELECT fails as if the database server had gone (until the with-block ends)."""
    state = {"inserted": False, "armed": False, "failed": 0}

    def after_flush(session, context):
        if any(isinstance(obj, model) for obj in session.new):
            state["inserted"] = True

    def after_commit(session):
        if state["inserted"]:
            state["armed"] = True

    def before_cursor_execute(connection, cursor, statement, parameters, context, executemany):
        if state["armed"] and statement.lstrip().upper().startswith("SELECT"):
            state["failed"] += 1
            raise sa.exc.OperationalError(statement, parameters,
                                          Exception("server closed the connection unexpectedly"))

    event.listen(Session, "after_flush", after_flush)
    event.listen(Session, "after_commit", after_commit)
    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield state
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)
        event.remove(Session, "after_commit", after_commit)
        event.remove(Session, "after_flush", after_flush)


def test_a_saved_reply_answers_success_when_the_database_fails_after_the_commit(thread, make_client, api):
    member, community, discussion = thread
    browser = make_client(member)
    token = browser.csrf_token(f"/d/{discussion.id}")
    with _reads_fail_after_commit_of(Reply) as fault:
        response = browser.post(f"/d/{discussion.id}/reply", data={"csrf_token": token, "body": "Eerste antwoord"})
    assert fault["armed"], "the reply was not committed"
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert fault["failed"] == 0, "the answer read the reply back after the commit"
    assert response.headers["Location"].endswith(f"/d/{discussion.id}#reply-1")
    assert count(Reply, Reply.body == "Eerste antwoord") == 1

    with _reads_fail_after_commit_of(Reply) as fault:
        response = api(member).post(f"/api/v1/discussions/{discussion.id}/replies", json={"body": "Via de API"})
    assert fault["armed"] and fault["failed"] == 0
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["number"] == 2 and body["body"] == "Via de API" and body["author"]["id"] == member.id
    assert body["me_helpful"] is False and body["can_edit"] is True
    assert count(Reply, Reply.body == "Via de API") == 1
    assert db.session.get(Discussion, discussion.id).reply_count == 2


def test_a_started_discussion_answers_success_when_the_database_fails_after_the_commit(thread, make_client, api):
    member, community, discussion = thread
    browser = make_client(member)
    form = f"/c/{community.slug}/discussions/new"
    token = browser.csrf_token(form)
    with _reads_fail_after_commit_of(Discussion) as fault:
        response = browser.post(form, data={"csrf_token": token, "title": "Nieuwe vraag", "body": "Wie weet het?"})
    assert fault["armed"] and fault["failed"] == 0
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    created = db.session.scalars(sa.select(Discussion).where(Discussion.title == "Nieuwe vraag")).all()
    assert len(created) == 1 and response.headers["Location"].endswith(f"/d/{created[0].id}")

    with _reads_fail_after_commit_of(Discussion) as fault:
        response = api(member).post(f"/api/v1/communities/{community.slug}/discussions",
                                    json={"title": "Via de API", "body": "Tekst"})
    assert fault["armed"] and fault["failed"] == 0
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["title"] == "Via de API" and body["community"]["slug"] == community.slug
    assert body["last_read_number"] == 0 and body["can_reply"] is True
    assert count(Discussion, Discussion.title == "Via de API") == 1


def test_a_created_case_answers_success_when_the_database_fails_after_the_commit(thread, make_client, api):
    member, community, discussion = thread
    browser = make_client(member)
    form = f"/c/{community.slug}/cases/new"
    token = browser.csrf_token(form)
    with _reads_fail_after_commit_of(Case) as fault:
        response = browser.post(form, data={"csrf_token": token, "title": "Robotcel", "context": "Wat er was"})
    assert fault["armed"]
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    created = db.session.scalars(sa.select(Case).where(Case.title == "Robotcel")).all()
    assert len(created) == 1 and response.headers["Location"].endswith(f"/cases/{created[0].id}")

    with _reads_fail_after_commit_of(Case) as fault:
        response = api(member).post(f"/api/v1/communities/{community.slug}/cases",
                                    json={"title": "Via de API", "context": "Tekst"})
    # Today the full answer reads the case's discussion back (that read fails here): the body
    # then says what is known without the database.
    assert fault["armed"]
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    assert response.get_json()["status"] == "draft"
    assert response.get_json()["id"] == db.session.scalar(sa.select(Case.id).where(Case.title == "Via de API"))


def test_a_log_entry_answers_success_when_the_database_fails_after_the_commit(factories, make_client, api):
    admin = factories.admin()
    company = factories.organisation(actor=admin)
    owner = factories.member(company, factories.user(name="HR"), role="manager")
    community = factories.community(actor=admin)
    community_actions.join(owner, community)
    trajectory = trajectory_actions.create_trajectory(owner, company, community, title="Inwerken", goal="Sneller",
                                                      visibility="community", planned_start=date(2026, 9, 1),
                                                      planned_end=date(2027, 6, 30))
    browser = make_client(owner)
    token = browser.csrf_token(f"/t/{trajectory.id}")
    entry = {"csrf_token": token, "body": "Geleerd: meten", "kind": "result", "value_kind": "applied"}
    with _reads_fail_after_commit_of(OutcomeEntry) as fault:
        response = browser.post(f"/t/{trajectory.id}/log", data=entry)
    assert fault["armed"]
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith(f"/t/{trajectory.id}#log")

    with _reads_fail_after_commit_of(OutcomeEntry) as fault:
        response = api(owner).post(f"/api/v1/trajectories/{trajectory.id}/entries",
                                   json={"body": "Via de API", "kind": "result", "value_kind": "applied"})
    assert fault["armed"]
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    assert response.get_json()["body"] == "Via de API"
    assert count(OutcomeEntry, OutcomeEntry.trajectory_id == trajectory.id) == 2


def test_only_an_unreachable_database_counts_as_unavailable():
    """Only the database being out of reach is a 503; other errors stay what they were."""
    from community.errors import database_unavailable

    assert not database_unavailable(ValueError("a bug"))
    assert not database_unavailable(sa.exc.IntegrityError("INSERT", {}, Exception("duplicate")))
    try:
        try:
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
        except sa.exc.OperationalError as error:
            raise RuntimeError("while loading the page") from error
    except RuntimeError as wrapped:
        assert database_unavailable(wrapped)
