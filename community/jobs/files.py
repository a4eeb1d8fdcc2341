"""Stored files: images uploaded from a composer and never saved in a text are removed after
attachments.UNCLAIMED_DAYS (a local draft that shows one keeps it that long)."""
from huey import crontab

from community.jobs import job


@job(every=crontab(minute="41", hour="4"))
def prune_unclaimed_uploads():
    """Every night: composer uploads that no saved text has claimed for a month go, files too."""
    from community.actions import attachments

    attachments.prune_unclaimed()
