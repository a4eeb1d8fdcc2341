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
