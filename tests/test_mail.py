"""Mail: messages built in the recipient's language with a plain and an HTML part and the
right headers, sent by a job to a real SMTP server (aiosmtpd in this process) or kept in the
outbox an admin reads; refused header values; five failed tries kept for admins; a queued mail
survives a restart in both job storages."""
import re
import time
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa
from huey.storage import SqliteStorage

from community import jobs
from community.actions import ActionError, mail as mail_actions
from community.extensions import db
from community.jobs.mail import send_mail
from community.models import JobFailure, Mail, utcnow
from tests.helpers import free_port, settings
from tests.mailserver import smtp_server  # noqa: F401  (fixture)
from tests.test_jobs import _storage, _wait, real_queue  # noqa: F401  (fixture)


def _queue(user, name=None, subject="Test", unsubscribe_url=None, **extra):
    mail = mail_actions.queue_mail("password_reset", user.email, user.language, subject,
                                   dict(name=name or user.display_name, email=user.email,
                                        url="http://leerkring.test/login?a=1&b=2", reason="Omdat het moet."),
                                   to_name=name or user.display_name, user=user, unsubscribe_url=unsubscribe_url,
                                   **extra)
    db.session.commit()
    return mail


def _mails():
    db.session.expire_all()
    return db.session.scalars(sa.select(Mail).order_by(Mail.id)).all()


def test_a_mail_reaches_the_smtp_server_with_both_parts_in_the_recipients_language(smtp_server, factories):
    anne = factories.user(name="Anne Émile", language="nl")
    bob = factories.user(name="Bob O'Neill", language="en")
    before = utcnow().replace(microsecond=0)
    for user in (anne, bob):
        _queue(user, subject=f"Onderwerp voor {user.display_name}")
    dutch, english = smtp_server.wait(2)
    for msg, user in ((dutch, anne), (english, bob)):
        assert msg["To"].addresses[0].addr_spec == user.email
        assert msg["To"].addresses[0].display_name == user.display_name
        assert msg["From"].addresses[0].addr_spec == "noreply@leerkring.localhost"
        assert msg["Subject"] == f"Onderwerp voor {user.display_name}"
        assert parsedate_to_datetime(msg["Date"]) >= before
        assert re.fullmatch(r"<[^<>@\s]+@leerkring\.localhost>", msg["Message-ID"])
        assert msg["Content-Language"] == user.language
        assert msg["Auto-Submitted"] == "auto-generated"
        assert msg["List-Unsubscribe"] is None  # essential mail: nothing to unsubscribe from
        assert msg.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in msg.iter_parts()] == ["text/plain", "text/html"]
        plain = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert "http://leerkring.test/login?a=1&b=2" in plain
        assert 'href="http://leerkring.test/login?a=1&amp;b=2"' in html
        assert "<img" not in html and "src=" not in html and "url(" not in html  # nothing from elsewhere
    assert "Hallo Anne Émile," in dutch.get_body(("plain",)).get_content()
    assert "Kies een nieuw wachtwoord" in dutch.get_body(("html",)).get_content()
    assert "Hello Bob O&#39;Neill," in english.get_body(("html",)).get_content()
    assert "Choose a new password" in english.get_body(("plain",)).get_content()
    rows = _mails()
    assert [(m.status, m.transport, m.tries) for m in rows] == [("sent", "smtp", 1)] * 2
    # The one-time link is not kept once a real mail server has the message.
    assert all("leerkring.test/login" not in m.message and mail_actions.REMOVED in m.message for m in rows)


def test_non_essential_mail_has_one_click_unsubscribe(smtp_server, factories):
    user = factories.user(language="en")
    _queue(user, unsubscribe_url="http://leerkring.test/unsubscribe/abc")
    [msg] = smtp_server.wait(1)
    assert msg["List-Unsubscribe"] == "<http://leerkring.test/unsubscribe/abc>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "http://leerkring.test/unsubscribe/abc" in msg.get_body(("plain",)).get_content()


@pytest.mark.parametrize("name,subject", [
    ("Eve\r\nBcc: victim@example.com", "Gewoon"),
    ("Eve", "Hallo\nBcc: victim@example.com"),
    ("Eve", "Hallo\rX-Evil: 1"),
    ("Eve\u2028Bcc: x@example.com", "Gewoon"),
    ("E" * 400, "Gewoon"),
    ("Eve", "S" * 400),
])
def test_header_injection_and_oversized_values_are_refused_and_nothing_is_sent(smtp_server, factories, name,
                                                                                 subject):
    user = factories.user()
    with pytest.raises(ActionError) as refused:
        _queue(user, name=name, subject=subject)
    assert refused.value.code == "mail_refused" and "kan niet worden verstuurd" in str(refused.value.message)
    db.session.rollback()
    assert _mails() == [] and smtp_server.envelopes == []


