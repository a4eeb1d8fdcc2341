"""A user's own data: building their export after they asked; removing expired exports."""
from huey import crontab

from community.jobs import job


def _failed(export_id, key):
    from community.actions import privacy

    privacy.export_failed(export_id)


@job(retries=2, retry_delay=30, on_give_up=_failed)
def build_export(export_id, key):
    from community.actions import privacy

    privacy.build_export(export_id, key)


@job(every=crontab(minute="41", hour="3"))
def prune_exports():
    """Every night: exports whose 7 days are over go, files and rows."""
    from community.actions import privacy

    privacy.prune_exports()
