"""Retention: every hour the consumer removes what has outlived its period (README "Retention",
community/actions/retention.py). Hourly, so nothing stays much past its period and each run has
little to do; running it again removes nothing more."""
import logging

from huey import crontab

from community.jobs import job

log = logging.getLogger(__name__)


@job(every=crontab(minute="37"))
def retention():
    from community.actions import retention as retention_actions

    removed = retention_actions.run_all()
    if any(removed.values()):
        log.info("retention removed %s", removed)
