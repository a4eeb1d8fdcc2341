"""The JSON API: token authentication, error bodies, the OpenAPI document, organisations; the
tokens page; and the create-token / create-user commands."""
import hashlib
import re

import pytest
import sqlalchemy as sa

from community.actions import organisations as org_actions, tokens as token_actions
from community.extensions import db
from community.models import ApiToken, Organisation, User
from tests.factories import PASSWORD


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status, code=None):
    """Every API error: the status, a JSON content type and {"error": {"code", "message"}}."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
    return error


# --- /api/v1/me and authentication ------------------------------------------------------------

def test_me_with_a_valid_token(factories, client):
    admin = factories.admin()
    org = factories.organisation(name="Werkplaats West", actor=admin)
    other = factories.organisation(name="School Oost", kind="school", actor=admin)
    user = factories.member(org, who=factories.user(name="Tess Token", email="tess@example.com"), role="manager")
    factories.member(other, who=user, approve=False)
    response = client.get("/api/v1/me", headers=bearer(factories.token(user)))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["id"] == user.id
    assert body["email"] == "tess@example.com"
    assert body["display_name"] == "Tess Token"
    assert body["is_admin"] is False
    memberships = sorted(body["memberships"], key=lambda m: m["organisation_name"])
    assert memberships == [
        {"organisation_id": other.id, "organisation_name": "School Oost", "role": "member", "state": "pending"},
        {"organisation_id": org.id, "organisation_name": "Werkplaats West", "role": "manager",
         "state": "active"},
    ]
    assert not {"password_hash", "session_key", "active"} & set(body)


def test_token_use_is_noted(factories, client):
    user = factories.user()
    token = factories.token(user)
    client.get("/api/v1/me", headers=bearer(token))
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.last_used_at is not None


@pytest.mark.parametrize("header", [
    None,
    "Bearer lk_this-is-not-a-real-token",
    "Bearer not-even-the-prefix",
    "Bearer ",
    "Bearer",
    "Basic dXNlcjpwYXNz",
    "Token {token}",
    "{token}",
    "Bearer {token}x",
    "Bearer {token} {token}",
    "Bearer lk_" + "a" * 200,
])
def test_missing_or_bad_credentials_are_401_json(factories, client, header):
    token = factories.token(factories.user())
    headers = {"Authorization": header.format(token=token)} if header is not None else {}
    response = client.get("/api/v1/me", headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def api_operations(app):
    """(method, url) for every operation of every API blueprint, with 1 for each URL variable."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith("api-docs."):
                url = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    yield method, url


def test_every_api_operation_refuses_an_anonymous_caller(app, client):
    """The API blueprints authenticate before any handler runs: 401 before any 404 or 422."""
    operations = list(api_operations(app))
    assert len(operations) >= 89
    for method, url in operations:
        response = client.open(url, method=method, json={})
        assert_error(response, 401, "unauthorized")
    # Flask's own OPTIONS answer names the methods and runs no handler, signed in or not.
    assert client.options("/api/v1/me").status_code == 200


def test_every_api_operation_documents_the_401(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [(path, method, operation) for path, item in spec["paths"].items()
                  for method, operation in item.items() if method != "parameters"]
    assert len(operations) >= 89
    for path, method, operation in operations:
        assert operation["responses"]["401"] == {
            "description": "Not authenticated",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, (path, method)


def test_revoked_token_is_401(factories, client):
    user = factories.user()
    row, token = token_actions.create_token(user, "old")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    token_actions.revoke_token(user, row.id)
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")
    assert_error(client.get("/api/v1/organisations", headers=bearer(token)), 401)


def test_token_does_not_open_html_pages(factories, client):
    token = factories.token(factories.user())
    response = client.get("/dashboard", headers=bearer(token))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_browser_session_works_for_reading(factories, make_client):
    user = factories.user()
    response = make_client(user).get("/api/v1/me")
    assert response.status_code == 200 and response.get_json()["id"] == user.id


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/organisations/abc", "/api/v2/me",
                                  "/api/v1/organisations/999999", "/api/"])
