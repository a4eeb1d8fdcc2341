"""Search and permissions: a unique canary word in each private place; every role finds it by
the page /zoeken and by GET /api/v1/search exactly where the item's own page shows it, and the
totals count only that (a shared word in every place: the count never leaks)."""
import pytest
import sqlalchemy as sa

from community.actions import discussions as discussion_actions, moderation as moderation_actions
from community.actions import trajectories as trajectory_actions
from community.extensions import db
from community.models import Community
from community.search import query as search_query

SHARED = "vogelkooi"  # in every place: the count of hits for it is the count of places one may read


@pytest.fixture
def world(factories):
    admin = factories.admin(name="Platform Admin")
    coordinator = factories.user("Coco Coördinator", kind="teacher")
    public = factories.community(name="Open kring", slug="open-kring", coordinator=coordinator, actor=admin)
    private = factories.community(name="Besloten kring", slug="besloten-kring", visibility="private",
                                  join_policy="invite", coordinator=coordinator, actor=admin)
    company_a, owner = factories.company_with_manager("Metaal A", actor=admin)
    company_b, other_manager = factories.company_with_manager("Metaal B", actor=admin)
    member, banned, outsider = factories.user("Mia Lid"), factories.user("Bram Verbannen"), factories.user("Otto Buiten")
    participant = factories.member(company_a, factories.user("Pim Deelnemer"))
    for person in (member, banned, other_manager, participant, owner):
        factories.community_member(public, person)
    for person in (member, banned, other_manager):
        factories.community_member(private, person, by=coordinator)

    places = {}

    def place(word, url, item=None):
        places[word] = url
        return item

    d = factories.discussion(public, member, "Openbare vraag", f"kanariepubliek {SHARED}")
    place("kanariepubliek", f"/d/{d.id}")
    hidden = factories.discussion(public, member, "Weggestopte vraag", f"kanarieverborgen {SHARED}")
    moderation_actions.hide(coordinator, "discussion", hidden, "Niet hier")
    place("kanarieverborgen", f"/d/{hidden.id}")
    hidden_reply = factories.reply(d, member, f"kanarieverborgenreactie {SHARED}")
    moderation_actions.hide(coordinator, "reply", hidden_reply, "Niet hier")
    place("kanarieverborgenreactie", f"/d/{d.id}")
    removed = factories.reply(d, member, f"kanarieweg {SHARED}")
    discussion_actions.remove_reply(member, removed)
    place("kanarieweg", f"/d/{d.id}")
    draft = factories.case(public, member, title="Halve casus", publish=False, context=f"kanarieconcept {SHARED}")
    place("kanarieconcept", f"/cases/{draft.id}")
    case = factories.case(public, member, title="Hele casus", context=f"kanariecasus {SHARED}", tags="robot")
    place("kanariecasus", f"/cases/{case.id}")
    secret = factories.discussion(private, member, "Binnenskamers", f"kanarieprive {SHARED}")
    place("kanarieprive", f"/d/{secret.id}")
    factories.reply(secret, member, f"kanariereactie {SHARED}")
    place("kanariereactie", f"/d/{secret.id}")
    confidential = factories.trajectory(public, owner, company_a, title="Vertrouwelijk traject",
                                        visibility="confidential", participants=[(participant, "employee")],
                                        goal=f"kanarievertrouwelijk {SHARED}")
    trajectory_actions.add_entry_to_log(participant, confidential, f"kanarielogboek {SHARED}", "reflection",
                                        "applied")
    place("kanarievertrouwelijk", f"/t/{confidential.id}")
    place("kanarielogboek", f"/t/{confidential.id}")
    factories.community_member(private, owner, by=coordinator)
    in_private = factories.trajectory(private, owner, company_a, title="Kringtraject", goal=f"kanariekring {SHARED}")
    place("kanariekring", f"/t/{in_private.id}")
    moderation_actions.ban(coordinator, private, banned, "Ongewenst")
    users = dict(admin=admin, coordinator=coordinator, member=member, banned=banned, outsider=outsider,
                 other_manager=other_manager, participant=participant, owner=owner)
    return users, places


