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
