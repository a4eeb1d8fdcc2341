"""Inviting by e-mail address through the API (POST /api/v1/communities/<slug>/invitations/users
with "email"), as the invitations page does: an account is invited and mailed (201), an address
without one gets a mailed link to register and join (202); the same validation, the daily limit
(429) and JSON errors; an Idempotency-Key makes a retried call answer the same without a second
mail; the OpenAPI document shows it all."""
import re

import pytest
import sqlalchemy as sa

from community.actions import mail_invitations
from community.extensions import db
from community.models import CommunityMembership, Invitation, Mail, User
from tests.helpers import assert_error
from tests.mailserver import smtp_server  # noqa: F401  (fixture)
from tests.test_mail_invitations import NEW_PASSWORD, _link, _member, kring  # noqa: F401  (fixture)


def _path(community):
    return f"/api/v1/communities/{community.slug}/invitations/users"


def _count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_an_address_without_account_gets_a_mailed_link_that_works(smtp_server, kring, api, make_client):
    community, lead = kring
    answer = api(lead).post(_path(community), json={"email": " Nieuw@Example.com", "note": "Welkom!"})
    assert answer.status_code == 202, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["email"] == "nieuw@example.com" and body["state"] == "active"
    assert body["max_uses"] == 1 and body["created_by"]["display_name"] == "Lea Leider"
    assert "token" not in body  # the link is in the mail only
    [msg] = smtp_server.wait(1)
    assert msg["To"].addresses[0].addr_spec == "nieuw@example.com"
    assert msg["Subject"] == "Lea Leider nodigt je uit voor Lassen met cobots"
    assert "Welkom!" in msg.get_body(("plain",)).get_content()
    visitor = make_client()
    path = _link(msg)
    done = visitor.submit(path, {"display_name": "Nina Nieuw", "password": NEW_PASSWORD, "kind": "employee",
                                 "language": "nl", "accept_privacy": "y"}, page=path)
    assert done.status_code == 302 and _member(community, "nieuw@example.com").state == "active"
    listed = api(lead).get(f"/api/v1/communities/{community.slug}/invitations").get_json()["items"]
    assert [(i["id"], i["email"], i["state"]) for i in listed] == [(body["id"], "nieuw@example.com", "used_up")]


def test_an_account_is_invited_and_mailed(smtp_server, kring, factories, api):
    community, lead = kring
    guest = factories.user(name="Gijs Gast", email="gijs@example.com", language="en")
    answer = api(lead).post(_path(community), json={"email": "GIJS@example.com"})
    assert answer.status_code == 201
    body = answer.get_json()
    assert (body["user"]["id"], body["state"], body["role"]) == (guest.id, "invited", "member")
    [msg] = smtp_server.wait(1)
    assert msg["To"].addresses[0].addr_spec == "gijs@example.com" and msg["Content-Language"] == "en"
    assert _count(Invitation) == 0
    # By number, as before: no mail.
    other = factories.user(name="Olga Ander")
    by_number = api(lead).post(_path(community), json={"user_id": other.id})
    assert by_number.status_code == 201 and by_number.get_json()["state"] == "invited"
    assert len(smtp_server.wait(2, seconds=0.3)) == 1 and _count(Mail) == 1


@pytest.mark.parametrize("body,status,field", [
    ({"email": "geen-adres"}, 422, "email"),
    ({"email": "iemand@"}, 422, "email"),
    ({"email": "a@example.com\r\nBcc: slachtoffer@example.com"}, 422, "email"),
    ({"email": "x" * 250 + "@example.com"}, 422, None),
    ({"email": "lang@example.com", "note": "n" * 501}, 422, "note"),
    ({"email": 12}, 422, None),
    ({"email": "a@example.com", "user_id": 1}, 422, None),
    ({}, 422, None),
    ({"note": "alleen een notitie"}, 422, None),
])
def test_bad_input_is_refused_and_nothing_is_sent(smtp_server, kring, api, body, status, field):
    community, lead = kring
    assert_error(api(lead).post(_path(community), json=body), status, field=field)
    assert _count(Mail) == 0 and _count(Invitation) == 0
    assert smtp_server.wait(1, seconds=0.3) == []


def test_only_coordinators_and_at_most_a_days_worth(smtp_server, kring, factories, api, monkeypatch):
    community, lead = kring
    member = factories.community_member(community).user
    assert_error(api(member).post(_path(community), json={"email": "x@example.com"}), 403)
    assert_error(api(factories.user()).post(_path(community), json={"email": "x@example.com"}), 404)
    assert_error(api().post(_path(community), json={"email": "x@example.com"}), 401)
    monkeypatch.setattr(mail_invitations, "PER_DAY", 2)
    assert api(lead).post(_path(community), json={"email": "een@example.com"}).status_code == 202
    assert api(lead).post(_path(community), json={"email": "twee@example.com"}).status_code == 202
    error = assert_error(api(lead).post(_path(community), json={"email": "drie@example.com"}), 429, "too_many")
    assert "24" in error["message"]
    assert len(smtp_server.wait(3, seconds=1)) == 2 and _count(Invitation) == 2


def test_a_retry_with_the_same_idempotency_key_mails_once(smtp_server, kring, factories, api):
    community, lead = kring
    coordinator = api(lead)
    key = {"Idempotency-Key": "b7c4-invite-1"}
    first = coordinator.post(_path(community), json={"email": "een@example.com"}, headers=key)
    again = coordinator.post(_path(community), json={"email": "een@example.com"}, headers=key)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.get_json() == again.get_json()
    guest = factories.user(email="gast@example.com")
    account_key = {"Idempotency-Key": "b7c4-invite-2"}
    first = coordinator.post(_path(community), json={"email": "gast@example.com"}, headers=account_key)
    again = coordinator.post(_path(community), json={"email": "gast@example.com"}, headers=account_key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json()["membership_id"] == again.get_json()["membership_id"]
    assert len(smtp_server.wait(3, seconds=1)) == 2
    assert _count(Mail) == 2 and _count(Invitation) == 1
    assert db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.user_id == guest.id)) == 1
    assert_error(coordinator.post(_path(community), json={"email": "ander@example.com"}, headers=key), 422,
                 "idempotency_key_reused")
    assert_error(coordinator.post(_path(community), json={"email": "ander@example.com"},
                                  headers={"Idempotency-Key": "k" * 65}), 422, "invalid_idempotency_key")
    # Without a key, asking again mails a new link (the earlier one stops working), as on the page.
    assert coordinator.post(_path(community), json={"email": "een@example.com"}).status_code == 202
    assert _count(Mail) == 3 and db.session.scalar(sa.select(User.id).where(User.email == "een@example.com")) is None


def test_the_openapi_document_describes_it(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/communities/{slug}/invitations/users"]["post"]
    assert set(operation["responses"]) >= {"201", "202", "401", "403", "404", "409", "422", "429"}
    assert re.search(r"Invitation", operation["responses"]["202"]["content"]["application/json"]["schema"]["$ref"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    body = spec["components"]["schemas"]["InviteUserArgs"]["properties"]
    assert {"user_id", "email", "note"} <= set(body)
    assert "email" in spec["components"]["schemas"]["Invitation"]["properties"]
