"""Background jobs on a real queue: Huey, with SQLite storage (a file in the instance folder)
for the embedded default and Redis storage in production; the job code is the same.

Per-recipient work (notifications and their per-user streams now; mail, digests, exports and
retention later) runs here, after the commit of the action that caused it, so a request does
the same work whatever the size of the audience. Jobs retry with a growing delay; one that
fails on its last try is kept (``JobFailure``) for an admin to see and try again.

- ``enqueue_on_commit(job, *args)``: from an action, inside its transaction; queued once the
  transaction commits, dropped on rollback.
- ``JOBS_STORE``: "sqlite" (default), "redis" (default when REDIS_URL is set), or "immediate"
  (tests: a job runs as soon as it is queued, after the commit, in a fresh application context).
- The consumer: in process for ``python wsgi.py`` (the embedded default), ``flask jobs run``
  in production (deploy/leerkring-jobs.service).
"""
import functools
import logging
import os
import uuid

from flask import current_app, has_app_context
import signal as os_signal

from huey import Huey, signals
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from community.extensions import db

log = logging.getLogger(__name__)

PENDING = "leerkring_pending_jobs"
# The storage is chosen in init_app; until then (imports, the CLI's help) nothing is queued.
queue = Huey("leerkring", storage_class=MemoryStorage, results=False)
_consumer_app = None  # the application a consumer runs jobs for
_jobs = {}  # name -> task, for queueing a failed one again
_give_up = {}  # name -> what to do when that job failed on its last try (besides keeping it)


def init_app(app):
    from community.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
    store = app.config.get("JOBS_STORE") or ("redis" if app.config.get("REDIS_URL") else "sqlite")
    app.config["JOBS_STORE"] = store
    if store == "immediate":
        queue.immediate = True
        return
    queue.immediate = False
    name = app.config["SOCKETIO_CHANNEL"]  # two sites on one Redis keep their queues apart
    if store == "redis":
        # Blocking reads: a worker wakes as soon as a job arrives.
        queue.storage = RedisStorage(name, url=app.config["REDIS_URL"], blocking=True, read_timeout=1)
    else:
        path = app.config.get("JOBS_SQLITE_PATH") or os.path.join(app.instance_path, "jobs.db")
        queue.storage = SqliteStorage(name, filename=path, timeout=15)


def _app():
    """The application to run a job for: the caller's (queued and run at once), else the one a
    consumer of this process was started with."""
    return current_app._get_current_object() if has_app_context() else _consumer_app


def job(retries=5, retry_delay=1, retry_backoff=2, on_give_up=None, every=None):
    """A background job: a plain function of ids and plain values, run in an application
    context with a session of its own. Declared with its retry policy; ``on_give_up(*args)``
    runs (in an application context) when it failed on its last try, after the failure is
    kept for admins. ``every`` (a huey crontab) makes it periodic: the consumer runs it on
    that schedule, without arguments; no cron needed."""
    def decorate(func):
        @functools.wraps(func)
        def in_app(*args, **kwargs):
            app = _app()
            # A context of its own: a job queued by an action never shares that request's session.
            with app.app_context():
                try:
                    return func(*args, **kwargs)
                finally:
                    db.session.remove()
        settings = dict(retries=retries, retry_delay=retry_delay, retry_backoff=retry_backoff, name=func.__name__)
        task = (queue.periodic_task(every, **settings) if every is not None else queue.task(**settings))(in_app)
        _jobs[func.__name__] = task
        if on_give_up is not None:
            _give_up[func.__name__] = on_give_up
        return task
    return decorate


def enqueue_on_commit(task, *args, delay=None):
    """Queue ``task(*args)`` once the current transaction commits (dropped on rollback), to run
    at once or ``delay`` seconds later. The last argument it receives is a key unique to this
    queueing, so a retried job can tell what it already did."""
    db.session.info.setdefault(PENDING, []).append((task, args + (uuid.uuid4().hex,), delay))


def queue_counts():
    """{"queued": n, "scheduled": n} or None when the storage cannot be reached."""
    try:
        return {"queued": queue.pending_count(), "scheduled": queue.scheduled_count()}
    except Exception:  # noqa: BLE001 - a page for admins says so rather than failing
        log.exception("could not count the queue")
        return None


def enqueue_again(name, args):
    """Queue a failed job again, with its own arguments (its key included: what it did before
    it failed is not done twice)."""
    db.session.info.setdefault(PENDING, []).append((_jobs[name], tuple(args), None))


@sa_event.listens_for(Session, "after_commit")
def _enqueue_committed(session):
    pending = session.info.pop(PENDING, None)
    for task, args, delay in pending or ():
        try:
            if delay:
                task.schedule(args=args, delay=delay)
            else:
                task(*args)
        except Exception:  # noqa: BLE001 - the action committed: never turn that into an error
            log.exception("could not queue %s; running it now", task.name)
            _run_now(task, args)


def _run_now(task, args):
    """The queue's storage is down (Redis gone, say): do the work here rather than lose it."""
    try:
        task.call_local(*args)
    except Exception:  # noqa: BLE001
        log.exception("job %s failed", task.name)


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(session):
    session.info.pop(PENDING, None)


@queue.signal(signals.SIGNAL_ERROR)
def _keep_failure(signal, task, exc=None):
    """A job that failed on its last try is kept for admins (with its error), never dropped."""
    if task.retries:
        return  # it will be tried again
    from community.actions.jobs import record_failure

    app = _app()
    if app is None:
        return
    with app.app_context():
        try:
            record_failure(task.name, task.args, task.kwargs, exc)
            if task.name in _give_up:
                _give_up[task.name](*task.args)
        finally:
            db.session.remove()


def _consumer(app, workers, **options):
    # An idle SQLite queue is polled at least every quarter second, so a notification reaches
    # open pages well within a second (a poll is one cheap query).
    return queue.create_consumer(workers=workers or app.config.get("JOBS_WORKERS", 1), worker_type=_worker_type(),
                                 periodic=True, initial_delay=0.05, backoff=1.15, max_delay=0.25, **options)


def _worker_type():
    """Greenlets where gevent has patched the standard library (``python wsgi.py``), else threads."""
    try:
        from gevent import monkey
    except ImportError:
        return "thread"
    return "greenlet" if monkey.is_module_patched("threading") else "thread"


def start_consumer(app, workers=None):
    """Start a consumer in this process's background (the embedded default). Returns it."""
    global _consumer_app
    _consumer_app = app
    consumer = _consumer(app, workers, check_worker_health=False)
    # The consumer sets its own signal handlers; here Ctrl+C must stop the web server as before.
    saved = {number: os_signal.getsignal(number) for number in (os_signal.SIGINT, os_signal.SIGTERM,
                                                                  os_signal.SIGHUP)}
    consumer.start()
    for number, handler in saved.items():
        os_signal.signal(number, handler)
    return consumer


def run_consumer(app, workers=None):
    """Run a consumer in the foreground until stopped (``flask jobs run``)."""
    global _consumer_app
    _consumer_app = app
    _consumer(app, workers).run()


from community.jobs import fanout, mail, retention  # noqa: E402,F401  (register the jobs with the queue)
