"""Platform administration (users, access, admin rights) and the user's own account: profile,
password and interface language."""
import re

import pytest
import sqlalchemy as sa

from community.actions import organisations as org_actions
from community.extensions import db
from community.models import LoginSession
from tests.factories import PASSWORD
from tests.helpers import assert_matrix

NEW_PASSWORD = "een heel nieuw wachtwoord"


def sessions_of(user):
    return db.session.scalar(sa.select(sa.func.count(LoginSession.id)).where(LoginSession.user_id == user.id))


def after_redirect(response, client):
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def user_names(html):
    """The names in the user table (each after the person's avatar)."""
    return set(re.findall(r'<td[^>]*><span class="with-avatar">(?:<img [^>]*>|<span [^>]*>[^<]*</span>)'
                          r'<a href="/admin/users/\d+">([^<]+)</a>', html))


def can_log_in(make_client, user, password=PASSWORD):
    response = make_client().submit("/login", {"email": user.email, "password": password}, page="/login")
    return response.status_code == 302


# --- who may enter ----------------------------------------------------------------------------

def test_admin_area_is_hidden_from_everyone_but_admins(factories, make_client):
    admin = factories.admin()
    org = factories.organisation(actor=admin)
    manager = factories.member(org, role="manager")
    plain = factories.user()
    proposal = org_actions.propose_organisation(plain, name="Geheim Voorstel", kind="company")
    clients = {"anonymous": make_client(), "user": make_client(plain), "manager": make_client(manager),
               "admin": make_client(admin)}
    hidden = {"anonymous": 302, "user": 404, "manager": 404}
    assert_matrix(clients, [
        ("GET", "/admin/", {**hidden, "admin": 200}),
        ("GET", "/admin/users", {**hidden, "admin": 200}),
        ("GET", "/admin/users?q=x&page=2", {**hidden, "admin": 200}),
        ("GET", f"/admin/users/{plain.id}", {**hidden, "admin": 200}),
        ("GET", f"/admin/users/{admin.id}", {**hidden, "admin": 200}),
        ("GET", "/admin/users/999999", {**hidden, "admin": 404}),
        ("GET", "/admin/nonexistent", {"user": 404, "admin": 404}),
        ("POST", f"/admin/users/{manager.id}/disable", hidden),
        ("POST", f"/admin/users/{plain.id}/admin", hidden, {"is_admin": "1"}),
        ("POST", f"/admin/users/{manager.id}/admin", hidden, {"is_admin": "1"}),
        ("POST", f"/admin/organisations/{proposal.id}/approve", hidden),
        ("POST", f"/admin/organisations/{proposal.id}/reject", hidden),
        ("POST", "/admin/users/999999/disable", {**hidden, "admin": 404}),
    ])
    assert clients["anonymous"].get("/admin/").headers["Location"].startswith("/login")
    for user in (plain, manager):
        db.session.refresh(user)
        assert user.active and not user.is_admin
    db.session.refresh(proposal)
    assert proposal.status == "pending"
    # The menu links to the admin area for admins only.
    assert 'href="/admin/"' not in clients["user"].get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/"' in clients["admin"].get("/dashboard").get_data(as_text=True)


def test_admin_overview_counts(factories, make_client):
    admin = factories.admin()
    factories.organisation(actor=admin)
    org_actions.propose_organisation(factories.user(), name="Nog Niet", kind="school")
    from community.actions.accounts import set_user_active
    set_user_active(admin, factories.user(), False)
    html = make_client(admin).get("/admin/").get_data(as_text=True)
    stats = dict((label, int(n)) for n, label in re.findall(r"<strong>(\d+)</strong> (\w+)", html))
    assert stats == {"gebruikers": 3, "geblokkeerd": 1, "organisaties": 1}
    assert "Nog Niet" in html


# --- users: search ----------------------------------------------------------------------------

@pytest.fixture
def people(factories):
    admin = factories.admin(name="Ada Admin", email="ada@beheer.nl")
    factories.user(name="Jan Jansen", email="jan@example.com")
    factories.user(name="Piet Pieters", email="piet@voorbeeld.nl")
    factories.user(name="Klaas_Vaak", email="klaas@example.com")
    factories.user(name="100% Zeker", email="zeker@example.com")
    return admin