def _page_shows(client, url, word):
    response = client.get(url)
    return response.status_code == 200 and word in response.get_data(as_text=True)


def test_search_finds_a_canary_exactly_where_its_page_shows_it(world, make_client, api):
    users, places = world
    mismatches = []
    for role, user in users.items():
        browser, token_client = make_client(user), api(user)
        shown = {word for word, url in places.items() if _page_shows(browser, url, word)}
        for word in places:
            page = browser.get(f"/zoeken?q={word}")
            assert page.status_code == 200
            found_page = word in page.get_data(as_text=True).split("search-results", 1)[-1] \
                if "search-results" in page.get_data(as_text=True) else False
            answer = token_client.get(f"/api/v1/search?q={word}")
            assert answer.status_code == 200
            found_api = answer.json["total"] > 0
            if found_page != (word in shown) or found_api != (word in shown):
                mismatches.append(f"{role} {word}: page shows {word in shown}, search page {found_page}, "
                                  f"API {found_api}")
        total = token_client.get(f"/api/v1/search?q={SHARED}").json["total"]
        # The learning log is part of its trajectory's hit: one item, two words.
        items = {"kanarievertrouwelijk" if word == "kanarielogboek" else word for word in shown}
        if total != len(items):
            mismatches.append(f"{role}: {total} hits for the shared word, may read {len(shown)} places")
    assert not mismatches, "\n".join(mismatches)


def test_the_expected_places_per_role(world, api):
    """The matrix spelled out (so a page rule changing does not silently change the search)."""
    users, places = world

    def found(role):
        answer = api(users[role]).get(f"/api/v1/search?q={SHARED}").json
        return {word for word in places for item in answer["items"] if word in item["snippet_html"]}

    public = {"kanariepubliek", "kanariecasus"}
    private = {"kanarieprive", "kanariereactie", "kanariekring"}
    confidential = {"kanarievertrouwelijk", "kanarielogboek"}
    assert found("outsider") == public
    assert found("banned") == public  # banned from the private community only
    assert found("member") == public | private | {"kanarieverborgen", "kanarieverborgenreactie", "kanarieconcept"}
    assert found("other_manager") == public | private
    assert found("participant") == public | confidential
    assert found("owner") == public | private | confidential
    assert found("coordinator") == public | private | {"kanarieverborgen", "kanarieverborgenreactie"}
    assert found("admin") == public | private | confidential | {"kanarieverborgen", "kanarieverborgenreactie"}


def test_anonymous_visitors_cannot_search(world, make_client, api):
    assert make_client().get("/zoeken?q=kanariepubliek").status_code == 302
    assert api().get("/api/v1/search?q=kanariepubliek").status_code == 401


def test_a_ban_in_a_public_community_hides_its_content_from_search(world, factories, api):
    users, _places = world
    public = db.session.scalar(sa.select(Community).where(Community.slug == "open-kring"))
    assert api(users["outsider"]).get("/api/v1/search?q=kanariepubliek").json["total"] == 1
    moderation_actions.ban(users["coordinator"], public, users["member"], "Ongewenst")
    assert api(users["member"]).get("/api/v1/search?q=kanariepubliek").json["total"] == 0


def test_readers_share_the_built_statements_and_each_gets_their_own_results(world, api, monkeypatch):
    """The statements are built once per shape (query._statements); the reader is a bind
    parameter: readers with other rights, one after the other, each find only their own places."""
    users, places = world
    built = {}
    monkeypatch.setattr(search_query, "_BUILT", built)

    def found(role):
        answer = api(users[role]).get(f"/api/v1/search?q={SHARED}").json
        return {word for word in places for item in answer["items"] if word in item["snippet_html"]}

    public = {"kanariepubliek", "kanariecasus"}
    member = public | {"kanarieprive", "kanariereactie", "kanariekring", "kanarieverborgen", "kanarieverborgenreactie",
                       "kanarieconcept"}
    assert found("member") == member
    assert found("outsider") == public
    assert found("banned") == public
    assert found("member") == member
    assert len(built) == 1  # one shape for readers who are not admins
    assert found("admin") >= {"kanarievertrouwelijk", "kanarieverborgen"}
    assert len(built) == 2
    assert found("outsider") == public
