"""Entry point: ``app`` for WSGI servers and ``flask --app wsgi``; ``socketio`` for live updates.

``python wsgi.py`` starts the embedded default: one process, SQLite, live updates and the job
consumer in process. In production the consumer runs apart: ``flask --app wsgi jobs run``.
"""
from community import create_app
from community.extensions import socketio

app = create_app()

if __name__ == "__main__":
    from community.jobs import start_consumer

    if app.config["JOBS_STORE"] != "immediate":
        start_consumer(app)
    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"],
                 allow_unsafe_werkzeug=True, use_reloader=False)
