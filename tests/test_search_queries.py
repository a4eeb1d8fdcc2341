"""What a search finds and in which order, on a small Dutch corpus (stemmed forms, accents,
phrases, typing), the filters, and hostile queries: a clear 400, never a 500, on either database."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.actions import trajectories as trajectory_actions
from community.extensions import db
from community.models import SearchEntry
from community.search import text
from tests.helpers import settings


@pytest.fixture
def corpus(factories):
    coordinator = factories.user("Coco Coördinator", kind="teacher")
    lassen = factories.community(name="Lassen", slug="lassen", coordinator=coordinator)
    zagen = factories.community(name="Zagen", slug="zagen", coordinator=coordinator)
    company, manager = factories.company_with_manager("Staal BV")
    anna, bert = factories.user("Anna Auteur"), factories.user("Bert Lasser")
    factories.member(company, anna)
    for person in (anna, bert, manager):
        factories.community_member(lassen, person)
        factories.community_member(zagen, person)
    items = dict(
        robot=factories.discussion(lassen, anna, "Lasrobot gezocht", "Wie heeft ervaring met een lasrobot?"),
        welded=factories.discussion(lassen, bert, "Dun plaatwerk", "Wij hebben vorige week aluminium gelast."),
        welding=factories.discussion(lassen, bert, "Handmatig", "Lassen met de hand blijft vakwerk."),
        coordinator=factories.discussion(zagen, bert, "Rooster", "De coördinator maakt het rooster."),
        phrase=factories.discussion(zagen, anna, "Onderhoud", "Preventief onderhoud van de zaagmachine loont."),
        reverse=factories.discussion(zagen, bert, "Machine", "De machine krijgt onderhoud, preventief gepland."),
        case=factories.case(lassen, anna, title="Storingsanalyse lasrobot", context="Een storing in de cel.",
                            tags="robot, storing", domain="Automatisering", organisation_id=company.id),
    )
    items["reply"] = factories.reply(items["robot"], bert, "Onze lasrobot draait al jaren zonder storingen.")
    trajectory = factories.trajectory(lassen, manager, company, title="Inwerken lassers", goal="Nieuwe lassers leren snel")
    trajectory_actions.add_milestone(manager, trajectory, title="Veiligheidsinstructie", description="Over **lasrook**")
    items["trajectory"] = trajectory
    return dict(items, anna=anna, bert=bert, company=company, lassen=lassen, zagen=zagen, reader=bert)


def _hits(api, user, query, **params):
    answer = api(user).get("/api/v1/search", query_string={"q": query, **params})
    assert answer.status_code == 200, answer.json
    return answer.json


def _titles(answer):
    return [item["title"] for item in answer["items"]]


def test_stemmed_forms_find_each_other(corpus, api):
    user = corpus["reader"]
    # "lassen", "las" and "gelast" share the stem "las"; "lasrobot" is found by its prefix while typing.
    assert set(_titles(_hits(api, user, "gelast "))) == {"Dun plaatwerk", "Handmatig"}
    assert set(_titles(_hits(api, user, "lassen "))) == {"Dun plaatwerk", "Handmatig"}
    assert set(_titles(_hits(api, user, "storing "))) >= {"Storingsanalyse lasrobot", "Lasrobot gezocht"}
    assert "Lasrobot gezocht" in _titles(_hits(api, user, "lasro"))  # the last word as a prefix
    assert _hits(api, user, "lasro ")["total"] == 0  # a finished word is a word


def test_accents_are_folded(corpus, api):
    for query in ("coordinator", "coördinator", "COÖRDINATOR"):
        assert _titles(_hits(api, corpus["reader"], query)) == ["Rooster"]


def test_a_phrase_needs_its_words_in_order(corpus, api):
    user = corpus["reader"]
    assert set(_titles(_hits(api, user, "preventief onderhoud"))) == {"Onderhoud", "Machine"}
    assert _titles(_hits(api, user, '"preventief onderhoud"')) == ["Onderhoud"]


def test_title_matches_rank_first_and_date_sorts_newest_first(corpus, api):
    user = corpus["reader"]
    ranked = _hits(api, user, "lasrobot ")
    assert ranked["items"][0]["kind"] in ("discussion", "case") and "asrobot" in ranked["items"][0]["title"]
    dated = _hits(api, user, "lasrobot ", sort="date")["items"]
    assert [item["created_at"] for item in dated] == sorted((item["created_at"] for item in dated), reverse=True)


def test_stop_words_alone_find_nothing(corpus, api):
    assert _hits(api, corpus["reader"], "de het een ")["total"] == 0


def test_each_hit_says_where_it_lives_with_a_safe_snippet(corpus, api, factories):
    factories.reply(corpus["robot"], corpus["anna"], "Pas op: <script>alert(1)</script> bij de lasrobot")
    items = _hits(api, corpus["reader"], "alert", kind="reply")["items"]
    assert len(items) == 1
    hit = items[0]
    assert hit["title"] == "Lasrobot gezocht" and hit["reply_number"] == 2 and hit["community"]["slug"] == "lassen"
    assert "<script>" not in hit["snippet_html"] and "&lt;script&gt;" in hit["snippet_html"]
    assert "<mark>alert</mark>" in hit["snippet_html"]
    assert hit["url"].endswith("#reply-2")


def test_filters(corpus, api):
    user = corpus["reader"]
    assert {i["kind"] for i in _hits(api, user, "lasrobot ", kind="reply")["items"]} == {"reply"}
    assert _hits(api, user, "onderhoud", community="lassen")["total"] == 0
    assert _hits(api, user, "onderhoud", community="zagen")["total"] == 2
    assert _hits(api, user, "onderhoud", community="bestaat-niet")["total"] == 0
    assert set(_titles(_hits(api, user, "lasrobot ", author=corpus["anna"].id))) == {
        "Lasrobot gezocht", "Storingsanalyse lasrobot"}
    # The organisation: its case and trajectory, and what its members wrote (Anna).
    by_company = _titles(_hits(api, user, "lasrobot ", organisation=corpus["company"].id))
    assert set(by_company) == {"Lasrobot gezocht", "Storingsanalyse lasrobot"}
    assert _titles(_hits(api, user, "lasrobot ", tag="robot")) == ["Storingsanalyse lasrobot"]
    assert _hits(api, user, "lasrobot ", tag="bestaat niet")["total"] == 0
    assert _hits(api, user, "lassers", kind="trajectory")["items"][0]["trajectory_id"] == corpus["trajectory"].id
    assert _hits(api, user, "lasrook", kind="trajectory")["total"] == 1  # a milestone's description
    assert _hits(api, user, "lasrobot ", kind="people")["total"] == 0  # people: GET /api/v1/people
    entry = db.session.scalar(sa.select(SearchEntry).where(SearchEntry.discussion_id == corpus["welded"].id))
    entry.created_at -= timedelta(days=60)  # written two months ago
    db.session.commit()
    assert _titles(_hits(api, user, "gelast", period="month")) == ["Handmatig"]
    assert set(_titles(_hits(api, user, "gelast", period="year"))) == {"Handmatig", "Dun plaatwerk"}


def test_pages_of_results(corpus, api, factories):
    for number in range(25):
        factories.reply(corpus["welded"], corpus["anna"], f"Aluminium antwoord {number}")
    first = _hits(api, corpus["reader"], "aluminium")
    assert first["total"] == 26 and first["pages"] == 2 and len(first["items"]) == 20
    second = _hits(api, corpus["reader"], "aluminium", page=2)
    assert len(second["items"]) == 6 and second["total"] == 26
    past = _hits(api, corpus["reader"], "aluminium", page=5)
    assert past["items"] == [] and past["total"] == 26


HOSTILE = [
    "lasrobot NEAR storing", "lasrobot AND storing", "lasrobot OR storing", "NOT lasrobot", "lasrob*", "*",
    '"lasrobot', '"', '""', "^lasrobot", "title:lasrobot", "body : x", "(lasrobot)", "{title}: x", "a & b", "a | b",
    "!x", "x:*", "'", "''", "\\", "x" * 10_000, "lasrobot\x00", "\x00", "\u202elasrobot", "\u200f\u200e",
    "ليزر", "לחם", "🔥" * 50, "-", "--", "- lasrobot", "%", "_", "'; DROP TABLE search_entries; --",
    "   ", "..", "\t\n", "lasrobot" + " x" * 30, "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_refused_or_find_nothing(corpus, api, make_client, query):
    user = corpus["reader"]
    answer = api(user).get("/api/v1/search", query_string={"q": query})
    assert answer.status_code in (200, 400, 422), answer.status_code
    if answer.status_code == 200:
        assert isinstance(answer.json["total"], int)
    else:
        assert answer.json["error"]["message"]
    page = make_client(user).get("/zoeken", query_string={"q": query})
    assert page.status_code in (200, 400)
    if page.status_code == 400 and "\x00" not in query:  # a NUL byte is refused before any page runs
        assert 'id="search-refused"' in page.get_data(as_text=True)


@pytest.mark.parametrize("query,code", [
    ("lasrobot NEAR storing", "syntax"), ("lasrob*", "syntax"), ('"lasrobot', "quotes"), ("x" * 201, "too_long"),
    ("a\x00", "control"), ("...", "no_words"), ("a b c d e f g h i j k l m", "too_many"),
])
def test_the_refusals_say_why(query, code):
    with pytest.raises(text.QueryRefused) as refused:
        text.parse(query)
    assert refused.value.code == code


def test_bad_filters_are_4xx_json(corpus, api):
    client = api(corpus["reader"])
    for params in ({"q": "x", "kind": "everything"}, {"q": "x", "sort": "best"}, {"q": "x", "page": "0"},
                   {"q": "x", "community": "a\x00b"}, {"q": "x", "author": "99999999999"}, {}):
        answer = client.get("/api/v1/search", query_string=params)
        assert answer.status_code in (400, 422) and answer.json["error"]["code"], params
    refused = client.get("/api/v1/search", query_string={"q": "a AND b"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "query_refused"
    assert refused.json["error"]["field"] == "q"
    with_nul = client.get("/api/v1/search", query_string={"q": "lasrobot", "tag": "x\x00"})
    assert with_nul.status_code == 400 and with_nul.json["error"]["code"]  # refused before any handler runs


def test_searching_is_rate_limited_per_user(app, corpus, api, make_client):
    with settings(app, SEARCH_LIMIT_PER_USER="3 per minute"):
        client = api(corpus["reader"])
        page = make_client(corpus["reader"])
        assert [client.get("/api/v1/search?q=lasrobot").status_code for _ in range(2)] == [200, 200]
        assert page.get("/zoeken?q=lasrobot").status_code == 200  # the page and the API share the limit
        limited = client.get("/api/v1/search?q=lasrobot")
        assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
        assert page.get("/zoeken?q=lasrobot").status_code == 429
        assert api(corpus["anna"]).get("/api/v1/search?q=lasrobot").status_code == 200  # per user


def test_the_page_without_a_query_and_with_nothing_found(corpus, make_client):
    client = make_client(corpus["reader"])
    empty = client.get("/zoeken").get_data(as_text=True)
    assert "Zoek in discussies" in empty
    none = client.get("/zoeken?q=zeppelin").get_data(as_text=True)
    assert "Niets gevonden voor “zeppelin”" in none
    # People: the @mention search (names, never addresses); nobody for letters no name starts with.
    anna = corpus["anna"]
    people = client.get(f"/zoeken?q={anna.display_name.split()[0]}&kind=people").get_data(as_text=True)
    assert f'href="/people/{anna.handle}"' in people and anna.email not in people
    assert "Niemand gevonden" in client.get("/zoeken?q=zeppelin&kind=people").get_data(as_text=True)
    found = client.get("/zoeken?q=lasrobot").get_data(as_text=True)
    assert "resultaten" in found and "<mark>" in found and "Reactie #1" in found
    assert 'id="header-search"' in found


def test_openapi_lists_the_search(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "q", "kind", "community", "author", "organisation", "period", "tag", "sort", "page"}
    assert {"200", "400", "401", "422", "429"} <= set(operation["responses"])
