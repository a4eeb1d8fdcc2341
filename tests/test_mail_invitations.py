"""Inviting by e-mail address, through a real SMTP server (aiosmtpd in this process): a stranger's
mail in the coordinator's language with both parts, its link followed by the test client to a
registration that makes them a member at once; an account's invitation and its mail; expired,
forged, used and withdrawn links; bad input and the daily limit; only coordinators invite."""
import re
import time

import pytest
import sqlalchemy as sa

from community import signed_links
from community.actions import mail_invitations
from community.extensions import db
from community.models import CommunityMembership, Invitation, Mail, User
from tests.mailserver import smtp_server  # noqa: F401  (fixture)

NEW_PASSWORD = "een gloednieuw wachtwoord"


@pytest.fixture
def kring(factories):
    lead = factories.user(name="Lea Leider", language="nl")
    community = factories.community(name="Lassen met cobots", visibility="private", join_policy="invite",
                                    coordinator=lead)
    return community, lead


def _page(community):
    return f"/c/{community.slug}/manage/invitations"


def _invite(client, community, email, note=""):
    return client.submit(_page(community), {"action": "user", "user-email": email, "user-note": note},
                         page=_page(community))


def _link(msg, prefix=r"/invite/mail/"):
    plain = msg.get_body(("plain",)).get_content()
    [url] = re.findall(r"http://leerkring\.test(" + prefix + r"\S*)", plain)
    assert f'href="http://leerkring.test{url}"' in msg.get_body(("html",)).get_content()
    return url


def _member(community, email):
    return db.session.scalar(sa.select(CommunityMembership).join(User, User.id == CommunityMembership.user_id)
                             .where(User.email == email, CommunityMembership.community_id == community.id))


@pytest.mark.parametrize("language,subject,words,button", [
    ("nl", "Lea Leider nodigt je uit voor Lassen met cobots", "Lea Leider schrijft:", "Maak je account aan en doe mee"),
    ("en", "Lea Leider invites you to Lassen met cobots", "Lea Leider writes:", "Create your account and join"),
])
def test_a_stranger_registers_through_the_mail_and_is_a_member_at_once(
        smtp_server, kring, make_client, language, subject, words, button):
    community, lead = kring
    lead.language = language
    db.session.commit()
    coordinator = make_client(lead)
    answer = _invite(coordinator, community, " Nieuw@Example.com", "Welkom!\nTot donderdag.")
    assert answer.status_code == 302 and answer.headers["Location"] == _page(community)
    [msg] = smtp_server.wait(1)
    assert msg["To"].addresses[0].addr_spec == "nieuw@example.com"
    assert msg["Subject"] == subject and msg["Content-Language"] == language
    assert msg["Date"] and msg["Message-ID"]
    assert msg["List-Unsubscribe"] is None  # a person's direct invitation: essential, not a notification
    plain, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    assert words in plain and "Tot donderdag." in plain and button in html
    assert "<img" not in html
    listing = coordinator.get(_page(community)).get_data(as_text=True)
    assert "nieuw@example.com" in listing

    visitor = make_client()
    path = _link(msg)
    form = visitor.get(path)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert "nieuw@example.com" in form.get_data(as_text=True)
    short = visitor.submit(path, {"display_name": "Nina Nieuw", "password": "kort"}, page=path)
    assert short.status_code == 400  # the password rules hold
    done = visitor.submit(path, {"display_name": "Nina Nieuw", "password": NEW_PASSWORD, "kind": "employee",
                                 "language": language, "accept_privacy": "y"}, page=path)
    assert done.status_code == 302 and done.headers["Location"] == f"/c/{community.slug}/"
    home = visitor.get(done.headers["Location"])
    assert home.status_code == 200 and "Nina Nieuw" in home.get_data(as_text=True)
    membership = _member(community, "nieuw@example.com")
    assert membership.state == "active" and membership.role == "member"
    # The link worked once.
    again = make_client().get(path)
    assert again.status_code == 410
    # The account logs in with its password like any other.
    assert make_client().submit("/login", {"email": "nieuw@example.com", "password": NEW_PASSWORD},
                                page="/login").status_code == 302


def test_an_account_is_invited_as_before_and_gets_a_mail(smtp_server, kring, factories, make_client):
    community, lead = kring
    guest = factories.user(name="Gijs Gast", email="gijs@example.com", language="en")
    coordinator = make_client(lead)
    answer = _invite(coordinator, community, "GIJS@example.com", "See you there")
    assert answer.status_code == 302
    [msg] = smtp_server.wait(1)
    assert msg["To"].addresses[0].addr_spec == "gijs@example.com" and msg["Content-Language"] == "en"
    assert msg["Subject"] == "Lea Leider invites you to Lassen met cobots" and msg["List-Unsubscribe"] is None
    assert "Hello Gijs Gast," in msg.get_body(("plain",)).get_content()
    path = _link(msg, prefix=r"/dashboard")
    assert path == "/dashboard"
    assert _member(community, guest.email).state == "invited"
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0  # no link for an account
    client = make_client(guest)
    dashboard = client.get(path)  # where they accept
    assert dashboard.status_code == 200 and "Lassen met cobots" in dashboard.get_data(as_text=True)


