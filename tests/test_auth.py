"""Registering, logging in and out, and the session security around it."""
import re

import pytest

from community.models import LoginSession, User
from community.extensions import db
from tests.factories import PASSWORD


def test_register_then_log_in_lands_on_dashboard(client):
    response = client.submit("/register", {
        "display_name": "Sanne de Vries", "email": "Sanne@Example.COM", "password": "een lange zin hier",
        "kind": "employee", "language": "nl", "organisation": "", "accept_privacy": "y"}, page="/register")
    # Not logged in at once: that would tell a stranger the address had no account yet.
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert db.session.scalar(db.select(User.email)) == "sanne@example.com"
    login_page = client.get("/login").get_data(as_text=True)
    assert 'value="sanne@example.com"' in login_page  # only the password to type
    assert "Log in met je e-mailadres en het wachtwoord dat je net koos" in login_page
    assert client.get("/dashboard").status_code == 302
    response = client.submit("/login", {"email": "sanne@example.com", "password": "een lange zin hier"},
                             page="/login")
    assert response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Sanne de Vries" in dashboard and "Welkom bij Leerkring" in dashboard  # the first login


def test_register_keeps_next_for_the_login(client):
    response = client.submit("/register?next=/invite/abc", {
        "display_name": "Sanne", "email": "s@example.com", "password": "een lange zin hier",
        "kind": "employee", "language": "nl", "accept_privacy": "y"}, page="/register")
    assert response.headers["Location"] == "/login?next=/invite/abc"


def test_email_is_unique_case_insensitively(client, factories):
    factories.user(email="piet@example.com", name="Piet Echt")
    response = client.submit("/register", {
        "display_name": "Piet", "email": "PIET@example.com", "password": "x" * 12,
        "kind": "employee", "language": "nl", "accept_privacy": "y"}, page="/register")
    assert response.status_code == 302  # the same answer as for a new address (test_auth_hardening)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert db.session.scalar(db.select(User.display_name)) == "Piet Echt"


@pytest.mark.parametrize("field,value", [
    ("email", "not-an-email"),
    ("email", "a@b@c"),
    ("password", "short"),
    ("password", "x" * 300),
    ("display_name", "x" * 81),
    ("display_name", "   "),
    ("display_name", "\u200b\u200b"),
    ("kind", "wizard"),
    ("language", "fr"),
])
def test_register_refuses_bad_input_with_a_message(client, field, value):
    data = {"display_name": "Ok Naam", "email": "ok@example.com", "password": "y" * 12,
            "kind": "student", "language": "en", "accept_privacy": "y"}
    data[field] = value
    response = client.submit("/register", data, page="/register")
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True) or "form-errors" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


@pytest.mark.parametrize("name", [
    "Zoë 👩‍🔧 Çelik", "محمد العلي", "שרה כהן", "Ñandú e\u0301\u0301", "李小龙",
])
def test_unicode_names_are_welcome(client, name):
    response = client.submit("/register", {"display_name": name, "email": "u@example.com",
                                           "password": "y" * 12, "kind": "student", "language": "nl",
                                           "accept_privacy": "y"},
                             page="/register")
    assert response.status_code == 302
    import unicodedata
    assert db.session.scalar(db.select(User.display_name)) == unicodedata.normalize("NFC", name)


def test_password_of_128_characters_works(client, factories):
    user = factories.user(password="p" * 128)
    assert client.login(user, password="p" * 128).status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(client, factories):
    user = factories.user()
    response = client.submit("/login", {"email": user.email, "password": "wrong password"}, page="/login")
    assert response.status_code == 400
    assert user.email in response.get_data(as_text=True)
    unknown = client.submit("/login", {"email": "nobody@example.com", "password": "wrong password"},
                            page="/login")
    assert unknown.get_data(as_text=True).count("niet juist") == response.get_data(as_text=True).count("niet juist")


def test_login_makes_a_new_session(client, factories):
    user = factories.user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by attacker"
    client.login(user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_refuses_a_replayed_cookie(client, factories, app):
    user = factories.user()
    client.login(user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert client.get("/dashboard").status_code == 200
    client.logout()
    assert client.get("/dashboard").status_code == 302
    # An attacker who copied the cookie before logout:
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert replay.get("/dashboard").status_code == 302
    assert db.session.scalar(db.select(db.func.count(LoginSession.id))) == 0


def test_post_without_csrf_token_is_refused(client, factories):
    user = factories.user()
    client.login(user)
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 200  # still logged in


def test_login_form_with_expired_csrf_keeps_the_email(client, factories):
    user = factories.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "stale"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert user.email in html and "verlopen" in html


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example", "/\\evil.example", "////evil.example", "/%09/evil.example",
    "/\t/evil.example", "https:evil.example", "javascript:alert(1)", "\\\\evil.example",
])
def test_next_only_redirects_within_the_site(client, factories, target):
    user = factories.user()
    response = client.submit("/login?" + _query(next=target),
                             {"email": user.email, "password": PASSWORD}, page="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_next_within_the_site_is_followed(client, factories):
    user = factories.user()
    response = client.submit("/login?next=/organisations/%3Fq%3Dx", {"email": user.email, "password": PASSWORD},
                             page="/login")
    assert response.headers["Location"] == "/organisations/?q=x"


def _query(**params):
    from urllib.parse import urlencode
    return urlencode(params)


def test_disabled_user_cannot_log_in(client, factories):
    from community.actions.accounts import set_user_active
    user = factories.user()
    set_user_active(factories.admin(), user, False)
    response = client.submit("/login", {"email": user.email, "password": PASSWORD}, page="/login")
    assert response.status_code == 400


def test_login_is_rate_limited_per_account(app, make_client, factories):
    user = factories.user()
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "5 per 10 minutes"
    try:
        clients = [make_client() for _ in range(7)]
        statuses = [c.submit("/login", {"email": user.email, "password": "wrong guess!"}, page="/login").status_code
                    for c in clients]
        assert statuses[:5] == [400] * 5
        assert statuses[5:] == [429, 429]
        # The right password is refused too while the account is limited, from a browser that
        # never logged in to it (one that did is let through: test_auth_hardening.py).
        blocked = make_client().submit("/login", {"email": user.email, "password": PASSWORD}, page="/login")
        assert blocked.status_code == 429
        assert user.email in blocked.get_data(as_text=True)
    finally:
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "10000 per minute"


def test_login_is_rate_limited_per_address(app, client, factories):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 10 minutes"
    try:
        statuses = [client.submit("/login", {"email": f"x{i}@example.com", "password": "wrong guess!"},
                                  page="/login").status_code for i in range(4)]
        assert statuses == [400, 400, 400, 429]
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = "10000 per minute"


def test_expired_session_on_a_form_post_returns_to_the_form_page(client, factories):
    """After logging in again the user lands on the page they posted from, not on a URL that
    only takes POST (their draft is still in the browser there)."""
    response = client.submit("/organisations/1/join", {},
                             headers={"Referer": "http://localhost/organisations/1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/organisations/1"
    response = client.get("/account/tokens?x=1")
    assert response.headers["Location"] == "/login?next=/account/tokens?x%3D1"


def test_the_login_page_focuses_one_field(client):
    """The e-mail field first; the password field once the address is known (never an
    autofocus="None" attribute on the other)."""
    html = client.get("/login").get_data(as_text=True)
    assert html.count("autofocus") == 1 and 'autofocus="None"' not in html
    email_field = re.search(r'<input[^>]*id="email"[^>]*>', html).group(0)
    assert "autofocus" in email_field