@pytest.mark.parametrize("query,expected", [
    ("", {"Ada Admin", "Jan Jansen", "Piet Pieters", "Klaas_Vaak", "100% Zeker"}),
    ("jan", {"Jan Jansen"}),
    ("JANSEN", {"Jan Jansen"}),  # name, any case
    ("voorbeeld.nl", {"Piet Pieters"}),  # e-mail address
    ("PIET@VOORBEELD", {"Piet Pieters"}),
    ("_", {"Klaas_Vaak"}),  # LIKE wildcards are plain characters
    ("%25", {"100% Zeker"}),
    ("s_v", {"Klaas_Vaak"}),
    ("niemand", set()),
])
def test_admin_searches_users(people, make_client, query, expected):
    response = make_client(people).get(f"/admin/users?q={query}")
    assert response.status_code == 200
    assert user_names(response.get_data(as_text=True)) == expected


def test_admin_user_list_pages(factories, make_client):
    admin = factories.admin(name="Aaa Admin")
    for n in range(30):
        factories.user(name=f"Persoon {n:02d}")
    client = make_client(admin)
    first = client.get("/admin/users")
    assert first.status_code == 200
    assert len(user_names(first.get_data(as_text=True))) == 25
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert user_names(second) == {f"Persoon {n:02d}" for n in range(24, 30)}
    for bad in ("abc", "-1", "0"):
        assert client.get(f"/admin/users?page={bad}").status_code == 200


def test_admin_sees_a_users_organisations(factories, make_client):
    admin = factories.admin()
    org = factories.organisation(name="Leerbedrijf Oost", actor=admin)
    user = factories.member(org, role="manager")
    html = make_client(admin).get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert user.email in html and "Leerbedrijf Oost" in html and "Beheerder" in html


# --- users: disabling, enabling, admin rights -------------------------------------------------

def test_disabling_a_user_ends_all_their_sessions_and_tokens(factories, make_client):
    admin, victim = factories.admin(), factories.user(name="Vera Weg")
    token = factories.token(victim)
    laptop, phone, boss = make_client(victim), make_client(victim), make_client(admin)
    api = make_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert laptop.get("/dashboard").status_code == 200 and phone.get("/dashboard").status_code == 200
    assert api.get("/api/v1/me", headers=bearer).status_code == 200

    response = boss.submit(f"/admin/users/{victim.id}/disable")
    assert response.headers["Location"] == f"/admin/users/{victim.id}"
    page = boss.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vera Weg is geblokkeerd en overal uitgelogd." in page

    for client in (laptop, phone):
        response = client.get("/dashboard")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    assert sessions_of(victim) == 0
    db.session.refresh(victim)
    assert victim.active is False
    assert not can_log_in(make_client, victim)
    assert "geblokkeerd" in boss.get("/admin/users").get_data(as_text=True)

    # Enabling lets them log in again (old sessions stay ended).
    page = after_redirect(boss.submit(f"/admin/users/{victim.id}/enable"), boss)
    assert "Vera Weg kan weer inloggen." in page
    db.session.refresh(victim)
    assert victim.active is True
    assert laptop.get("/dashboard").status_code == 302
    assert can_log_in(make_client, victim)


def test_admin_cannot_disable_themself(factories, make_client):
    admin = factories.admin()
    boss = make_client(admin)
    # The button is not offered on one's own page...
    assert "Account blokkeren" not in boss.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Account blokkeren" in boss.get(f"/admin/users/{factories.user().id}").get_data(as_text=True)
    # ...and the server refuses a forged request.
    page = after_redirect(boss.submit(f"/admin/users/{admin.id}/disable"), boss)
    assert "Je kunt je eigen account niet blokkeren." in page
    db.session.refresh(admin)
    assert admin.active is True
    assert sessions_of(admin) == 1
    assert boss.get("/admin/").status_code == 200


def test_admin_grants_and_removes_admin_rights(factories, make_client):
    admin, helper = factories.admin(), factories.user(name="Hanna Hulp")
    boss, theirs = make_client(admin), make_client(helper)
    assert theirs.get("/admin/").status_code == 404

    page = after_redirect(boss.submit(f"/admin/users/{helper.id}/admin", {"is_admin": "1"}), boss)
    assert "De beheerrechten van Hanna Hulp zijn gewijzigd." in page
    db.session.refresh(helper)
    assert helper.is_admin is True
    assert theirs.get("/admin/").status_code == 200  # takes effect at once, no new login

    boss.submit(f"/admin/users/{helper.id}/admin", {"is_admin": "0"})
    db.session.refresh(helper)
    assert helper.is_admin is False
    assert theirs.get("/admin/").status_code == 404


def test_admin_cannot_remove_own_admin_rights(factories, make_client):
    admin = factories.admin()
    boss = make_client(admin)
    page = after_redirect(boss.submit(f"/admin/users/{admin.id}/admin", {"is_admin": "0"}), boss)
    assert "Je kunt je eigen beheerrechten niet intrekken." in page
    db.session.refresh(admin)
    assert admin.is_admin is True
    assert boss.get("/admin/").status_code == 200


