"""Changing the login address through a real SMTP server (aiosmtpd in this process): the new
address must answer before it becomes the login, the old address is told, the page never says
whether the new address has an account, and the link works once, for a day, and only as made."""
import re
import time

import itsdangerous
import pytest
import sqlalchemy as sa

from community import signed_links
from community.actions import email_change, recovery
from community.extensions import db
from community.models import Mail, User
from tests.factories import PASSWORD
from tests.helpers import settings
from tests.mailserver import smtp_server  # noqa: F401  (fixture)


def _ask(client, email, password=PASSWORD):
    return client.submit("/account/email", {"email": email, "password": password}, page="/account/email")


def _link(msg):
    [path] = re.findall(r"http://leerkring\.test(/account/email/confirm/\S+)", msg.get_body(("plain",)).get_content())
    assert f'href="http://leerkring.test{path}"' in msg.get_body(("html",)).get_content()
    return path


def _confirm(client, path):
    return client.submit(path, {}, page=path)


def _email_of(user):
    db.session.expire_all()
    return db.session.get(User, user.id).email


def test_the_profile_leads_to_the_form(factories, make_client):
    client = make_client(factories.user())
    assert 'href="/account/email"' in client.get("/account/").get_data(as_text=True)
    page = client.get("/account/email")
    assert page.status_code == 200 and "Nieuw e-mailadres" in page.get_data(as_text=True)
    assert make_client().get("/account/email").status_code == 302  # log in first


def test_the_new_address_confirms_and_the_old_one_is_told(smtp_server, factories, make_client):
    user = factories.user(name="Ruud Oud", email="oud@example.com", language="en")
    client = make_client(user)
    answer = _ask(client, " Nieuw@Example.com")
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/"
    [verify] = smtp_server.wait(1)
    assert verify["To"].addresses[0].addr_spec == "nieuw@example.com"
    assert verify["Subject"] == "Confirm your new address for Leerkring" and verify["Content-Language"] == "en"
    assert "instead of oud@example.com" in verify.get_body(("plain",)).get_content()
    assert "Confirm my new address" in verify.get_body(("html",)).get_content()
    path = _link(verify)
    assert _email_of(user) == "oud@example.com"  # not before the new address answered

    stranger = make_client()  # the link is the proof: no login needed
    page = stranger.get(path)
    assert page.status_code == 200 and "nieuw@example.com" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    done = _confirm(stranger, path)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert _email_of(user) == "nieuw@example.com"
    [_verify, told] = smtp_server.wait(2)
    assert told["To"].addresses[0].addr_spec == "oud@example.com"
    assert told["Subject"] == "The login address of your Leerkring account changed"
    text = " ".join(told.get_body(("plain",)).get_content().split())
    assert "from oud@example.com to nieuw@example.com" in text and "/confirm/" not in text

    assert make_client().submit("/login", {"email": "oud@example.com", "password": PASSWORD},
                                page="/login").status_code == 400
    assert make_client().submit("/login", {"email": "nieuw@example.com", "password": PASSWORD},
                                page="/login").status_code == 302
    assert make_client().get(path).status_code == 404  # once


def test_confirming_while_logged_in_returns_to_the_profile(smtp_server, factories, make_client):
    user = factories.user()
    client = make_client(user)
    _ask(client, "ander@example.com")
    path = _link(smtp_server.wait(1)[0])
    done = _confirm(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/account/"
    assert "ander@example.com" in client.get("/account/").get_data(as_text=True)


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_notice(smtp_server, factories, make_client):
    owner = factories.user(name="Olga Eigenaar", email="bezet@example.com", language="nl")
    answers = []
    for target in ("bezet@example.com", "vrij@example.com"):
        client = make_client(factories.user(email=f"vraagt-{target}"))
        response = _ask(client, target)
        page = client.get("/account/").get_data(as_text=True)
        flash = re.search(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', page, re.S)
        answers.append((response.status_code, response.headers["Location"],
                        (flash.group(1) if flash else page).replace(target, "ADDRESS").replace(f"vraagt-{target}", "OLD")))
    assert answers[0] == answers[1] and "ADDRESS" in answers[0][2]
    received = {m["To"].addresses[0].addr_spec: m for m in smtp_server.wait(2)}
    notice = received["bezet@example.com"]
    assert notice["Subject"] == "Iemand probeerde dit adres te gebruiken op Leerkring"
    assert "/account/email/confirm/" not in notice.get_body(("plain",)).get_content()
    assert "http://leerkring.test/password/forgot" in notice.get_body(("plain",)).get_content()
    assert "/account/email/confirm/" in received["vrij@example.com"].get_body(("plain",)).get_content()
    assert _email_of(owner) == "bezet@example.com"


@pytest.mark.parametrize("email,password", [
    ("nieuw@example.com", "niet mijn wachtwoord"),
    ("geen-adres", PASSWORD),
    ("a\r\nBcc: b@example.com", PASSWORD),
    ("x" * 250 + "@example.com", PASSWORD),
    ("ZELF@example.com", PASSWORD),
])
def test_refusals_send_nothing(smtp_server, factories, make_client, email, password):
    client = make_client(factories.user(email="zelf@example.com"))
    response = _ask(client, email, password)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Mail.id))) == 0 and smtp_server.envelopes == []


def test_expired_forged_and_foreign_links_are_refused(factories, make_client, monkeypatch, app):
    user = factories.user()
    long_ago = time.time() - email_change.VERIFY_SECONDS - 5
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: int(long_ago))
    expired = email_change.verify_token(user, "laat@example.com")
    monkeypatch.undo()
    page = make_client().get(f"/account/email/confirm/{expired}")
    assert page.status_code == 404 and "verlopen" in page.get_data(as_text=True)
    good = email_change.verify_token(user, "goed@example.com")
    with settings(app, SECRET_KEY="een-andere-sleutel-van-een-andere-site"):
        with app.app_context():
            other_key = email_change.verify_token(user, "goed@example.com")
    for token in ("rommel", good[:-3] + "abc", other_key, recovery.reset_token(user),
                  signed_links.make(email_change.VERIFY, {"u": user.id, "e": "x@example.com", "f": "fout"}),
                  signed_links.make(email_change.VERIFY, {"u": user.id, "e": 5, "f": "fout"})):
        assert make_client().get(f"/account/email/confirm/{token}").status_code == 404
        assert _confirm(make_client(), f"/account/email/confirm/{expired}").status_code == 404
    assert _email_of(user) != "goed@example.com"


def test_an_address_taken_meanwhile_cannot_be_confirmed(smtp_server, factories, make_client):
    user = factories.user(email="eerst@example.com")
    _ask(make_client(user), "later-bezet@example.com")
    path = _link(smtp_server.wait(1)[0])
    factories.user(email="later-bezet@example.com")
    response = _confirm(make_client(), path)
    assert response.status_code == 409 and "eigen account" in response.get_data(as_text=True)
    assert _email_of(user) == "eerst@example.com"


def test_requests_are_limited_per_account(app, factories, make_client):
    client = make_client(factories.user())
    with settings(app, EMAIL_CHANGE_LIMIT="2 per hour"):
        codes = [_ask(client, f"adres{n}@example.com").status_code for n in range(3)]
    assert codes == [302, 302, 429]