def test_unknown_api_paths_are_404_json(factories, client, path):
    assert_error(client.get(path, headers=bearer(factories.token(factories.user()))), 404, "not_found")


def test_unknown_api_path_is_404_json_without_a_token_too(client):
    assert_error(client.get("/api/v1/nope"), 404, "not_found")


def test_wrong_method_is_405_json(factories, client):
    response = client.delete("/api/v1/me", headers=bearer(factories.token(factories.user())))
    assert_error(response, 405, "method_not_allowed")


def test_post_with_session_but_without_csrf_is_refused(factories, make_client):
    browser = make_client(factories.user())
    for path in ("/api/v1/me", "/api/v1/organisations"):
        assert_error(browser.post(path, json={}), 400, "csrf_failed")
    # With the page's CSRF token in the header the request gets past the check (and then finds
    # that the endpoint does not take POST).
    token = browser.csrf_token("/dashboard")
    assert_error(browser.post("/api/v1/me", json={}, headers={"X-CSRFToken": token}), 405)


def test_post_with_bearer_needs_no_csrf(factories, client):
    response = client.post("/api/v1/me", json={}, headers=bearer(factories.token(factories.user())))
    assert_error(response, 405, "method_not_allowed")


# --- the OpenAPI document ---------------------------------------------------------------------

def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"] == "v1"
    assert {"/api/v1/me", "/api/v1/organisations", "/api/v1/organisations/{org_id}"} <= set(spec["paths"])
    assert "get" in spec["paths"]["/api/v1/me"]
    schemes = spec["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"].lower() == "bearer" for s in schemes.values())
    assert {"bearerAuth": []} in spec["security"]
    list_params = {p["name"] for p in spec["paths"]["/api/v1/organisations"]["get"]["parameters"]}
    assert {"q", "kind", "page"} <= list_params
    assert "401" in spec["paths"]["/api/v1/me"]["get"]["responses"]


# --- /api/v1/organisations --------------------------------------------------------------------

@pytest.fixture
def directory(factories):
    admin = factories.admin()
    for n in range(53):
        factories.organisation(name=f"Bedrijf {n:02d}", city="Delft", actor=admin)
    factories.organisation(name="ROC Noord", kind="school", level="mbo", city="Groningen", actor=admin)
    factories.organisation(name="Partner 100% Zuid", kind="partner", sector="Energietechniek", actor=admin)
    proposer = factories.user()
    proposal = org_actions.propose_organisation(proposer, name="Bedrijf Voorstel", kind="company")
    return dict(admin=admin, proposer=proposer, proposal=proposal, token=factories.token(factories.user()))


def test_organisation_list_pages(directory, client):
    headers = bearer(directory["token"])
    first = client.get("/api/v1/organisations", headers=headers).get_json()
    assert (first["page"], first["pages"], first["total"]) == (1, 2, 55)
    assert len(first["items"]) == 50
    names = [item["name"] for item in first["items"]]
    assert names == sorted(names, key=str.casefold)
    assert "Bedrijf Voorstel" not in names
    assert set(first["items"][0]) == {"id", "name", "kind", "sector", "city", "size_band", "level",
                                      "description"}
    second = client.get("/api/v1/organisations?page=2", headers=headers).get_json()
    assert (second["page"], len(second["items"])) == (2, 5)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    beyond = client.get("/api/v1/organisations?page=9", headers=headers).get_json()
    assert beyond["items"] == [] and beyond["total"] == 55


@pytest.mark.parametrize("query,expected", [
    ("kind=school", ["ROC Noord"]),
    ("kind=partner", ["Partner 100% Zuid"]),
    ("q=GRONINGEN", ["ROC Noord"]),  # city
    ("q=roc", ["ROC Noord"]),
    ("q=%25", ["Partner 100% Zuid"]),  # % is literal
    ("q=_", []),  # so is _
    ("q=energie", ["Partner 100% Zuid"]),  # sector, as the OpenAPI document promises
    ("q=bedrijf&kind=school", []),
    ("kind=castle", []),
])
def test_organisation_list_filters(directory, client, query, expected):
    body = client.get(f"/api/v1/organisations?{query}", headers=bearer(directory["token"])).get_json()
    assert [item["name"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "100000"])
