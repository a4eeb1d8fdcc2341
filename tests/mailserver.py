"""A real SMTP server in this process (aiosmtpd), for the mail tests: ``smtp_server`` starts
one on a free loopback port and points the app at it; ``received`` are the parsed messages it
took, with their envelopes."""
import email
import email.policy
import time

import pytest

from tests.helpers import free_port, settings


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def received(self):
        return [email.message_from_bytes(e.original_content or e.content, policy=email.policy.default)
                for e in self.envelopes]

    def wait(self, count=1, seconds=5.0):
        deadline = time.monotonic() + seconds
        while len(self.envelopes) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


@pytest.fixture
def smtp_server(app):
    """Mail goes to a real SMTP server on loopback (no TLS, no login) for this test."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with settings(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_STARTTLS=False, MAIL_USE_TLS=False):
            yield inbox
    finally:
        controller.stop()
