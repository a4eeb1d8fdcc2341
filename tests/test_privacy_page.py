"""The privacy statement (/privacy, Dutch and English) and the consent registration records."""
import sqlalchemy as sa

from community.actions import mail_invitations
from community.extensions import db
from community.models import User


def _form(**extra):
    return {"display_name": "Sanne de Vries", "email": "sanne@example.com", "password": "een lange zin hier",
            "kind": "employee", "language": "nl", "organisation": ""} | extra


def test_the_privacy_page_states_the_configured_periods_in_dutch_and_english(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "EVENT_RETENTION_DAYS", 11)
    monkeypatch.setitem(app.config, "NOTIFICATION_RETENTION_DAYS", 93)
    monkeypatch.setitem(app.config, "UNREAD_NOTIFICATION_RETENTION_DAYS", 366)
    monkeypatch.setitem(app.config, "INVITATION_RETENTION_DAYS", 31)
    monkeypatch.setitem(app.config, "MAIL_RETENTION_DAYS", 29)
    monkeypatch.setitem(app.config, "EXPORT_RETENTION_DAYS", 1)
    page = client.get("/privacy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>Privacyverklaring</h1>" in text and "Versie 2026-12" in text
    for period in ("11 dagen", "93 dagen nadat je ze las", "ongelezen meldingen 366 dagen",
                   "31 dagen nadat de uitnodiging verliep", "29 dagen", "1 dag<", "14 dagen", "180 dagen"):
        assert period in text, period
    assert "Geen derden" in text and "Autoriteit Persoonsgegevens" in text
    client.submit("/language", {"language": "en", "next": "/privacy"})
    english = client.get("/privacy").get_data(as_text=True)
    assert "<h1>Privacy statement</h1>" in english and "No third parties" in english
    assert "93 days after you read them" in english and "1 day<" in english


def test_the_footer_and_the_registration_form_link_to_the_privacy_page(client):
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    form = client.get("/register").get_data(as_text=True)
    assert form.count('href="/privacy"') == 2  # the form's checkbox and the footer
    assert 'name="accept_privacy"' in form


def test_registration_requires_accepting_the_privacy_statement_and_records_the_version(client, app):
    refused = client.submit("/register", _form(), page="/register")
    assert refused.status_code == 400
    assert "Lees de privacyverklaring en ga ermee akkoord" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    done = client.submit("/register", _form(accept_privacy="y"), page="/register")
    assert done.status_code == 302
    user = db.session.scalar(sa.select(User))
    assert user.privacy_version == app.config["PRIVACY_VERSION"] == "2026-12"
    assert user.privacy_accepted_at is not None


def test_a_taken_address_without_the_tick_gets_the_same_refusal(client, factories):
    factories.user(email="sanne@example.com")
    refused = client.submit("/register", _form(), page="/register")
    assert refused.status_code == 400
    assert "Lees de privacyverklaring en ga ermee akkoord" in refused.get_data(as_text=True)


def test_accounts_made_by_an_administrator_record_no_acceptance(factories):
    user = factories.user()
    assert user.privacy_version is None and user.privacy_accepted_at is None


def test_the_mailed_invitation_registration_requires_it_too(factories, make_client, app):
    coordinator = factories.user(kind="teacher")
    community = factories.community(coordinator=coordinator)
    _kind, invitation = mail_invitations.invite_by_email(coordinator, community, "nieuw@example.com")
    path = f"/invite/mail/{mail_invitations.link_token(invitation)}"
    visitor = make_client()
    page = visitor.get(path).get_data(as_text=True)
    assert 'name="accept_privacy"' in page and 'href="/privacy"' in page
    data = {"display_name": "Nina Nieuw", "password": "een lange zin hier", "kind": "employee", "language": "nl"}
    refused = visitor.submit(path, data, page=path)
    assert refused.status_code == 400
    assert db.session.scalar(sa.select(User).where(User.email == "nieuw@example.com")) is None
    done = visitor.submit(path, data | {"accept_privacy": "y"}, page=path)
    assert done.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nieuw@example.com"))
    assert user.privacy_version == app.config["PRIVACY_VERSION"] and user.privacy_accepted_at is not None