def test_bad_page_is_422_json(directory, client, page):
    error = assert_error(client.get(f"/api/v1/organisations?page={page}", headers=bearer(directory["token"])),
                         422, "invalid")
    assert "page" in str(error.get("details"))


def test_one_organisation(directory, client):
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "ROC Noord"))
    body = client.get(f"/api/v1/organisations/{org.id}", headers=bearer(directory["token"])).get_json()
    assert body == {"id": org.id, "name": "ROC Noord", "kind": "school", "sector": "", "city": "Groningen",
                    "size_band": None, "level": "mbo", "description": ""}


def test_pending_organisation_is_404_json(directory, client, factories):
    url = f"/api/v1/organisations/{directory['proposal'].id}"
    assert_error(client.get(url, headers=bearer(directory["token"])), 404, "not_found")
    # Its proposer and the admins see it, as on the pages.
    assert client.get(url, headers=bearer(factories.token(directory["proposer"]))).status_code == 200
    assert client.get(url, headers=bearer(factories.token(directory["admin"]))).status_code == 200


def test_organisation_list_query_count_is_fixed(factories, client, count_queries):
    admin = factories.admin()
    token = factories.token(factories.user())
    for n in range(3):
        factories.organisation(name=f"Klein {n}", actor=admin)
    client.get("/api/v1/organisations", headers=bearer(token))
    with count_queries() as small:
        client.get("/api/v1/organisations", headers=bearer(token))
    for n in range(40):
        factories.organisation(name=f"Groot {n}", actor=admin)
    with count_queries() as large:
        body = client.get("/api/v1/organisations", headers=bearer(token)).get_json()
    assert body["total"] == 43
    assert large.count == small.count


# --- the tokens page --------------------------------------------------------------------------

NEW_TOKEN = re.compile(r'<code class="token" id="new-token">(lk_[^<]+)</code>')


def _create_on_page(client, name):
    response = client.submit("/account/tokens", {"name": name}, page="/account/tokens")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    match = NEW_TOKEN.search(html)
    assert match, "the new token is not shown"
    return match.group(1), html


def test_token_is_shown_once_and_stored_only_as_a_hash(factories, make_client, client):
    user = factories.user()
    browser = make_client(user)
    plaintext, html = _create_on_page(browser, "spreadsheet export")
    assert "spreadsheet export" in html
    later = browser.get("/account/tokens").get_data(as_text=True)
    assert plaintext not in later
    assert plaintext[:10] in later and "spreadsheet export" in later  # recognisable by its prefix

    rows = db.session.execute(sa.select(ApiToken.__table__)).all()
    assert len(rows) == 1
    for value in rows[0]:
        assert plaintext not in str(value)
    assert rows[0].token_hash == hashlib.sha256(plaintext.encode()).hexdigest()

    body = client.get("/api/v1/me", headers=bearer(plaintext)).get_json()
    assert body["id"] == user.id


def test_token_name_is_required_and_limited(factories, make_client):
    browser = make_client(factories.user())
    for name in ("", "   ", "n" * 81):
        response = browser.submit("/account/tokens", {"name": name}, page="/account/tokens")
        assert response.status_code == 400
        assert not NEW_TOKEN.search(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_revoking_a_token(factories, make_client, client):
    user = factories.user()
    browser = make_client(user)
    plaintext, _ = _create_on_page(browser, "te intrekken")
    keep, _ = _create_on_page(browser, "blijft")
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "te intrekken"))
    response = browser.submit(f"/account/tokens/{row.id}/revoke", page="/account/tokens")
    assert response.headers["Location"] == "/account/tokens"
    page = browser.get("/account/tokens").get_data(as_text=True)
    assert "is ingetrokken" in page and "ingetrokken</span>" in page
    db.session.refresh(row)
    assert row.revoked_at is not None
    assert_error(client.get("/api/v1/me", headers=bearer(plaintext)), 401)
    assert client.get("/api/v1/me", headers=bearer(keep)).status_code == 200
    # Revoking again is harmless.
    assert browser.submit(f"/account/tokens/{row.id}/revoke", page="/account/tokens").status_code == 302


