"""gunicorn settings for the embedded default that `make run` starts: one process with the same
gevent worker as production, SQLite in the instance folder, live updates, and the job consumer
inside the worker (production runs the consumer apart: `flask --app wsgi jobs run`).

    .venv/bin/gunicorn -c deploy/embedded.gunicorn.py wsgi:app

HOST and PORT choose the address (127.0.0.1:5000).
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
worker_class = "gevent"
workers = 1  # a Socket.IO session lives in one process
worker_connections = 1000  # every open page holds one
graceful_timeout = 5
# With no proxy in front, browsers talk to gunicorn directly and reuse their connections for
# longer than gunicorn's default of 2 s; closing an idle one just as the browser sends on it
# answers "connection reset". 75 s is nginx's own default.
keepalive = 75
control_socket_disable = True
accesslog = None
raw_env = ["SOCKETIO_ASYNC_MODE=gevent"]


consumers = []


def post_worker_init(worker):
    """Start the job consumer in this worker (greenlets, as the worker has patched threads)."""
    from community.jobs import start_consumer

    if worker.wsgi.config["JOBS_STORE"] != "immediate":
        consumers.append(start_consumer(worker.wsgi))


def worker_exit(server, worker):
    """On the way out (Ctrl+C, a restart): let the jobs in flight finish and stop the consumer
    (jobs still queued stay in the instance's job store for the next start)."""
    for consumer in consumers:
        consumer.stop(graceful=True)
