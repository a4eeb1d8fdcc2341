"""Live updates over Socket.IO.

Initialised now so the server exists; the live-updates issue adds rooms, events after commit and
catch-up. Connections must come from a signed-in browser (the login session), and the default
same-origin policy stays in force (no cors_allowed_origins='*').
"""

from flask_login import current_user

from community.extensions import socketio


def personal_room(user_id):
    """Room names are built on the server only; a client never names one."""
    return f"user:{user_id}"


def init_app(app):
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config.get("REDIS_URL") or None,
        manage_session=False,  # use Flask's session as it is, so logout applies to sockets too
        logger=False,
        engineio_logger=False,
    )


@socketio.on("connect")
def on_connect(auth=None):
    if not current_user.is_authenticated:
        return False  # refuse anonymous connections
    from flask_socketio import join_room

    join_room(personal_room(current_user.id))
    return None


@socketio.on("disconnect")
def on_disconnect(*args):
    return None