def test_revoking_someone_elses_token_is_404(factories, make_client, client):
    owner, intruder = factories.user(), factories.user()
    row, plaintext = token_actions.create_token(owner, "geheime naam")
    browser = make_client(intruder)
    response = browser.submit(f"/account/tokens/{row.id}/revoke", page="/account/tokens")
    unknown = browser.submit("/account/tokens/999999/revoke", page="/account/tokens")
    # Nothing changes, and the answer does not reveal that the token exists.
    db.session.refresh(row)
    assert row.revoked_at is None
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 200
    assert response.status_code == unknown.status_code
    assert "geheime naam" not in response.get_data(as_text=True)
    assert response.status_code == 404


def test_tokens_page_needs_login(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- command line -----------------------------------------------------------------------------

def test_cli_create_token(app, factories, client):
    user = factories.user(email="cli@example.com")
    result = app.test_cli_runner().invoke(args=["create-token", "--email", "CLI@example.com", "--name", "cron"])
    assert result.exit_code == 0, result.output
    plaintext = result.output.strip()
    assert plaintext.startswith("lk_")
    body = client.get("/api/v1/me", headers=bearer(plaintext)).get_json()
    assert body["id"] == user.id
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name == "cron" and row.token_hash != plaintext


def test_cli_create_token_for_unknown_email(app):
    result = app.test_cli_runner().invoke(args=["create-token", "--email", "nobody@example.com"])
    assert result.exit_code != 0
    assert "No user with e-mail nobody@example.com" in result.output
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_cli_create_token_refuses_past_the_limit(app, factories):
    user = factories.user(email="vol@example.com")
    for n in range(token_actions.MAX_TOKENS_PER_USER):
        factories.token(user, name=f"t{n}")
    result = app.test_cli_runner().invoke(args=["create-token", "--email", "vol@example.com"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "20" in result.output
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == token_actions.MAX_TOKENS_PER_USER


def test_cli_create_user(app, make_client):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "Nieuw@Example.com", "--name", "Nieuwe Beheerder",
        "--password", "lang genoeg wachtwoord", "--admin", "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "Created user" in result.output and "(admin)" in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "nieuw@example.com"))
    assert (user.display_name, user.is_admin, user.language, user.kind) == ("Nieuwe Beheerder", True, "en", "other")
    browser = make_client()
    browser.login(user, password="lang genoeg wachtwoord")
    assert browser.get("/admin/").status_code == 200


@pytest.mark.parametrize("args,message", [
    (["--password", "kort"], "password"),
    (["--email", "geen-adres"], "email"),
    (["--name", "   "], "display_name"),
])
def test_cli_create_user_refuses_bad_input(app, args, message):
    base = {"--email": "ok@example.com", "--name": "Ok Naam", "--password": "lang genoeg wachtwoord"}
    base.update(dict(zip(args[::2], args[1::2])))
    result = app.test_cli_runner().invoke(args=["create-user"] + [x for kv in base.items() for x in kv])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_cli_create_user_refuses_a_taken_email(app, factories):
    factories.user(email="bezet@example.com")
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "BEZET@example.com", "--name", "Tweede", "--password", PASSWORD])
    assert result.exit_code != 0 and "email" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_cli_create_user_refuses_unknown_kind(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "k@example.com", "--name", "K", "--password", PASSWORD, "--kind", "wizard"])
    assert result.exit_code == 2
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_bearer_header_never_borrows_the_session_cookie(client, factories):
    """A logged-in browser that sends a bogus Bearer header is not authenticated by its cookie
    (the CSRF exemption for Bearer calls must not extend to the session)."""
    client.login(factories.user())
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer lk_not-a-real-token"})
    assert response.status_code == 401
    response = client.post("/api/v1/communities", json={"name": "X"},
                           headers={"Authorization": "Bearer lk_not-a-real-token"})
    assert response.status_code == 401