def test_without_a_mail_server_the_outbox_keeps_it_for_the_admin(factories, make_client):
    user = factories.user(name="Ilse <b>Bakker</b>", language="nl")
    _queue(user, subject="Voor Ilse")
    [mail] = _mails()
    assert (mail.status, mail.transport, mail.tries) == ("sent", "outbox", 1)
    assert "leerkring.test/login" in mail.message  # kept whole: the outbox is where it is read

    admin = make_client(factories.admin())
    page = admin.get("/admin/mail")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Voor Ilse" in html and "MAIL_SERVER" in html
    assert 'href="/admin/mail"' in admin.get("/admin/").get_data(as_text=True)  # in the admin menu
    one = admin.get(f"/admin/mail/{mail.id}")
    body = one.get_data(as_text=True)
    assert one.status_code == 200
    assert "Hallo Ilse &lt;b&gt;Bakker&lt;/b&gt;," in body  # the plain part, escaped on the page
    assert '<a href="http://leerkring.test/login?a=1&amp;b=2">' in body  # this site's link, clickable
    assert f'src="/admin/mail/{mail.id}/html"' in body and "sandbox" in body
    framed = admin.get(f"/admin/mail/{mail.id}/html")
    assert framed.status_code == 200 and framed.mimetype == "text/html"
    assert "sandbox" in framed.headers["Content-Security-Policy"]
    assert "script-src" not in framed.headers["Content-Security-Policy"]  # default-src 'none' holds
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Hallo Ilse &lt;b&gt;Bakker&lt;/b&gt;," in framed.get_data(as_text=True)

    member = make_client(user)
    for url in ("/admin/mail", f"/admin/mail/{mail.id}", f"/admin/mail/{mail.id}/html"):
        assert member.get(url).status_code == 404
    assert admin.get("/admin/mail/999999").status_code == 404


def test_a_mail_that_fails_five_times_is_kept_with_its_error(real_queue, factories, make_client, monkeypatch, app):
    monkeypatch.setattr(send_mail.task_class, "default_retry_delay", 0)
    user = factories.user()
    with settings(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_STARTTLS=False, MAIL_TIMEOUT=2):
        _queue(user, subject="Komt niet aan")
        real_queue()
        failed = _wait(lambda: [m for m in _mails() if m.status == "failed"], seconds=15)
    assert len(failed) == 1 and failed[0].tries == 5
    assert "ConnectionRefusedError" in failed[0].error or "refused" in failed[0].error.lower()
    failure = db.session.scalar(sa.select(JobFailure).where(JobFailure.name == "send_mail"))
    assert failure is not None and failure.args[0] == failed[0].id

    admin = make_client(factories.admin())
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert "Komt niet aan" in page and "ConnectionRefusedError" in page and 'href="/admin/jobs"' in page
    # Tried again from the background jobs, now without a mail server: into the outbox.
    assert admin.submit(f"/admin/jobs/{failure.id}/retry", {}, page="/admin/jobs").status_code == 302
    assert _wait(lambda: _mails()[0].status == "sent")
    assert _mails()[0].transport == "outbox"


def test_a_mail_sent_twice_by_a_retried_job_goes_out_once(smtp_server, factories):
    mail = _queue(factories.user())
    smtp_server.wait(1)
    send_mail.call_local(mail.id, "zelfde-sleutel")
    time.sleep(0.1)
    assert len(smtp_server.envelopes) == 1


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_queued_mail_survives_a_restart_and_is_sent_after_it(kind, app, factories, smtp_server, tmp_path):
    """Queued while no consumer ran (the server stopped right after the commit): the mail waits
    in the storage and the consumer of the next start sends it."""
    storage = _storage(kind, tmp_path)
    jobs.queue.immediate = False
    jobs.queue.storage = storage
    consumer = None
    try:
        _queue(factories.user(), subject="Na de herstart")
        assert jobs.queue.pending_count() == 1 and smtp_server.envelopes == []
        if kind == "sqlite":
            storage.close()
            jobs.queue.storage = SqliteStorage(storage.name, filename=str(tmp_path / "jobs.db"), timeout=15)
        else:
            storage.conn.connection_pool.disconnect()
            jobs.queue.storage = _storage_like(storage)
        assert jobs.queue.pending_count() == 1
        consumer = jobs.start_consumer(app, workers=1)
        [msg] = smtp_server.wait(1)
        assert msg["Subject"] == "Na de herstart"
        assert _wait(lambda: _mails()[0].status == "sent")
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        jobs.queue.storage.flush_all()
        jobs.queue.immediate = True


def _storage_like(storage):
    """A new connection to the same Redis queue, as a restarted process makes."""
    from huey.storage import RedisStorage
    import os

    return RedisStorage(storage.name, url=os.environ["TEST_REDIS_URL"], blocking=True, read_timeout=1)


def test_sent_mail_is_pruned_after_the_retention_period_by_a_periodic_job(factories, app):
    from datetime import timedelta

    from community.jobs.mail import prune_mail

    user = factories.user()
    old, recent, waiting = (_queue(user, subject=s) for s in ("Oud", "Recent", "Wacht"))
    db.session.execute(sa.update(Mail).where(Mail.id.in_([old.id, waiting.id]))
                       .values(created_at=utcnow() - timedelta(days=31)))
    db.session.execute(sa.update(Mail).where(Mail.id == waiting.id).values(status="failed"))
    db.session.commit()
    # A periodic task: the consumer runs it at 04:23 every night.
    night = [t.name for t in jobs.queue._registry.periodic_tasks]
    assert "prune_mail" in night
    from datetime import datetime

    assert prune_mail.s().validate_datetime(datetime(2026, 1, 5, 4, 23))
    assert not prune_mail.s().validate_datetime(datetime(2026, 1, 5, 12, 0))
    prune_mail.call_local()
    assert [m.subject for m in _mails()] == ["Recent", "Wacht"]


def test_a_dedupe_key_queues_one_mail_whatever_the_number_of_tries(smtp_server, factories):
    user = factories.user()
    first = _queue(user, dedupe_key="k1")
    again = _queue(user, dedupe_key="k1")
    assert again.id == first.id and first.dedupe_key == "password_reset:k1"
    assert _queue(user, dedupe_key="k2").id != first.id
    assert len(smtp_server.wait(3, seconds=1)) == 2 and len(_mails()) == 2
