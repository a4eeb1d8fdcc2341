"""SMTP the way production uses it: STARTTLS (port 587) or TLS from the first byte (port 465),
the server's certificate checked, and a login; a server that offers no STARTTLS gets nothing in
the clear. The server is aiosmtpd in this process with a certificate made for the test."""
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from community.actions import mail as mail_actions
from community.extensions import db
from community.jobs.mail import send_mail
from community.models import Mail
from tests.helpers import free_port, settings
from tests.mailserver import Inbox


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    return str(cert), str(key)


def _server(inbox, certificate, mode, logins):
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"leerkring", b"geheim"))

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    port = free_port()
    if mode == "tls":
        return Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context, authenticator=authenticate,
                          auth_require_tls=False, server_hostname="localhost"), port
    return Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                      authenticator=authenticate, auth_require_tls=True), port


def _queue(user):
    mail_actions.queue_mail("password_reset", user.email, "nl", "Versleuteld",
                            dict(name=user.display_name, email=user.email, url="http://leerkring.test/x",
                                 reason="Test."), user=user)
    db.session.commit()


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_mail_goes_out_encrypted_with_a_login(mode, certificate, app, factories, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])  # trust the test's own certificate
    inbox, logins = Inbox(), []
    controller, port = _server(inbox, certificate, mode, logins)
    controller.start()
    try:
        with settings(app, MAIL_SERVER="localhost", MAIL_PORT=port, MAIL_USE_STARTTLS=(mode == "starttls"),
                      MAIL_USE_TLS=(mode == "tls"), MAIL_USERNAME="leerkring", MAIL_PASSWORD="geheim"):
            _queue(factories.user())
            [msg] = inbox.wait(1)
    finally:
        controller.stop()
    assert msg["Subject"] == "Versleuteld" and logins == [(b"leerkring", b"geheim")]
    assert db.session.scalar(sa.select(Mail.status)) == "sent"


def test_no_starttls_offered_means_nothing_is_sent_in_the_clear(app, factories, monkeypatch):
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)  # plain SMTP, no STARTTLS
    controller.start()
    try:
        with settings(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_STARTTLS=True, MAIL_USE_TLS=False,
                      MAIL_USERNAME="leerkring", MAIL_PASSWORD="geheim"):
            _queue(factories.user())  # the immediate queue runs the first try inline
            mail = db.session.scalar(sa.select(Mail))
            with pytest.raises(Exception):
                send_mail.call_local(mail.id, "k")
    finally:
        controller.stop()
    db.session.expire_all()
    mail = db.session.scalar(sa.select(Mail))
    assert inbox.envelopes == [] and mail.status == "queued" and "STARTTLS" in mail.error