def test_expired_forged_used_and_foreign_links_get_a_clear_page(smtp_server, kring, factories, make_client,
                                                                 monkeypatch):
    community, lead = kring
    _state, invitation = mail_invitations.invite_by_email(lead, community, "laat@example.com")
    token = mail_invitations.link_token(invitation)
    visitor = make_client()
    assert visitor.get(f"/invite/mail/{token}").status_code == 200
    # Forged: a payload of our own signed with another key, a tampered one, garbage.
    assert visitor.get(f"/invite/mail/{token[:-3]}abc").status_code == 404
    assert visitor.get("/invite/mail/not-a-link").status_code == 404
    other = signed_links.make("password-reset", {"i": invitation.id, "e": "laat@example.com"})
    assert visitor.get(f"/invite/mail/{other}").status_code == 404
    forged = signed_links.make(mail_invitations.PURPOSE, {"i": invitation.id, "e": "ander@example.com"})
    assert visitor.get(f"/invite/mail/{forged}").status_code == 404
    # The plain invitation-link page does not take it either.
    assert visitor.get(f"/invite/{token}").status_code == 404
    # Expired: the signed link was made more than 14 days ago.
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 15 * 24 * 3600)
    old = mail_invitations.link_token(invitation)
    monkeypatch.setattr(time, "time", real_time)
    expired = visitor.get(f"/invite/mail/{old}")
    assert expired.status_code == 410 and "14" in expired.get_data(as_text=True)
    # Someone logged in with another account cannot take it.
    stranger = make_client(factories.user())
    page = stranger.get(f"/invite/mail/{token}")
    assert page.status_code == 200 and "<form method=\"post\">" not in page.get_data(as_text=True)
    assert stranger.submit(f"/invite/mail/{token}", {}, page="/").status_code == 403
    assert _member(community, "laat@example.com") is None


def test_the_coordinator_withdraws_a_mailed_invitation(smtp_server, kring, make_client):
    community, lead = kring
    coordinator = make_client(lead)
    assert _invite(coordinator, community, "weg@example.com").status_code == 302
    path = _link(smtp_server.wait(1)[0])
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "weg@example.com"))
    done = coordinator.submit(f"/c/{community.slug}/invitations/{invitation.id}/revoke", {}, page=_page(community))
    assert done.status_code == 302
    visitor = make_client()
    page = visitor.get(path)
    assert page.status_code == 410 and "ingetrokken" in page.get_data(as_text=True)
    refused = visitor.submit(path, {"display_name": "Weg", "password": NEW_PASSWORD, "accept_privacy": "y"}, page="/")
    assert refused.status_code == 410
    assert db.session.scalar(sa.select(User).where(User.email == "weg@example.com")) is None


def test_inviting_again_replaces_the_earlier_link(smtp_server, kring, make_client):
    community, lead = kring
    coordinator = make_client(lead)
    _invite(coordinator, community, "twee@example.com")
    _invite(coordinator, community, "twee@example.com")
    first, second = (_link(msg) for msg in smtp_server.wait(2))
    assert make_client().get(first).status_code == 410
    assert make_client().get(second).status_code == 200


@pytest.mark.parametrize("email,note", [
    ("geen-adres", ""),
    ("iemand@", ""),
    ("a@example.com\r\nBcc: slachtoffer@example.com", ""),
    ("x" * 250 + "@example.com", ""),
    ("lang@example.com", "n" * 501),
])
def test_bad_input_is_refused_and_nothing_is_sent(smtp_server, kring, make_client, email, note):
    community, lead = kring
    response = _invite(make_client(lead), community, email, note)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Mail.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert smtp_server.wait(1, seconds=0.3) == []


def test_a_coordinator_sends_at_most_a_days_worth(smtp_server, kring, make_client, monkeypatch):
    community, lead = kring
    monkeypatch.setattr(mail_invitations, "PER_DAY", 2)
    coordinator = make_client(lead)
    assert _invite(coordinator, community, "een@example.com").status_code == 302
    assert _invite(coordinator, community, "twee@example.com").status_code == 302
    refused = _invite(coordinator, community, "drie@example.com")
    assert refused.status_code == 429 and "24 uur" in refused.get_data(as_text=True)
    assert len(smtp_server.wait(3, seconds=1)) == 2


def test_only_coordinators_invite(smtp_server, kring, factories, make_client):
    community, _lead = kring
    member = factories.community_member(community).user
    client = make_client(member)
    assert client.get(_page(community)).status_code == 403
    response = client.submit(_page(community), {"action": "user", "user-email": "x@example.com"},
                             page=f"/c/{community.slug}/")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Mail.id))) == 0
    with pytest.raises(Exception) as refused:
        mail_invitations.invite_by_email(member, community, "x@example.com")
    assert refused.value.status == 403


def test_an_address_that_registered_meanwhile_logs_in_and_joins(smtp_server, kring, factories, make_client):
    community, lead = kring
    _state, invitation = mail_invitations.invite_by_email(lead, community, "later@example.com")
    path = f"/invite/mail/{mail_invitations.link_token(invitation)}"
    user = factories.user(email="later@example.com")
    visitor = make_client()
    page = visitor.get(path)
    assert page.status_code == 200 and f"/login?next={path}" in page.get_data(as_text=True).replace("%2F", "/")
    assert visitor.submit(path, {"display_name": "Dubbel", "password": NEW_PASSWORD, "accept_privacy": "y"}, page="/").status_code == 409
    visitor.login(user)
    joined = visitor.submit(path, {}, page=path)
    assert joined.status_code == 302 and joined.headers["Location"] == f"/c/{community.slug}/"
    assert _member(community, "later@example.com").state == "active"
