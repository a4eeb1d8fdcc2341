"""'Wachtwoord vergeten' end to end through a real SMTP server (aiosmtpd in this process): the
mail in the account's language with both parts, its link followed by the test client, a link
that works once and for an hour, forged and foreign links refused, the same answer whether or
not the address has an account, rate limits, and every session and socket of the account
ended by the reset."""
import re
import time

import itsdangerous
import pytest
import sqlalchemy as sa

from community import signed_links
from community.actions import recovery
from community.extensions import db
from community.models import LoginSession, Mail
from tests.helpers import LiveSocket, settings
from tests.mailserver import smtp_server  # noqa: F401  (fixture)

NEW_PASSWORD = "een gloednieuw wachtwoord"


def _ask(client, email):
    return client.submit("/password/forgot", {"email": email}, page="/password/forgot")


def _link(msg):
    plain = msg.get_body(("plain",)).get_content()
    [url] = re.findall(r"http://leerkring\.test(/password/reset/\S+)", plain)
    assert f'href="http://leerkring.test{url}"' in msg.get_body(("html",)).get_content()
    return url


def _choose(client, path, password=NEW_PASSWORD):
    return client.submit(path, {"password": password}, page=path)


def test_the_login_page_leads_to_the_form(client):
    login = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in login and "Wachtwoord vergeten?" in login
    page = client.get("/password/forgot")
    assert page.status_code == 200 and "Stuur me een link" in page.get_data(as_text=True)


@pytest.mark.parametrize("language,subject,greeting,button", [
    ("nl", "Kies een nieuw wachtwoord voor Leerkring", "Hallo Sanne de Vries,", "Kies een nieuw wachtwoord"),
    ("en", "Choose a new password for Leerkring", "Hello Sanne de Vries,", "Choose a new password"),
])
def test_the_mail_arrives_in_the_accounts_language_and_its_link_works_once(
        smtp_server, factories, make_client, language, subject, greeting, button):
    user = factories.user(name="Sanne de Vries", email="sanne@example.com", language=language)
    elsewhere = make_client(user)  # logged in on another browser, with a live connection
    socket = LiveSocket(elsewhere.application, elsewhere)
    assert socket.is_connected()

    visitor = make_client()
    answer = _ask(visitor, "Sanne@Example.com ")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    [msg] = smtp_server.wait(1)
    assert msg["To"].addresses[0].addr_spec == "sanne@example.com"
    assert msg["Subject"] == subject and msg["Content-Language"] == language
    assert msg["List-Unsubscribe"] is None  # essential
    assert greeting in msg.get_body(("plain",)).get_content()
    assert button in msg.get_body(("html",)).get_content()
    path = _link(msg)

    form = visitor.get(path)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert _choose(visitor, path, "te kort").status_code == 400  # the password rules hold
    done = _choose(visitor, path)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    # Every other session ended, its live connection too; the old password no longer works.
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id)).where(LoginSession.user_id == user.id)) == 0
    assert elsewhere.get("/dashboard").status_code == 302
    assert not socket.is_connected()
    refused = visitor.submit("/login", {"email": user.email, "password": "correct horse battery"}, page="/login")
    assert refused.status_code == 400
    assert visitor.submit("/login", {"email": user.email, "password": NEW_PASSWORD}, page="/login").status_code == 302

    # Once used, the link is dead, also for a second browser that kept it.
    again = make_client().get(path)
    assert again.status_code == 404 and "/password/forgot" in again.get_data(as_text=True)
    assert _choose(make_client(), path, "nog een ander wachtwoord").status_code == 404


def test_no_enumeration_the_same_answer_for_an_unknown_address(smtp_server, factories, make_client):
    factories.user(email="bekend@example.com")
    answers = []
    for email in ("bekend@example.com", "onbekend@example.com"):
        client = make_client()
        started = time.perf_counter()
        response = _ask(client, email)
        elapsed = time.perf_counter() - started
        page = client.get("/login").get_data(as_text=True)
        page = re.sub(r'(name="csrf_token"[^>]*value|name="csrf-token" content)="[^"]+"', "TOKEN", page)
        answers.append((response.status_code, response.headers["Location"],
                        page.replace(email, "ADDRESS"), elapsed))
    (known, unknown) = answers
    assert known[:3] == unknown[:3] and "ADDRESS" in known[2]
    # The lookup and the mail happen in a job after the answer: in production the answer takes
    # the same time either way. Here jobs run inline (JOBS_STORE=immediate), so only a bound.
    assert max(known[3], unknown[3]) < 2.0
    assert len(smtp_server.wait(1)) == 1  # only the account's owner gets a mail
    assert db.session.scalar(sa.select(sa.func.count(Mail.id))) == 1


