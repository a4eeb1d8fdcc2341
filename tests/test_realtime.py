"""Socket.IO is set up now; connections must come from a signed-in browser."""
from community.extensions import socketio


def _connect(app, client):
    # A fresh app context, as a real connection gets (the test's own context would share `g`).
    with app.app_context():
        return socketio.test_client(app, flask_test_client=client)


def test_anonymous_socket_is_refused(app, client):
    assert not _connect(app, client).is_connected()


def test_signed_in_socket_connects_and_logout_ends_it(app, client, factories):
    client.login(factories.user())
    socket = _connect(app, client)
    assert socket.is_connected()
    socket.disconnect()
    client.logout()
    assert not _connect(app, client).is_connected()


def test_a_database_error_during_a_message_closes_the_socket_instead_of_failing(app, client, factories,
                                                                               monkeypatch):
    """A deadlock or an outage while a message re-reads the login session: the socket is closed
    (the browser reconnects and catches up later); nothing is raised in the handler's thread."""
    import sqlalchemy as sa

    from community.queries import accounts
    from tests.helpers import LiveSocket

    client.login(factories.user())
    socket = LiveSocket(app, client)
    assert socket.is_connected()

    def fails(key):
        raise sa.exc.OperationalError("SELECT login_sessions", {}, Exception("deadlock detected"))

    monkeypatch.setattr(accounts, "user_for_session_key", fails)
    socket.emit("follow", {"kind": "user", "id": 1}, callback=False)
    assert not socket.is_connected()
