"""End to end in Chromium: a local draft (static/js/drafts.js) outlives a send that did not reach
the server. The server here is a real one that the test stops and starts again on the same port
(the browser sees "connection refused"), or that answers 503 as the app or a proxy in front of it
would; the draft goes only once a send was confirmed by the server's answer."""
import socket
import threading

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.serving import WSGIRequestHandler, make_server

from community.actions import ActionError, discussions as discussion_actions
from community.extensions import db
from tests import worlds
from tests.helpers import browser_login, closing_on_drop

pytestmark = pytest.mark.browser

DRAFT_KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('leerkring-draft:'))"
HAS_DRAFT = f"() => ({DRAFT_KEYS})().length > 0"
# What the browser logs while the server is away; anything else on the console is a failure.
NETWORK_NOISE = ("Failed to load resource", "WebSocket connection to", "net::ERR_")
PROXY_503 = (b"<!doctype html><html><head><title>503 Service Temporarily Unavailable</title></head>"
             b"<body><center><h1>503 Service Temporarily Unavailable</h1></center><hr>"
             b"<center>nginx</center></body></html>")


class _TrackingHandler(WSGIRequestHandler):
    """Remembers its connection, so stopping the server also ends kept-alive connections."""

    def setup(self):
        super().setup()
        self.server.open_connections.add(self.connection)

    def finish(self):
        self.server.open_connections.discard(self.connection)
        super().finish()


class StoppableServer:
    """The test app over real HTTP on a fixed free loopback port, in a thread. stop() closes the
    listening socket and every open connection (the browser then gets "connection refused");
    start() listens on the same port again, so the origin (cookies, localStorage) stays the same.
    With `proxy_down` set, every request gets a bare 503 page, as from a proxy whose app is away."""

    def __init__(self, app):
        self.app = app
        self.proxy_down = False
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._thread = None

    def _wsgi(self, environ, start_response):
        if self.proxy_down:
            start_response("503 Service Temporarily Unavailable",
                           [("Content-Type", "text/html"), ("Content-Length", str(len(PROXY_503)))])
            return [PROXY_503]
        return self.app(environ, start_response)

    def start(self):
        assert self._server is None
        self._server = make_server("127.0.0.1", self.port, closing_on_drop(self._wsgi), threaded=True,
                                   request_handler=_TrackingHandler)
        self._server.open_connections = set()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        server, self._server = self._server, None
        server.shutdown()
        server.server_close()
        for connection in list(server.open_connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)
        # Nothing listens any more: a connection is refused.
        with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
            probe.connect(("127.0.0.1", self.port))


@pytest.fixture
def server(app):
    served = StoppableServer(app)
    served.start()
    yield served
    if served._server is not None:
        served.stop()


@pytest.fixture
def drafts_page(browser, server):
    """A fresh context on the stoppable server; fails the test on console errors other than the
    network failures of a server that is away."""
    context = browser.new_context(base_url=server.url, locale="nl-NL")
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not any(noise in msg.text for noise in NETWORK_NOISE) else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"console errors in the browser: {errors}"


@pytest.fixture
def setting():
    world = worlds.sensor_question()
    return world.community, world.member, world.discussion


def _open_from_link(page, community, discussion):
    """Reopen the discussion as a person would: from the community's list of discussions."""
    page.goto(f"/c/{community.slug}/discussions")
    page.get_by_role("link", name=discussion.title).click()
    page.wait_for_url(f"**/d/{discussion.id}")
    page.wait_for_load_state()


def _type_reply(page, discussion, text):
    page.goto(f"/d/{discussion.id}")
    page.locator("#body").fill(text)
    page.wait_for_function(HAS_DRAFT)


def _send(page):
    page.locator("form[data-draft^=reply] button[type=submit]").click()
    page.wait_for_load_state()


def _restore_from_notice(page, text):
    from playwright.sync_api import expect

    notice = page.locator(".draft-notice[role=status]")
    expect(notice.locator("time")).to_have_count(1)
    label = page.locator("body").get_attribute("data-draft-restore")
    notice.get_by_role("button", name=label).click()
    expect(notice).to_have_count(0)
    expect(page.locator("#body")).to_have_value(text)


def _reply_count(discussion):
    db.session.expire_all()
    return db.session.get(type(discussion), discussion.id).reply_count


def _send_for_real_and_reopen(page, community, discussion, text):
    """Sending it now goes through: the draft goes, and the reply is there exactly once."""
    from playwright.sync_api import expect

    _send(page)
    page.wait_for_url(f"**/d/{discussion.id}#reply-1")
    expect(page.locator("#reply-1 .prose")).to_contain_text(text)
    assert page.evaluate(DRAFT_KEYS) == []

    _open_from_link(page, community, discussion)
    expect(page.locator("#body")).to_have_value("")
    expect(page.locator(".draft-notice")).to_have_count(0)
    expect(page.locator("li.reply", has_text=text)).to_have_count(1)
    assert page.evaluate(DRAFT_KEYS) == []
    assert _reply_count(discussion) == 1


def test_a_reply_sent_while_the_server_is_down_comes_back(drafts_page, server, setting):
    page = drafts_page
    community, member, discussion = setting
    text = "Wij meten met MEMS-sensoren op elke spindel."
    browser_login(page, member)
    _type_reply(page, discussion, text)

    server.stop()
    with pytest.raises(PlaywrightError, match="ERR_CONNECTION_REFUSED"):
        with page.expect_navigation():
            page.locator("form[data-draft^=reply] button[type=submit]").click()
    # The browser shows its own error page: no page of ours, none of our scripts ran.
    page.wait_for_function("location.protocol === 'chrome-error:'")
    assert _reply_count(discussion) == 0

    server.start()
    _open_from_link(page, community, discussion)
    assert len(page.evaluate(DRAFT_KEYS)) == 1
    _restore_from_notice(page, text)

    _send_for_real_and_reopen(page, community, discussion, text)


