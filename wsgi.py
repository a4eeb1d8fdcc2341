"""Entry point: ``app`` for WSGI servers and ``flask --app wsgi``; ``socketio`` for live updates.

``python wsgi.py`` starts the embedded default: one process, SQLite, live updates in process.
"""
from community import create_app
from community.extensions import socketio

app = create_app()

if __name__ == "__main__":
    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"],
                 allow_unsafe_werkzeug=True, use_reloader=False)
