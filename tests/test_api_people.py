"""GET /api/v1/people: the @mention autocomplete's look-up. Status codes, JSON errors, the
place's readers only, a place one may not read is 404, and the rate limit."""
import pytest

from tests import worlds
from tests.helpers import assert_error, settings


@pytest.fixture
def world(factories):
    world = worlds.circles()
    world.org = factories.organisation(name="Metaal Oost", actor=world.admin)
    factories.member(world.org, world.member)
    world.discussion = factories.discussion(world.private, world.author, title="Lasrobot")
    return world


def test_finds_people_with_their_organisation(api, world):
    response = api(world.author).get("/api/v1/people?q=piet")
    assert response.status_code == 200
    assert response.get_json() == {"items": [{
        "id": world.member.id, "name": "Piet Lid", "handle": world.member.handle, "organisation": "Metaal Oost",
        "initials": "PL", "url": "/people/" + world.member.handle}]}


def test_no_email_addresses(api, world):
    body = api(world.author).get("/api/v1/people?q=" + world.member.email[:4]).get_data(as_text=True)
    assert "@example.com" not in body
    body = api(world.author).get("/api/v1/people?q=p").get_data(as_text=True)
    assert "@example.com" not in body and "email" not in body


def test_place_limits_to_its_readers(api, world):
    client = api(world.author)

    def names(url):
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["name"] for item in response.get_json()["items"]]

    assert names("/api/v1/people?q=buiten") == ["Buiten Staander"]
    assert names(f"/api/v1/people?q=buiten&place=community:{world.public.id}") == ["Buiten Staander"]
    assert names(f"/api/v1/people?q=buiten&place=community:{world.private.id}") == []
    assert names(f"/api/v1/people?q=buiten&place=discussion:{world.discussion.id}") == []
    assert names(f"/api/v1/people?q=piet&place=discussion:{world.discussion.id}") == ["Piet Lid"]


@pytest.mark.parametrize("place", ["community:{private}", "discussion:{discussion}", "discussion:999999",
                                   "case:1", "trajectory:1", "community:0", "discussion:9999999999"])
def test_a_place_one_may_not_read_is_404(api, world, place):
    url = "/api/v1/people?q=piet&place=" + place.format(private=world.private.id, discussion=world.discussion.id)
    assert_error(api(world.outsider).get(url), 404, "not_found")


@pytest.mark.parametrize("query", [
    "", "q=", "q=" + "x" * 101, "q=piet&place=discussion", "q=piet&place=discussion:", "q=piet&place=nope:1",
    "q=piet&place=discussion:abc", "q=piet&place=discussion:-1", "q=piet&place=discussion:%D9%A1",
    "q=piet&place=discussion:12345678901", "q=piet&limit=0", "q=piet&limit=21", "q=piet&limit=x",
    "q=piet&place=:", "q=piet&place=community:1:2",
])
def test_bad_input_is_422_json(api, world, query):
    response = api(world.author).get("/api/v1/people?" + query)
    assert_error(response, 422, "invalid")


@pytest.mark.parametrize("q", ['"', "*", "piet*", "NEAR(piet lid)", "piet OR lid", "'; DROP TABLE users; --",
                               "\u202epiet", "\u05e9\u05dc\u05d5\u05dd", "%%", "\\", "x" * 100, "@", "😀"])
def test_hostile_queries_are_plain_text(api, world, q):
    response = api(world.author).get("/api/v1/people", query_string={"q": q})
    assert response.status_code == 200 and response.get_json()["items"] == []


def test_nul_is_refused_before_the_handler(api, world):
    assert_error(api(world.author).get("/api/v1/people?q=a%00b"), 400, "bad_request")


def test_login_required(api, world):
    assert_error(api().get("/api/v1/people?q=piet"), 401, "unauthorized")


def test_browser_session_works(make_client, world):
    response = make_client(world.author).get("/api/v1/people?q=piet")
    assert response.status_code == 200 and len(response.get_json()["items"]) == 1


def test_rate_limited_per_user(app, api, world):
    author, member = api(world.author), api(world.member)
    with settings(app, PEOPLE_SEARCH_LIMIT="3 per minute"):
        for _ in range(3):
            assert author.get("/api/v1/people?q=piet").status_code == 200
        assert_error(author.get("/api/v1/people?q=piet"), 429, "rate_limited")
        # Another account has its own allowance.
        assert member.get("/api/v1/people?q=sanne").status_code == 200


def test_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/people"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "place", "limit"}
    assert {"200", "401", "404", "422", "429"} <= set(operation["responses"])
