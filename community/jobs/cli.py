"""``flask jobs run``: the job consumer for production (one or more beside the app processes);
``flask jobs status``: what waits and what failed."""
import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs: run the consumer, or see the queue.")


@jobs_cli.command("run")
@click.option("--workers", type=click.IntRange(1, 32), default=None,
              help="Worker threads (default JOBS_WORKERS).")
def run_command(workers):
    """Run jobs until stopped (Ctrl+C or SIGTERM finish the jobs in hand first)."""
    from community.jobs import run_consumer

    if current_app.config["JOBS_STORE"] == "immediate":
        raise click.ClickException("JOBS_STORE is 'immediate': jobs run as they are queued; no consumer needed.")
    click.echo(f"Job consumer on {current_app.config['JOBS_STORE']} storage; stop with Ctrl+C.")
    run_consumer(current_app._get_current_object(), workers)


@jobs_cli.command("status")
def status_command():
    """Queued and scheduled jobs, and failures kept for admins."""
    from community.extensions import db
    from community.jobs import queue_counts
    from community.models import JobFailure

    counts = queue_counts()
    if counts is None:
        raise click.ClickException("The job queue's storage cannot be reached.")
    failed = db.session.scalar(sa.select(sa.func.count(JobFailure.id)).where(JobFailure.retried_at.is_(None)))
    click.echo(f"queued: {counts['queued']}  scheduled (retries): {counts['scheduled']}  failed: {failed}")
