"""Sending mail: one job per message, queued after the commit that made it. Five tries with
growing pauses (30 s, 1, 2 and 4 minutes) ride out a mail server's restart; a message that
failed all five stays in the mails table marked failed, with its error, and the job is kept
with the other failed jobs (Admin > Background jobs) to be tried again."""
from huey import crontab

from community.jobs import job


def _failed(mail_id, key):
    from community.actions import mail

    mail.give_up(mail_id)


@job(retries=4, retry_delay=30, retry_backoff=2, on_give_up=_failed)
def send_mail(mail_id, key):
    from community.actions import mail

    mail.deliver(mail_id)


@job()
def password_reset_requested(email, key):
    from community.actions import recovery

    recovery.send_password_reset(email, key)


@job()
def notification_batch(user_id, kind, key):
    from community.actions import notification_mail

    notification_mail.send_batch(user_id, kind)


@job()
def signed_up_again(email, key):
    from community.actions import recovery

    recovery.send_account_exists(email, key)


@job(every=crontab(minute="23", hour="4"))
def prune_mail():
    """Every night: sent mail older than MAIL_RETENTION_DAYS goes (it holds personal data);
    waiting and failed mail stays for the admin."""
    from community.actions import mail

    mail.prune_sent()


@job(every=crontab(minute="0"))
def digests():
    """Every hour; at DIGEST_HOUR o'clock Amsterdam time (07:00 unless set otherwise) queue the
    day's digests (and on Mondays the weekly ones)."""
    from community.actions import digests as digest_actions

    if digest_actions.digest_hour_now():
        digest_actions.queue_digests()


@job()
def digest(user_id, period, key):
    from community.actions import digests as digest_actions

    digest_actions.send_digest(user_id, period)


@job()
def milestone_digest(user_id, period, key):
    from community.actions import digests as digest_actions

    digest_actions.send_digest(user_id, period, "milestones")
