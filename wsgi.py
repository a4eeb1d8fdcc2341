"""Entry point: ``app`` for WSGI servers and ``flask --app wsgi``; ``socketio`` for live updates.

``python wsgi.py`` starts the embedded default: one process, SQLite, live updates and the job
consumer in process, served by gevent's WSGI server (Flask-SocketIO's production server for one
process; WebSockets through simple-websocket). The standard library is patched for gevent before
anything else is imported, so threads (the job consumer's workers) become greenlets. In
production gunicorn's gevent worker serves ``wsgi:app`` and the consumer runs apart:
``flask --app wsgi jobs run``.
"""
import os

if __name__ == "__main__" and os.environ.get("SOCKETIO_ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey

    monkey.patch_all()
    os.environ["SOCKETIO_ASYNC_MODE"] = "gevent"

from community import create_app  # noqa: E402 - after the patch above
from community.extensions import socketio  # noqa: E402

app = create_app()

if __name__ == "__main__":
    from community.jobs import start_consumer

    if app.config["JOBS_STORE"] != "immediate":
        start_consumer(app)
    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"], log_output=False,
                 use_reloader=False, **({"allow_unsafe_werkzeug": True}
                                        if app.config["SOCKETIO_ASYNC_MODE"] == "threading" else {}))
