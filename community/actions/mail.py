"""Mail: queueing a message (rendered in the recipient's language, stored, sent by a job after
the commit) and recording how sending went. See community/mail for how a message is made."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import LazyString, force_locale, lazy_gettext as _l

from community.actions import ActionError
from community.extensions import db
from community.mail import message as mail_message
from community.mail.render import render
from community.mail.transport import deliver as transport_deliver
from community.models import LANGUAGES, Mail, utcnow

# Mails whose link works once: after a real mail server took them, their text is not kept
# (an admin reading the record must not be able to use the link).
ONE_TIME_LINK_KINDS = {"password_reset", "email_verify", "community_invitation"}
REMOVED = "(removed after sending: it held a one-time link)"


def queue_mail(kind, to_address, language, subject, context, to_name="", user=None, unsubscribe_url=None,
               dedupe_key=None):
    """Render ``templates/mail/<kind>.jinja`` in ``language``, store the message and queue its
    sending for after the caller's commit (the caller commits). ``subject`` may be a lazy
    string; it is translated here. Refuses (ActionError) what cannot become a safe header.

    ``dedupe_key`` (a job's key, say): a mail queued with the same key before is returned
    instead of a second one, so a job run again after it queued its mail does not mail twice."""
    if dedupe_key is not None:
        dedupe_key = f"{kind}:{dedupe_key}"[:100]
        earlier = db.session.scalar(sa.select(Mail).where(Mail.dedupe_key == dedupe_key))
        if earlier is not None:
            return earlier
    language = language if language in LANGUAGES else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject = str(subject)
        context = {name: str(value) if isinstance(value, LazyString) else value for name, value in context.items()}
    text, html = render(kind, language, subject, unsubscribe_url=unsubscribe_url, **context)
    try:
        msg = mail_message.build(to_address, to_name, subject, text, html, language, unsubscribe_url)
    except mail_message.HeaderRefused:
        raise ActionError(_l("This mail cannot be sent: a name or subject holds a line break or is too long."),
                          code="mail_refused")
    mail = Mail(kind=kind, user_id=user.id if user is not None else None, to_address=to_address,
                subject=subject[:300], language=language, message_id=msg["Message-ID"], message=msg.as_string(),
                status="queued", transport="", tries=0, error="", dedupe_key=dedupe_key)
    db.session.add(mail)
    db.session.flush()  # its id, for the job
    from community.jobs import enqueue_on_commit
    from community.jobs.mail import send_mail

    enqueue_on_commit(send_mail, mail.id)
    return mail


def deliver(mail_id):
    """Send one queued message (the sending job). An SMTP problem is noted on the message and
    raised, so the job is tried again; a message sent already is not sent twice."""
    mail = db.session.get(Mail, mail_id)
    if mail is None or mail.status == "sent":
        return
    _name, from_address = mail_message.sender()
    mail.tries += 1
    try:
        transport = transport_deliver(mail.message, from_address, mail.to_address)
    except Exception as error:
        mail.status = "queued"  # still being tried; give_up marks it failed after the last try
        mail.error = f"{type(error).__name__}: {error}"[:4000]
        db.session.commit()
        raise
    mail.status, mail.transport, mail.sent_at, mail.error = "sent", transport, utcnow(), ""
    if transport == "smtp" and mail.kind in ONE_TIME_LINK_KINDS:
        mail.message = mail.message.split("\r\n\r\n", 1)[0] + "\r\n\r\n" + REMOVED + "\r\n"
    db.session.commit()


def give_up(mail_id):
    """The last try failed: the message stays, marked failed, with its last error."""
    mail = db.session.get(Mail, mail_id)
    if mail is not None and mail.status != "sent":
        mail.status = "failed"
        db.session.commit()



def prune_sent(days=None):
    """Delete sent mail older than ``days`` (MAIL_RETENTION_DAYS). Returns how many."""
    days = current_app.config["MAIL_RETENTION_DAYS"] if days is None else days
    result = db.session.execute(sa.delete(Mail).where(Mail.status == "sent",
                                                      Mail.created_at < utcnow() - timedelta(days=days)))
    db.session.commit()
    return result.rowcount