@pytest.mark.parametrize("answer", ["app", "proxy"])
def test_a_503_answer_keeps_the_draft(drafts_page, server, setting, monkeypatch, answer):
    """The app itself answers 503 (its error page, with our scripts), or a proxy does (a bare
    page without them): either way the draft is there when the discussion is opened again."""
    from playwright.sync_api import expect

    page = drafts_page
    community, member, discussion = setting
    text = "Bij ons werken piëzo-opnemers het best."
    browser_login(page, member)
    _type_reply(page, discussion, text)

    if answer == "app":
        def unavailable(*args, **kwargs):
            raise ServiceUnavailable()
        monkeypatch.setattr(discussion_actions, "post_reply", unavailable)
    else:
        server.proxy_down = True
    with page.expect_response(lambda response: response.request.method == "POST") as answered:
        _send(page)
    assert answered.value.status == 503
    if answer == "app":
        expect(page.locator(".error-page .error-code")).to_have_text("503")
    else:
        expect(page.locator("h1")).to_have_text("503 Service Temporarily Unavailable")
    page.wait_for_load_state()
    assert _reply_count(discussion) == 0

    monkeypatch.undo()
    server.proxy_down = False
    _open_from_link(page, community, discussion)
    _restore_from_notice(page, text)

    _send_for_real_and_reopen(page, community, discussion, text)


def test_a_refused_reply_is_shown_again_and_its_draft_stays(drafts_page, setting, monkeypatch):
    """The server refuses (here: the discussion got locked meanwhile) and shows the form again
    with the text; the draft stays until a send is accepted."""
    from playwright.sync_api import expect

    page = drafts_page
    community, member, discussion = setting
    text = "Wij kijken ook naar de temperatuur van de lagers."
    browser_login(page, member)
    _type_reply(page, discussion, text)

    def refused(*args, **kwargs):
        raise ActionError("Deze discussie is gesloten.", status=409, code="locked")
    monkeypatch.setattr(discussion_actions, "post_reply", refused)
    _send(page)
    page.wait_for_url(f"**/d/{discussion.id}/reply")
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator("#body")).to_have_value(text)
    expect(page.locator(".draft-notice")).to_have_count(0)
    assert page.evaluate(DRAFT_KEYS) != []

    monkeypatch.undo()
    _open_from_link(page, community, discussion)
    _restore_from_notice(page, text)
    _send_for_real_and_reopen(page, community, discussion, text)


@pytest.fixture
def trajectory_setting(factories):
    from community.actions import communities as community_actions, trajectories as trajectory_actions

    admin = factories.admin()
    community = community_actions.create_community(admin, name="Lassen met cobots", coordinator=factories.user())
    company = factories.organisation(name="Metaalbedrijf Noord", actor=admin)
    manager = factories.member(company, factories.user(name="Hanna de Vries"), role="manager")
    community_actions.join(manager, community)
    trajectory = trajectory_actions.create_trajectory(manager, company, community, title="Cobotlassen invoeren")
    return manager, trajectory


@pytest.mark.parametrize("kind", ["new-discussion", "trajectory-log"])
def test_other_forms_sent_while_the_server_is_down_keep_their_draft(drafts_page, server, request, kind):
    """The same for every form with a draft, here a new discussion and a learning-log entry."""
    from playwright.sync_api import expect

    page = drafts_page
    if kind == "new-discussion":
        community, member, _ = request.getfixturevalue("setting")
        person, form_url = member, f"/c/{community.slug}/discussions/new"
        fields = {"#title": "Lagerschade op tijd zien", "#body": "Wie meet er al trillingen op de spindel?"}
        form = "form[data-draft^=discussion-new]"
    else:
        person, trajectory = request.getfixturevalue("trajectory_setting")
        form_url = f"/t/{trajectory.id}"
        form = "form[data-draft^=trajectory-log]"
        fields = {f"{form} textarea": "De eerste las ging scheef: de klem zat los."}
    browser_login(page, person)
    page.goto(form_url)
    for selector, value in fields.items():
        page.locator(selector).fill(value)
    page.wait_for_function(HAS_DRAFT)

    server.stop()
    with pytest.raises(PlaywrightError, match="ERR_CONNECTION_REFUSED"):
        with page.expect_navigation():
            page.locator(f"{form} button[type=submit]").click()
    page.wait_for_function("location.protocol === 'chrome-error:'")

    server.start()
    page.goto("/dashboard")  # first some other page of ours: it must not settle anything
    page.goto(form_url)
    notice = page.locator(".draft-notice[role=status]")
    notice.get_by_role("button", name=page.locator("body").get_attribute("data-draft-restore")).click()
    for selector, value in fields.items():
        expect(page.locator(selector)).to_have_value(value)

    page.locator(f"{form} button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.wait_for_load_state()  # the deferred scripts (drafts.js) have run
    assert page.evaluate(DRAFT_KEYS) == []
    page.goto(form_url)
    expect(page.locator(".draft-notice")).to_have_count(0)
    assert page.locator(f"{form} textarea").input_value() == ""