def test_a_disabled_admin_loses_the_admin_area(factories, make_client):
    admin, other = factories.admin(), factories.admin()
    theirs = make_client(other)
    make_client(admin).submit(f"/admin/users/{other.id}/disable")
    assert theirs.get("/admin/").status_code == 302
    assert not can_log_in(make_client, other)


# --- the user's own account: profile, password, language --------------------------------------

def test_profile_update_switches_the_interface_language(factories, make_client):
    user = factories.user(name="Oude Naam")
    client = make_client(user)
    page = client.get("/account/").get_data(as_text=True)
    assert "Uitloggen" in page and '<html lang="nl">' in page
    response = client.submit("/account/", {"display_name": "  Nieuwe Naam  ", "kind": "teacher",
                                           "language": "en"}, page="/account/")
    assert response.headers["Location"] == "/account/"
    page = client.get("/account/").get_data(as_text=True)
    assert "Log out" in page and "Uitloggen" not in page and '<html lang="en">' in page
    assert "Your profile is saved." in page
    db.session.refresh(user)
    assert (user.display_name, user.kind, user.language) == ("Nieuwe Naam", "teacher", "en")
    # The choice belongs to the account: another browser gets English after logging in.
    assert "Log out" in make_client(user).get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize("field,value", [
    ("display_name", ""), ("display_name", "x" * 81), ("display_name", "\u200b"),
    ("kind", "wizard"), ("language", "fr"),
])
def test_profile_refuses_bad_input(factories, make_client, field, value):
    user = factories.user(name="Blijft Zo")
    client = make_client(user)
    data = {"display_name": "Goede Naam", "kind": "student", "language": "en"}
    data[field] = value
    response = client.submit("/account/", data, page="/account/")
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.display_name, user.kind, user.language) == ("Blijft Zo", "employee", "nl")


def test_password_change_needs_the_current_password(factories, make_client):
    user = factories.user()
    client = make_client(user)
    response = client.submit("/account/password", {"current_password": "niet het goede wachtwoord",
                                                   "new_password": NEW_PASSWORD}, page="/account/password")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Je huidige wachtwoord klopt niet." in html
    assert NEW_PASSWORD not in html  # passwords are never echoed
    assert can_log_in(make_client, user) and not can_log_in(make_client, user, NEW_PASSWORD)

    response = client.submit("/account/password", {"current_password": PASSWORD, "new_password": "kort"},
                             page="/account/password")
    assert response.status_code == 400
    assert "Gebruik minimaal 10 tekens voor je wachtwoord." in response.get_data(as_text=True)
    assert can_log_in(make_client, user)


def test_password_change_logs_out_other_browsers_only(factories, make_client):
    user = factories.user()
    here, elsewhere = make_client(user), make_client(user)
    response = here.submit("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                           page="/account/password")
    assert response.headers["Location"] == "/account/"
    assert "Je wachtwoord is gewijzigd." in here.get("/account/").get_data(as_text=True)
    assert here.get("/dashboard").status_code == 200
    response = elsewhere.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert sessions_of(user) == 1
    assert can_log_in(make_client, user, NEW_PASSWORD)
    assert not can_log_in(make_client, user, PASSWORD)


def test_log_out_everywhere_else(factories, make_client):
    user = factories.user()
    here, elsewhere = make_client(user), make_client(user)
    here.submit("/account/sessions/end-others", page="/account/")
    assert here.get("/dashboard").status_code == 200
    assert elsewhere.get("/dashboard").status_code == 302
    assert sessions_of(user) == 1


def test_anonymous_language_switch(client):
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)
    response = client.submit("/language", {"language": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page and "Inloggen" not in page
    # Back to Dutch.
    client.submit("/language", {"language": "nl", "next": "/"})
    assert "Inloggen" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("language", ["fr", "", "EN", "nl-BE", "../en"])
def test_unknown_language_is_ignored_silently(client, language):
    response = client.submit("/language", {"language": language, "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page and "Inloggen" in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", ""])
def test_language_switch_ignores_offsite_next(client, target):
    response = client.submit("/language", {"language": "en", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_language_switch_is_kept_on_the_account(factories, make_client):
    user = factories.user()
    client = make_client(user)
    client.submit("/language", {"language": "en", "next": "/dashboard"})
    db.session.refresh(user)
    assert user.language == "en"
    assert "Log out" in make_client(user).get("/dashboard").get_data(as_text=True)