def test_a_disabled_account_gets_no_mail(smtp_server, factories, make_client):
    from community.actions import accounts

    user = factories.user()
    accounts.set_user_active(factories.admin(), user, False)
    assert _ask(make_client(), user.email).status_code == 302
    time.sleep(0.2)
    assert smtp_server.envelopes == []


@pytest.mark.parametrize("email", ["geen-adres", "a@b", "x" * 250 + "@example.com", "a\r\nBcc: b@example.com"])
def test_a_malformed_address_is_refused_and_nothing_is_sent(smtp_server, make_client, email):
    response = _ask(make_client(), email)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Mail.id))) == 0 and smtp_server.envelopes == []


def test_an_expired_link_is_refused(factories, make_client, monkeypatch):
    user = factories.user(language="en")
    hour_ago = time.time() - recovery.RESET_SECONDS - 5
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: int(hour_ago))
    path = f"/password/reset/{recovery.reset_token(user)}"
    monkeypatch.undo()
    page = make_client().get(path)
    assert page.status_code == 404 and "Deze link is verlopen" in page.get_data(as_text=True)
    assert _choose(make_client(), path).status_code == 404
    user_after = db.session.get(type(user), user.id)
    assert user_after.password_hash == user.password_hash


def test_forged_and_foreign_links_are_refused(factories, make_client, app):
    user = factories.user()
    good = recovery.reset_token(user)
    payload = good.split(".")[0]
    forged = [
        "geen-token",
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # signature changed
        payload + ".AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
        signed_links.make("email-verify", {"u": user.id, "f": "x"}),  # another purpose
        signed_links.make(recovery.RESET, {"u": user.id, "f": "not-the-fingerprint"}),
        signed_links.make(recovery.RESET, {"u": "1", "f": "x"}),
        signed_links.make(recovery.RESET, {"u": 2 ** 40, "f": "x"}),
        signed_links.make(recovery.RESET, ["lijst"]),
        "A" * 1200,
    ]
    with settings(app, SECRET_KEY="een-andere-sleutel-van-een-andere-site"):
        with app.app_context():
            forged.append(recovery.reset_token(user))  # signed with another key
    for token in forged:
        response = make_client().get(f"/password/reset/{token}")
        assert response.status_code == 404, token
        assert _choose(make_client(), f"/password/reset/{token}").status_code == 404
    assert make_client().get(f"/password/reset/{good}").status_code == 200


def test_requests_are_limited_per_address_typed_and_per_visitor(app, make_client, factories):
    factories.user(email="doel@example.com")
    with settings(app, RESET_LIMIT_PER_ACCOUNT="2 per hour", RESET_LIMIT_PER_ADDRESS="4 per hour"):
        client = make_client()
        assert [_ask(client, "doel@example.com").status_code for _ in range(3)] == [302, 302, 429]
        assert [_ask(client, "nobody@example.com").status_code for _ in range(3)] == [302, 302, 429]
        limited = _ask(client, "derde@example.com")
        assert limited.status_code == 429 and "Te veel" in limited.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Mail.id))) == 2


def test_registering_with_a_taken_address_tells_its_owner_at_most_once_an_hour(smtp_server, factories, make_client):
    owner = factories.user(name="Els Eigenaar", email="els@example.com", language="en")
    form = {"display_name": "Iemand Anders", "email": "ELS@example.com", "password": "een lang genoeg wachtwoord",
            "kind": "employee", "language": "nl", "organisation": "", "accept_privacy": "y"}
    for _ in range(2):
        answer = make_client().submit("/register", form, page="/register")
        assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    [msg] = smtp_server.wait(1)
    assert msg["To"].addresses[0].addr_spec == "els@example.com"
    assert msg["Subject"] == "You already have a Leerkring account"
    plain = " ".join(msg.get_body(("plain",)).get_content().split())
    assert "http://leerkring.test/login" in plain and "http://leerkring.test/password/forgot" in plain
    assert db.session.get(type(owner), owner.id).display_name == "Els Eigenaar"
    # A new address gets no such notice.
    make_client().submit("/register", dict(form, email="nieuw-lid@example.com"), page="/register")
    time.sleep(0.1)
    assert len(smtp_server.envelopes) == 1
