"""Managing rounds: who may (a role x request matrix, pages and API), opening with bad or hostile
input (the form comes back with the text; the API answers 4xx JSON), closing, deleting with a
confirmation step, the organisation page link, and query counts constant in the number of rows."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.actions import scan as actions
from community.extensions import db
from community.models import ScanCode, ScanResponse, ScanRound
from tests import scan_factories
from tests import worlds
from tests.helpers import assert_error, assert_matrix


@pytest.fixture
def world(factories, make_client, api):
    org, manager = factories.company_with_manager()
    other_org, other_manager = factories.company_with_manager()
    employee = factories.member(org, factories.user())
    admin = factories.admin()
    scan_round = scan_factories.closed_round(org, manager, employees=[3] * 5)
    people = {"manager": manager, "other company's manager": other_manager, "employee": employee, "admin": admin}
    pages, tokens = worlds.clients(make_client, people), worlds.clients(api, people)
    return dict(org=org, manager=manager, round=scan_round, pages=pages, api=tokens, people=people)


def test_permission_matrix_pages(world):
    org, scan_round = world["org"], world["round"]
    only_managers = {"manager": 200, "admin": 200, "other company's manager": 404, "employee": 404, "anonymous": 302}
    cases = [("GET", url, only_managers) for url in (
        f"/organisations/{org.id}/scan", f"/organisations/{org.id}/scan/new", f"/scan/rounds/{scan_round.id}",
        f"/scan/rounds/{scan_round.id}/codes", f"/scan/rounds/{scan_round.id}/results.csv",
        f"/scan/rounds/{scan_round.id}/delete")]
    refused = {"other company's manager": 404, "employee": 404, "anonymous": 302}
    cases += [("POST", f"/scan/rounds/{scan_round.id}/close", refused),
              ("POST", f"/scan/rounds/{scan_round.id}/delete", refused, {"confirm": "y"}),
              ("POST", f"/organisations/{org.id}/scan/new", refused, {"title": "x"})]
    assert_matrix(world["pages"], cases)
    assert db.session.scalar(sa.select(sa.func.count(ScanRound.id))) == 1
    # The organisation page shows the scan link by the same rule.
    for role, expected in (("manager", True), ("admin", True), ("employee", False)):
        html = world["pages"][role].get(f"/organisations/{org.id}").get_data(as_text=True)
        assert (f"/organisations/{org.id}/scan" in html) is expected, role


def test_permission_matrix_api(world):
    org, scan_round = world["org"], world["round"]
    only_managers = {"manager": 200, "admin": 200, "other company's manager": 404, "employee": 404, "anonymous": 401}
    refused = {"other company's manager": 404, "employee": 404, "anonymous": 401}
    assert_matrix(world["api"], [
        ("GET", f"/api/v1/organisations/{org.id}/scan-rounds", only_managers),
        ("GET", f"/api/v1/scan-rounds/{scan_round.id}", only_managers),
        ("GET", f"/api/v1/scan-rounds/{scan_round.id}/results", only_managers),
        ("GET", f"/api/v1/scan-rounds/{scan_round.id}/codes", only_managers),
        ("POST", f"/api/v1/organisations/{org.id}/scan-rounds", refused,
         {"title": "X", "opens_on": "2030-01-01", "closes_on": "2030-01-02"}),
        ("POST", f"/api/v1/scan-rounds/{scan_round.id}/close", refused),
        ("DELETE", f"/api/v1/scan-rounds/{scan_round.id}", refused),
        ("GET", "/api/v1/scan-rounds/99999/results", {"manager": 404, "admin": 404}),
        ("GET", f"/api/v1/scan-rounds/{2 ** 40}", {"manager": 404}),
    ])


def test_schools_have_no_scan(factories, make_client):
    admin = factories.admin()
    school = factories.organisation(kind="school", actor=admin)
    manager = factories.member(school, factories.user(), role="manager")
    assert make_client(manager).get(f"/organisations/{school.id}/scan").status_code == 404
    assert f"/organisations/{school.id}/scan" not in make_client(manager).get(
        f"/organisations/{school.id}").get_data(as_text=True)


def test_open_a_round_with_codes_then_close_and_delete(world):
    org, client = world["org"], world["pages"]["manager"]
    today = actions.today()
    response = client.submit(f"/organisations/{org.id}/scan/new", {
        "title": "Najaar 🙂 “ronde”", "opens_on": today.isoformat(), "closes_on": (today + timedelta(days=10)).isoformat(),
        "open_link": "y", "employee_codes": "12", "management_codes": "2"}, page=f"/organisations/{org.id}/scan/new")
    assert response.status_code == 302
    scan_round = db.session.scalar(sa.select(ScanRound).where(ScanRound.title == "Najaar 🙂 “ronde”"))
    assert len(scan_round.employee_token) >= 32 and scan_round.employee_token != scan_round.management_token
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert scan_round.employee_token in page and scan_round.management_token in page
    codes = client.get(f"/scan/rounds/{scan_round.id}/codes").get_data(as_text=True)
    stored = db.session.scalars(sa.select(ScanCode.code).where(ScanCode.round_id == scan_round.id)).all()
    assert len(stored) == 14 and all(actions.format_code(code) in codes for code in stored)

    scan_factories.respond(scan_round, [4] * 3)
    assert client.submit(f"/scan/rounds/{scan_round.id}/close", page=f"/scan/rounds/{scan_round.id}").status_code == 302
    again = client.submit(f"/scan/rounds/{scan_round.id}/close", page=f"/scan/rounds/{scan_round.id}")
    assert again.status_code == 302  # refused with a flash: already closed
    with pytest.raises(actions.ActionError):
        actions.submit_response(scan_round, "employee", scan_factories.answers())

    round_id = scan_round.id
    delete_url = f"/scan/rounds/{round_id}/delete"
    unconfirmed = client.submit(delete_url, {}, page=delete_url)
    assert unconfirmed.status_code == 400 and db.session.get(ScanRound, scan_round.id) is not None
    assert client.submit(delete_url, {"confirm": "y"}, page=delete_url).status_code == 302
    db.session.expunge_all()
    assert db.session.get(ScanRound, round_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanResponse).where(
        ScanResponse.round_id == round_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanCode).where(
        ScanCode.round_id == round_id)) == 0


@pytest.mark.parametrize("data, field_text", [
    ({"title": "", "opens_on": "2030-01-01", "closes_on": "2030-01-02"}, "verplicht"),
    ({"title": "Ronde <b>x</b>", "opens_on": "2030-02-01", "closes_on": "2030-01-02"}, "vóór de openingsdatum"),
    ({"title": "Ronde", "opens_on": "morgen", "closes_on": "2030-01-02"}, "Ronde"),
    ({"title": "Ronde", "opens_on": "2020-01-01", "closes_on": "2020-02-01"}, "in het verleden"),
    ({"title": "Ronde", "opens_on": "2030-01-01", "closes_on": "2032-01-01"}, "hoogstens een jaar"),
    ({"title": "Ronde", "opens_on": "2030-01-01", "closes_on": "2030-01-02", "employee_codes": "99999"}, "Ronde"),
    ({"title": "Ronde", "opens_on": "2030-01-01", "closes_on": "2030-01-02", "employee_codes": "-1"}, "Ronde"),
    ({"title": "Ronde", "opens_on": "2030-01-01", "closes_on": "2030-01-02", "employee_codes": "²"}, "Ronde"),
    ({"title": "Ronde", "opens_on": "2030-01-01", "closes_on": "2030-01-02"}, "minstens één"),  # no link, no codes
    ({"title": "ا" * 201, "opens_on": "2030-01-01", "closes_on": "2030-01-02", "open_link": "y"}, "ا" * 201),
    ({"title": "\u202e\u200b", "opens_on": "2030-01-01", "closes_on": "2030-01-02", "open_link": "y"}, "verplicht"),
])
def test_bad_round_input_keeps_the_text(world, data, field_text):
    org, client = world["org"], world["pages"]["manager"]
    url = f"/organisations/{org.id}/scan/new"
    response = client.submit(url, data, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:500]
    assert field_text in html
    assert "<b>x</b>" not in html
    assert db.session.scalar(sa.select(sa.func.count(ScanRound.id))) == 1


@pytest.mark.parametrize("body, status", [
    ({"title": "X", "opens_on": "2030-01-02", "closes_on": "2030-01-01"}, 422),
    ({"title": "X", "opens_on": "2030-13-01", "closes_on": "2030-01-01"}, 422),
    ({"title": "X", "opens_on": "2030-01-01"}, 422),
    ({"title": "X\u0000", "opens_on": "2030-01-01", "closes_on": "2030-01-02"}, 422),
    ({"title": "X" * 1000, "opens_on": "2030-01-01", "closes_on": "2030-01-02"}, 422),
    ({"title": "X", "opens_on": "2030-01-01", "closes_on": "2030-01-02", "employee_codes": 10 ** 30}, 422),
    ({"title": "X", "opens_on": "2030-01-01", "closes_on": "2030-01-02", "employee_codes": "5"}, 422),
    ({"title": ["X"], "opens_on": "2030-01-01", "closes_on": "2030-01-02"}, 422),
    ({"title": "X", "opens_on": "2030-01-01", "closes_on": "2030-01-02", "open_link": False}, 422),
])
def test_bad_api_input_is_a_json_4xx(world, body, status):
    response = world["api"]["manager"].post(f"/api/v1/organisations/{world['org'].id}/scan-rounds", json=body)
    assert_error(response, status)
    assert db.session.scalar(sa.select(sa.func.count(ScanRound.id))) == 1


def test_api_round_lifecycle_and_openapi(world):
    client, org = world["api"]["manager"], world["org"]
    created = client.post(f"/api/v1/organisations/{org.id}/scan-rounds", json={
        "title": "API-ronde", "opens_on": actions.today().isoformat(),
        "closes_on": (actions.today() + timedelta(days=5)).isoformat(), "employee_codes": 3})
    assert created.status_code == 201
    body = created.get_json()
    assert body["status"] == "open" and body["codes"]["employee"]["total"] == 3
    assert body["responses"] == {"employee": None, "management": None}
    codes = client.get(f"/api/v1/scan-rounds/{body['id']}/codes").get_json()["codes"]
    assert len(codes) == 3 and set(codes[0]) == {"code", "variant"}
    assert client.post(f"/api/v1/scan-rounds/{body['id']}/close").get_json()["status"] == "closed"
    assert_error(client.post(f"/api/v1/scan-rounds/{body['id']}/close"), 409)
    assert client.delete(f"/api/v1/scan-rounds/{body['id']}").status_code == 204
    assert client.get(f"/api/v1/scan-rounds/{body['id']}").status_code == 404
    assert_error(client.post(f"/api/v1/organisations/{org.id}/scan-rounds", data="{nope",
                             content_type="application/json"), 400)
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/organisations/{org_id}/scan-rounds", "/api/v1/scan-rounds/{round_id}",
            "/api/v1/scan-rounds/{round_id}/results", "/api/v1/scan-rounds/{round_id}/close"} <= set(paths)
    assert not any("response" in path for path in paths if "scan" in path)


def _queries(count_queries, client, url):
    client.get(url)  # warm up: the first call of a token also records when it was last used
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_query_counts_do_not_grow_with_rows(world, count_queries, factories):
    org, manager = world["org"], world["manager"]
    pages, tokens = world["pages"]["manager"], world["api"]["manager"]
    urls = [(pages, f"/organisations/{org.id}/scan"), (tokens, f"/api/v1/organisations/{org.id}/scan-rounds")]
    before = [_queries(count_queries, client, url) for client, url in urls]
    for n in range(4):
        scan_factories.closed_round(org, manager, employees=[2] * 6, title=f"Extra {n}")
    scan_factories.open_round(org, manager, employee_codes=5)
    assert [_queries(count_queries, client, url) for client, url in urls] == before

    # The result page: five or fifty respondents, with a previous round, the same queries.
    small = scan_factories.closed_round(org, manager, employees=[3] * 5, title="Klein")
    big = scan_factories.closed_round(org, manager, employees=[3] * 50, title="Groot")
    for url in ("/scan/rounds/{}", "/api/v1/scan-rounds/{}/results"):
        client = tokens if url.startswith("/api") else pages
        assert _queries(count_queries, client, url.format(small.id)) == _queries(count_queries, client,
                                                                                 url.format(big.id))
