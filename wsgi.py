"""Entry point: ``app`` for WSGI servers and ``flask --app wsgi``; ``socketio`` for live updates.

``python wsgi.py`` (what ``make run`` starts) serves the embedded default: gunicorn with one
gevent worker, as in production, with SQLite, live updates and the job consumer in that worker
(deploy/embedded.gunicorn.py). In production the consumer runs apart: ``flask --app wsgi jobs
run``. ``make dev`` starts Flask's development server with the debugger instead.
"""
import os
import sys

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.chdir(here)
    os.execv(gunicorn, [gunicorn, "-c", os.path.join(here, "deploy", "embedded.gunicorn.py"), "wsgi:app"])

from community import create_app  # noqa: E402

app = create_app()

if app.config["SOCKETIO_ASYNC_MODE"] == "gevent":
    # A long-lived server process (gunicorn's gevent worker): the objects the app is built from
    # (modules, functions, mappers, compiled templates: over half of the heap) never become
    # garbage, but every full pass of the cyclic collector walks them all; with 1,000 open
    # sockets such a pass stopped every greenlet for 0.3-0.5 s. Keep them out of its way.
    import gc

    gc.freeze()
