"""The communities JSON API (/api/v1/communities, /api/v1/invitations): a role × endpoint
permission matrix for public, private and unlisted communities, the rules the actions enforce as
they reach API clients, fixed query counts, input that must never cause a 500, and the OpenAPI
document. State is built through the real actions only."""
import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from community.actions import communities as actions
from community.extensions import db
from community.models import Community, Invitation, utcnow
from tests import worlds
from tests.helpers import assert_error, assert_matrix, counted_get, membership_of

ROLES = ("anonymous", "outsider", "pending", "member", "coordinator", "other_coordinator", "admin")
KINDS = {
    "public": dict(visibility="public", unlisted=False),
    "private": dict(visibility="private", unlisted=False),
    "unlisted": dict(visibility="private", unlisted=True),
}


def community(admin, name, **fields):
    fields.setdefault("join_policy", "open")
    return actions.create_community(admin, name=name, **fields)


# --- the permission matrix ----------------------------------------------------------------------

def build_world(factories, api, kind):
    """One community of the given kind (join policy "request", so someone can be pending) with a
    user in every role, plus spare people for the endpoints that act on someone else."""
    admin = factories.admin(name="Platform Admin")
    people = {role: factories.user(name=role.replace("_", " ").title()) for role in ROLES[1:-1]}
    target = actions.create_community(admin, name="Lasautomatisering", slug="lassen",
                                      visibility=KINDS[kind]["visibility"], join_policy="request",
                                      coordinator=people["coordinator"])
    community(admin, "Andere kring", slug="andere-kring", coordinator=people["other_coordinator"])
    coordinator = people["coordinator"]

    def asks(name):
        who = factories.user(name=name)
        return actions.request_to_join(who, target, "Graag!")

    def joined(name):
        membership = asks(name)
        actions.decide_request(coordinator, membership, approve=True)
        return membership

    actions.request_to_join(people["pending"], target, "Mag ik erbij?")
    member = actions.request_to_join(people["member"], target)
    actions.decide_request(coordinator, member, approve=True)
    world = SimpleNamespace(
        kind=kind, slug=target.slug, member_id=member.id,
        approve_c=asks("Aanvraag C").id, approve_a=asks("Aanvraag A").id,
        decline_c=asks("Afwijzing C").id, decline_a=asks("Afwijzing A").id,
        remove_c=joined("Vertrekt C").id, remove_a=joined("Vertrekt A").id,
        invitee=factories.user(name="Genodigde").id,
        invitation=actions.create_invite_link(coordinator, target, days=7)[0].id,
    )
    if KINDS[kind]["unlisted"]:
        # Made unlisted after the requests: hiding it does not undo them.
        actions.update_community(admin, target, name=target.name, visibility="private", unlisted=True,
                                 join_policy="request")
    world.clients = worlds.clients(api, {"admin": admin, **people})
    return world


def readers(kind):
    return {"member", "coordinator", "admin"} | ({"outsider", "pending", "other_coordinator"}
                                                 if kind == "public" else set())


def listers(kind):
    return readers(kind) | ({"outsider", "pending", "other_coordinator"} if kind != "unlisted" else {"pending"})


def read(kind, ok=200):
    return {role: 401 if role == "anonymous" else ok if role in readers(kind) else 404 for role in ROLES}


def manage(kind, ok=200, only=None):
    """Coordinator endpoints: 404 for who cannot read the community, 403 for readers who do not
    run it. only: check just these roles (for endpoints where the first success uses up the target)."""
    expected = {}
    for role in ROLES:
        if role == "anonymous":
            expected[role] = 401
        elif role in ("coordinator", "admin"):
            expected[role] = ok
        else:
            expected[role] = 403 if role in readers(kind) else 404
    return {role: status for role, status in expected.items() if only is None or role in only}


def everyone_but(role):
    return [r for r in ROLES if r != role]


@pytest.mark.parametrize("kind", KINDS)
def test_permission_matrix(factories, api, kind):
    world = build_world(factories, api, kind)
    c = f"/api/v1/communities/{world.slug}"
    listing = {role: 401 if role == "anonymous" else 403 if role in listers(kind) else 404 for role in ROLES}
    assert_matrix(world.clients, [
        ("GET", "/api/v1/communities", {role: 401 if role == "anonymous" else 200 for role in ROLES}),
        ("GET", c, read(kind)),
        ("PATCH", c, manage(kind), {"topic": "Lassen"}),
        ("GET", f"{c}/members", read(kind)),
        ("GET", f"{c}/feed", read(kind)),
        ("GET", f"{c}/requests", manage(kind)),
        ("POST", f"{c}/requests/{world.approve_c}/approve", manage(kind, only=everyone_but("admin"))),
        ("POST", f"{c}/requests/{world.approve_a}/approve", manage(kind, only=["admin"])),
        ("POST", f"{c}/requests/{world.decline_c}/decline", manage(kind, 204, only=everyone_but("admin"))),
        ("POST", f"{c}/requests/{world.decline_a}/decline", manage(kind, 204, only=["admin"])),
        ("PUT", f"{c}/members/{world.member_id}/role", manage(kind), {"role": "member"}),
        ("DELETE", f"{c}/members/{world.remove_c}", manage(kind, 204, only=everyone_but("admin"))),
        ("DELETE", f"{c}/members/{world.remove_a}", manage(kind, 204, only=["admin"])),
        ("GET", f"{c}/invitations", manage(kind)),
        ("POST", f"{c}/invitations", manage(kind, 201), {"days": 7}),
        ("DELETE", f"{c}/invitations/{world.invitation}", manage(kind, 204)),
        ("POST", f"{c}/invitations/users", manage(kind, 201), {"user_id": world.invitee}),
        # Join policy "request": joining outright is refused (403) to whoever may see the
        # community at all, and is a conflict (409) for members.
        ("POST", f"{c}/join", {**listing, "member": 409, "coordinator": 409}),
        ("POST", "/api/v1/invitations/accept", {"anonymous": 401}, {"token": "x" * 32}),
    ])


@pytest.mark.parametrize("kind", KINDS)
def test_permission_matrix_asking_to_join(factories, api, kind):
    world = build_world(factories, api, kind)
    outsiders = 201 if kind != "unlisted" else 404
    assert_matrix(world.clients, [(
        "POST", f"/api/v1/communities/{world.slug}/requests",
        {"anonymous": 401, "outsider": outsiders, "other_coordinator": outsiders, "pending": 409, "member": 409,
         "coordinator": 409, "admin": 201},
        {"message": "Ik wil graag meedoen."},
    )])


@pytest.mark.parametrize("kind", KINDS)
def test_permission_matrix_leaving(factories, api, kind):
    world = build_world(factories, api, kind)
    not_in = 409 if kind != "unlisted" else 404
    assert_matrix(world.clients, [(
        "POST", f"/api/v1/communities/{world.slug}/leave",
        # The coordinator is the last one; the admin is no member.
        {"anonymous": 401, "outsider": not_in, "other_coordinator": not_in, "pending": 204, "member": 204,
         "coordinator": 409, "admin": 409},
    )])


# --- the list and one community ---------------------------------------------------------------

@pytest.fixture
def landscape(factories):
    admin = factories.admin()
    coordinator = factories.user(name="Coco Coördinator")
    viewer = factories.user(name="Vera Viewer")
    public = community(admin, "Smart Maintenance", slug="smart", description="Over **onderhoud**", sector="Onderhoud",
                       topic="Sensoren", coordinator=coordinator)
    private = community(admin, "Besloten Lassers", slug="besloten", visibility="private", join_policy="request",
                        description="Alleen voor *lassers*", sector="Metaal", coordinator=coordinator)
    hidden = community(admin, "Directieoverleg", slug="directie", visibility="private", unlisted=True,
                       join_policy="invite", description="Geheim", coordinator=coordinator)
    asked = community(admin, "Hybride leren", slug="hybride", visibility="private", join_policy="invite",
                      unlisted=True, coordinator=coordinator)
    actions.join(viewer, public)
    actions.invite_user(coordinator, asked, viewer)
    for n in range(3):
        actions.join(factories.user(), public)
    return SimpleNamespace(admin=admin, coordinator=coordinator, viewer=viewer, public=public, private=private,
                           hidden=hidden, invited=asked)


def test_list_shows_what_the_caller_may_find(landscape, api):
    body = api(landscape.viewer).get("/api/v1/communities").get_json()
    items = {item["slug"]: item for item in body["items"]}
    assert set(items) == {"smart", "besloten", "hybride"}  # not the unlisted one they have no part in
    assert body["total"] == 3 and body["page"] == 1 and body["pages"] == 1
    assert items["smart"]["member_count"] == 5 and items["smart"]["my_state"] == "active"
    assert items["smart"]["my_role"] == "member"
    assert items["smart"]["description_html"] == "<p>Over <strong>onderhoud</strong></p>\n"
    # An outsider of a private, listed community sees its name and blurb, as the list page does.
    assert items["besloten"]["description_html"] == "<p>Alleen voor <em>lassers</em></p>\n"
    assert items["besloten"]["my_state"] is None and items["besloten"]["my_role"] is None
    assert items["hybride"]["my_state"] == "invited"
    assert set(items["besloten"]) == {"id", "slug", "name", "description_html", "visibility", "unlisted",
                                      "join_policy", "archived", "sector", "topic", "member_count", "my_state",
                                      "my_role"}
    admin_items = api(landscape.admin).get("/api/v1/communities").get_json()["items"]
    assert {item["slug"] for item in admin_items} == {"smart", "besloten", "directie", "hybride"}


@pytest.mark.parametrize("query, expected", [
    ("q=lass", {"besloten"}),
    ("q=ONDERHOUD", {"smart"}),
    ("q=%25", set()),  # a LIKE wildcard is searched for, not used
    ("sector=Metaal", {"besloten"}),
    ("topic=Sensoren", {"smart"}),
    ("sector=Metaal&topic=Sensoren", set()),
    ("q=geheim", set()),  # the unlisted community stays hidden from search too
])
def test_list_filters(landscape, api, query, expected):
    response = api(landscape.viewer).get("/api/v1/communities?" + query)
    assert {item["slug"] for item in response.get_json()["items"]} == expected


def test_list_pages_by_fifty(factories, api):
    admin = factories.admin()
    for n in range(53):
        community(admin, f"Kring {n:02d}")
    client = api(factories.user())
    first = client.get("/api/v1/communities").get_json()
    second = client.get("/api/v1/communities?page=2").get_json()
    assert (len(first["items"]), len(second["items"]), first["pages"], first["total"]) == (50, 3, 2, 53)
    assert [i["name"] for i in first["items"]][:2] == ["Kring 00", "Kring 01"]
    assert second["items"][-1]["name"] == "Kring 52"
    assert client.get("/api/v1/communities?page=3").get_json()["items"] == []


def test_one_community(landscape, api):
    body = api(landscape.viewer).get("/api/v1/communities/smart").get_json()
    assert body["name"] == "Smart Maintenance" and body["description"] == "Over **onderhoud**"
    assert body["coordinators"] == [{"id": landscape.coordinator.id, "display_name": "Coco Coördinator"}]
    assert body["my_state"] == "active" and body["member_count"] == 5
    # A private community does not exist for outsiders, even when listed.
    assert_error(api(landscape.viewer).get("/api/v1/communities/besloten"), 404, "not_found")
    assert_error(api(landscape.viewer).get("/api/v1/communities/bestaat-niet"), 404, "not_found")


# --- creating and changing ------------------------------------------------------------------------

def test_admin_creates_a_community_with_a_coordinator(factories, api):
    admin, teacher = factories.admin(), factories.user(name="Docent Dirk", kind="teacher")
    response = api(admin).post("/api/v1/communities", json={
        "name": "  Cobots in de werkplaats ", "description": "Wat **werkt**?", "visibility": "private",
        "unlisted": True, "join_policy": "invite", "sector": "Metaal", "topic": "Cobots",
        "coordinator_id": teacher.id})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["slug"] == "cobots-in-de-werkplaats" and body["name"] == "Cobots in de werkplaats"
    assert body["description_html"] == "<p>Wat <strong>werkt</strong>?</p>\n"
    assert (body["visibility"], body["unlisted"], body["join_policy"]) == ("private", True, "invite")
    assert body["coordinators"] == [{"id": teacher.id, "display_name": "Docent Dirk"}]
    assert body["my_state"] is None  # the admin appointed someone else
    assert api(teacher).get("/api/v1/communities/cobots-in-de-werkplaats").get_json()["my_role"] == "coordinator"


def test_creating_needs_an_admin(factories, api):
    assert_error(api(factories.user()).post("/api/v1/communities", json={"name": "Mijn kring"}), 403, "forbidden")
    assert db.session.scalar(sa.select(sa.func.count(Community.id))) == 0


def test_duplicate_slug_is_409_with_field(factories, api):
    admin = factories.admin()
    community(admin, "Eerste", slug="smart-maintenance")
    client = api(admin)
    assert_error(client.post("/api/v1/communities", json={"name": "Tweede", "slug": "smart-maintenance"}),
                 409, "conflict", "slug")
    second = community(admin, "Tweede")
    assert_error(client.patch(f"/api/v1/communities/{second.slug}", json={"slug": "smart-maintenance"}),
                 409, "conflict", "slug")
    # Without a slug, one is made from the name, unique.
    assert client.post("/api/v1/communities", json={"name": "Tweede"}).get_json()["slug"] == "tweede-2"


@pytest.mark.parametrize("body, field", [
    ({"name": "   "}, "name"),
    ({"name": "\u200b\u200b"}, "name"),
    ({"name": "Goed", "slug": "Hoofd Letters"}, "slug"),
    ({"name": "Goed", "slug": "ab"}, "slug"),
    ({"name": "Goed", "description": "x" * 5001}, "description"),
    ({"name": "Goed", "coordinator_id": 999999}, "coordinator_id"),
])
def test_create_refusals_name_the_field(factories, api, body, field):
    assert_error(api(factories.admin()).post("/api/v1/communities", json=body), 422, "invalid", field)


def test_coordinator_edits_only_what_is_sent(factories, api):
    admin, coordinator = factories.admin(), factories.user()
    target = community(admin, "Lassen", slug="lassen", description="Oud", sector="Metaal", topic="Robots",
                       visibility="private", unlisted=True, join_policy="request", coordinator=coordinator)
    client = api(coordinator)
    body = client.patch("/api/v1/communities/lassen", json={"description": "# Nieuw"}).get_json()
    assert body["description_html"] == "<h1>Nieuw</h1>\n"
    assert (body["name"], body["sector"], body["topic"], body["unlisted"], body["join_policy"]) == (
        "Lassen", "Metaal", "Robots", True, "request")
    body = client.patch("/api/v1/communities/lassen", json={"slug": "lassen-oost", "name": "Lassen Oost"}).get_json()
    assert (body["slug"], body["name"]) == ("lassen-oost", "Lassen Oost")
    assert client.get("/api/v1/communities/lassen").status_code == 404
    # Public communities cannot hide from the list.
    body = client.patch("/api/v1/communities/lassen-oost", json={"visibility": "public"}).get_json()
    assert body["unlisted"] is False
    db.session.refresh(target)
    assert target.slug == "lassen-oost" and target.description == "# Nieuw"


def test_archiving_stops_joining(factories, api):
    admin, coordinator, newcomer = factories.admin(), factories.user(), factories.user()
    archive = community(admin, "Archief", slug="archief", coordinator=coordinator)
    token = actions.create_invite_link(coordinator, archive, days=3)[1]
    assert api(coordinator).patch("/api/v1/communities/archief", json={"archived": True}).get_json()["archived"]
    client = api(newcomer)
    assert client.get("/api/v1/communities/archief").status_code == 200  # still readable
    assert_error(client.post("/api/v1/communities/archief/join"), 409, "archived")
    assert_error(client.post("/api/v1/invitations/accept", json={"token": token}), 409, "archived")
    assert_error(api(coordinator).post("/api/v1/communities/archief/invitations", json={"days": 3}), 409, "archived")
    feed = client.get("/api/v1/communities/archief/feed").get_json()["items"]
    assert feed[0]["kind"] == "community_archived"
    assert api(coordinator).patch("/api/v1/communities/archief", json={"archived": False}).status_code == 200
    assert client.post("/api/v1/communities/archief/join").get_json()["my_state"] == "active"


# --- membership ---------------------------------------------------------------------------------

def test_join_and_leave_an_open_community(factories, api):
    admin, newcomer = factories.admin(), factories.user()
    community(admin, "Open kring", slug="open")
    client = api(newcomer)
    body = client.post("/api/v1/communities/open/join").get_json()
    assert (body["my_state"], body["my_role"], body["member_count"]) == ("active", "member", 2)
    assert_error(client.post("/api/v1/communities/open/join"), 409, "conflict")
    assert client.post("/api/v1/communities/open/leave").status_code == 204
    assert_error(client.post("/api/v1/communities/open/leave"), 409, "conflict")


def test_requests_to_join(factories, api):
    admin, coordinator = factories.admin(), factories.user()
    asker, declined = factories.user(name="Anna Aanvraag"), factories.user()
    community(admin, "Op aanvraag", slug="aanvraag", visibility="private", join_policy="request",
              coordinator=coordinator)
    response = api(asker).post("/api/v1/communities/aanvraag/requests", json={"message": " Ik las  dagelijks. "})
    assert response.status_code == 201 and response.get_json()["my_state"] == "pending"
    assert api(asker).get("/api/v1/communities/aanvraag").status_code == 404  # not in yet
    api(declined).post("/api/v1/communities/aanvraag/requests")  # no body: no message
    coordinating = api(coordinator)
    items = coordinating.get("/api/v1/communities/aanvraag/requests").get_json()["items"]
    assert [(i["user"]["display_name"], i["message"], i["state"]) for i in items] == [
        ("Anna Aanvraag", "Ik las  dagelijks.", "pending"), (declined.display_name, "", "pending")]
    first, second = items[0]["membership_id"], items[1]["membership_id"]
    body = coordinating.post(f"/api/v1/communities/aanvraag/requests/{first}/approve").get_json()
    assert (body["state"], body["user"]["id"]) == ("active", asker.id)
    assert_error(coordinating.post(f"/api/v1/communities/aanvraag/requests/{first}/approve"), 409, "conflict")
    assert coordinating.post(f"/api/v1/communities/aanvraag/requests/{second}/decline").status_code == 204
    assert membership_of(declined, db.session.scalar(sa.select(Community))) is None
    assert_error(coordinating.post(f"/api/v1/communities/aanvraag/requests/{second}/decline"), 404)
    assert api(asker).get("/api/v1/communities/aanvraag").get_json()["my_state"] == "active"


def test_request_message_is_limited(factories, api):
    admin = factories.admin()
    community(admin, "Op aanvraag", slug="aanvraag", join_policy="request")
    assert_error(api(factories.user()).post("/api/v1/communities/aanvraag/requests", json={"message": "x" * 501}),
                 422, "invalid", "message")


def test_open_community_takes_no_requests_and_invite_only_no_joins(factories, api):
    admin = factories.admin()
    community(admin, "Open", slug="open")
    community(admin, "Uitnodiging", slug="uitnodiging", join_policy="invite")
    client = api(factories.user())
    assert_error(client.post("/api/v1/communities/open/requests"), 403, "forbidden")
    assert_error(client.post("/api/v1/communities/uitnodiging/join"), 403, "forbidden")


def test_the_last_coordinator_stays(factories, api):
    admin, coordinator, helper = factories.admin(), factories.user(), factories.user()
    target = community(admin, "Kring", slug="kring", coordinator=coordinator)
    actions.join(helper, target)
    own = membership_of(coordinator, target).id
    helper_id = membership_of(helper, target).id
    client = api(coordinator)
    assert_error(client.put(f"/api/v1/communities/kring/members/{own}/role", json={"role": "member"}),
                 409, "last_coordinator")
    assert_error(client.delete(f"/api/v1/communities/kring/members/{own}"), 409, "last_coordinator")
    assert_error(client.post("/api/v1/communities/kring/leave"), 409, "last_coordinator")
    assert_error(api(admin).put(f"/api/v1/communities/kring/members/{own}/role", json={"role": "member"}),
                 409, "last_coordinator")
    body = client.put(f"/api/v1/communities/kring/members/{helper_id}/role", json={"role": "coordinator"}).get_json()
    assert (body["role"], body["user"]["id"]) == ("coordinator", helper.id)
    assert client.put(f"/api/v1/communities/kring/members/{own}/role", json={"role": "member"}).status_code == 200
    # Now a member: coordinator endpoints are closed to them.
    assert_error(client.get("/api/v1/communities/kring/requests"), 403, "forbidden")
    assert api(helper).delete(f"/api/v1/communities/kring/members/{own}").status_code == 204
    assert membership_of(coordinator, target) is None


def test_member_ids_of_another_community_are_404(factories, api):
    admin, coordinator = factories.admin(), factories.user()
    community(admin, "Mijn kring", slug="mijn", coordinator=coordinator)
    other = community(admin, "Andere kring", slug="andere")
    stranger = factories.user()
    actions.join(stranger, other)
    foreign = membership_of(stranger, other).id
    client = api(coordinator)
    assert_error(client.delete(f"/api/v1/communities/mijn/members/{foreign}"), 404)
    assert_error(client.put(f"/api/v1/communities/mijn/members/{foreign}/role", json={"role": "member"}), 404)
    assert_error(client.post(f"/api/v1/communities/mijn/requests/{foreign}/approve"), 404)
    assert membership_of(stranger, other) is not None


def test_role_must_be_a_known_one(factories, api):
    admin = factories.admin()
    target = community(admin, "Kring", slug="kring")
    own = membership_of(admin, target).id
    assert_error(api(admin).put(f"/api/v1/communities/kring/members/{own}/role", json={"role": "owner"}), 422)


def test_members_with_their_organisations(factories, api):
    admin = factories.admin()
    org = factories.organisation(name="Van der Meer Metaal", actor=admin)
    school = factories.organisation(name="ROC Rijnland", kind="school", actor=admin)
    coordinator = factories.member(school, who=factories.member(org, who=factories.user(name="Zoë Zeeman")))
    plain = factories.user(name="Arie Aal")
    factories.member(org, who=plain, approve=False)  # a pending organisation membership does not count
    target = community(admin, "Kring", slug="kring", coordinator=coordinator)
    actions.join(plain, target)
    body = api(plain).get("/api/v1/communities/kring/members").get_json()
    assert body["total"] == 2
    assert [(i["user"]["display_name"], i["role"], i["organisations"]) for i in body["items"]] == [
        ("Zoë Zeeman", "coordinator", ["ROC Rijnland", "Van der Meer Metaal"]),
        ("Arie Aal", "member", []),
    ]
    assert body["items"][1]["membership_id"] == membership_of(plain, target).id
    assert set(body["items"][0]["user"]) == {"id", "display_name", "kind"}  # no e-mail addresses


# --- invitations ----------------------------------------------------------------------------------

@pytest.fixture
def invite_only(factories):
    admin, coordinator = factories.admin(), factories.user(name="Coco")
    target = community(admin, "Directie", slug="directie", visibility="private", unlisted=True,
                       join_policy="invite", coordinator=coordinator)
    return SimpleNamespace(admin=admin, coordinator=coordinator, community=target)


def test_invitation_link_round_trip(invite_only, api, factories):
    coordinating = api(invite_only.coordinator)
    response = coordinating.post("/api/v1/communities/directie/invitations",
                                 json={"days": 14, "max_uses": 2, "note": "Voor de MT-leden"})
    assert response.status_code == 201
    created = response.get_json()
    token = created["token"]
    assert created["url"].endswith("/invite/" + token) and created["url"].startswith("http")
    assert (created["state"], created["uses"], created["max_uses"]) == ("active", 0, 2)
    assert created["note"] == "Voor de MT-leden"
    assert created["created_by"]["display_name"] == "Coco"

    newcomer = api(factories.user())
    assert newcomer.get("/api/v1/communities/directie").status_code == 404
    body = newcomer.post("/api/v1/invitations/accept", json={"token": token}).get_json()
    assert (body["slug"], body["my_state"], body["my_role"]) == ("directie", "active", "member")
    assert newcomer.get("/api/v1/communities/directie").status_code == 200
    # Following the link again changes nothing and uses nothing.
    assert newcomer.post("/api/v1/invitations/accept", json={"token": token}).status_code == 200

    listing = coordinating.get("/api/v1/communities/directie/invitations")
    assert token not in listing.get_data(as_text=True)
    item = listing.get_json()["items"][0]
    assert (item["id"], item["uses"], item["state"]) == (created["id"], 1, "active")
    assert "token" not in item and "url" not in item
    feed = newcomer.get("/api/v1/communities/directie/feed").get_json()["items"]
    assert (feed[0]["kind"], feed[0]["data"]) == ("member_joined", {"via": "invitation"})


def test_used_up_revoked_expired_and_unknown_links(invite_only, api, factories, monkeypatch):
    coordinating = api(invite_only.coordinator)

    def link(**body):
        return coordinating.post("/api/v1/communities/directie/invitations", json={"days": 1, **body}).get_json()

    once, revoked, expiring = link(max_uses=1), link(), link()
    client = api(factories.user())
    assert api(factories.user()).post("/api/v1/invitations/accept", json={"token": once["token"]}).status_code == 200
    assert_error(client.post("/api/v1/invitations/accept", json={"token": once["token"]}), 410,
                 "invitation_used_up")

    assert coordinating.delete(f"/api/v1/communities/directie/invitations/{revoked['id']}").status_code == 204
    error = assert_error(client.post("/api/v1/invitations/accept", json={"token": revoked["token"]}), 410,
                         "invitation_revoked")
    assert "coördinator" in error["message"]  # the action's own (Dutch) words

    for token in ("", "kort", "x" * 43, "y" * 100, "z" * 200):
        assert_error(client.post("/api/v1/invitations/accept", json={"token": token}), 404, "invitation_unknown")

    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr("community.models.community.utcnow", lambda: later)
    assert_error(client.post("/api/v1/invitations/accept", json={"token": expiring["token"]}), 410,
                 "invitation_expired")
    listing = coordinating.get("/api/v1/communities/directie/invitations").get_json()["items"]
    states = {i["id"]: i["state"] for i in listing}
    assert states == {once["id"]: "expired", revoked["id"]: "revoked", expiring["id"]: "expired"}
    assert client.get("/api/v1/communities/directie").status_code == 404


def test_invitations_of_another_community_are_404(invite_only, api, factories):
    other = community(invite_only.admin, "Andere", slug="andere")
    foreign = actions.create_invite_link(invite_only.admin, other, days=3)[0]
    assert_error(api(invite_only.coordinator).delete(f"/api/v1/communities/directie/invitations/{foreign.id}"), 404)
    db.session.refresh(foreign)
    assert foreign.revoked_at is None


def test_inviting_a_known_user(invite_only, api, factories):
    invitee = factories.user(name="Ina")
    coordinating = api(invite_only.coordinator)
    response = coordinating.post("/api/v1/communities/directie/invitations/users", json={"user_id": invitee.id})
    assert response.status_code == 201
    assert (response.get_json()["state"], response.get_json()["user"]["display_name"]) == ("invited", "Ina")
    client = api(invitee)
    listed = client.get("/api/v1/communities").get_json()["items"]
    assert [(i["slug"], i["my_state"]) for i in listed] == [("directie", "invited")]
    assert client.get("/api/v1/communities/directie").status_code == 404  # not readable before accepting
    assert client.post("/api/v1/communities/directie/join").get_json()["my_state"] == "active"
    assert_error(coordinating.post("/api/v1/communities/directie/invitations/users", json={"user_id": invitee.id}),
                 409, "conflict", "user")
    assert_error(coordinating.post("/api/v1/communities/directie/invitations/users", json={"user_id": 987654}),
                 422, "invalid", "user_id")


def test_declining_an_invitation(invite_only, api, factories):
    invitee = factories.user()
    actions.invite_user(invite_only.coordinator, invite_only.community, invitee)
    assert api(invitee).post("/api/v1/communities/directie/leave").status_code == 204
    assert membership_of(invitee, invite_only.community) is None
    assert api(invitee).post("/api/v1/communities/directie/leave").status_code == 404  # hidden again


@pytest.mark.parametrize("body", [{}, {"days": 0}, {"days": 91}, {"days": 7, "max_uses": 0},
                                  {"days": 7, "max_uses": 1001}, {"days": "7"}, {"days": 7.5},
                                  {"days": True}, {"days": 7, "note": "n" * 121}])
def test_invitation_limits(invite_only, api, body):
    assert_error(api(invite_only.coordinator).post("/api/v1/communities/directie/invitations", json=body), 422)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


# --- feed -----------------------------------------------------------------------------------------

def test_feed_newest_first_in_pages_of_thirty(factories, api):
    admin = factories.admin(name="Ada Admin")
    target = community(admin, "Kring", slug="kring")
    joiners = [factories.user(name=f"Lid {n:02d}") for n in range(31)]
    for user in joiners:
        actions.join(user, target)
    client = api(joiners[0])
    first = client.get("/api/v1/communities/kring/feed").get_json()
    assert (len(first["items"]), first["total"], first["pages"]) == (30, 32, 2)
    newest = first["items"][0]
    assert newest["kind"] == "member_joined"
    assert newest["actor"] == newest["subject"] == {"id": joiners[-1].id, "display_name": "Lid 30"}
    ids = [item["id"] for item in first["items"]]
    assert ids == sorted(ids, reverse=True)
    last = client.get("/api/v1/communities/kring/feed?page=2").get_json()["items"]
    assert [(i["kind"], i["actor"]["display_name"], i["subject"]) for i in last] == [
        ("member_joined", "Lid 00", {"id": joiners[0].id, "display_name": "Lid 00"}),
        ("community_created", "Ada Admin", None)]


# --- a fixed number of queries ----------------------------------------------------------------------

def test_list_query_count_does_not_grow(factories, api, count_queries):
    admin, viewer = factories.admin(), factories.user()
    client = api(viewer)

    def add(start, stop):
        for n in range(start, stop):
            public = n % 2 == 0
            made = community(admin, f"Kring {n:02d}", visibility="public" if public else "private",
                             join_policy="open" if public else "request")
            if public and n % 3 == 0:
                actions.join(factories.user(), made)
            if n % 4 == 0:
                actions.join(viewer, made)
            elif n % 4 == 1:
                actions.request_to_join(viewer, made)

    add(0, 5)
    small, body = counted_get(client, "/api/v1/communities", count_queries)
    assert len(body["items"]) == 5
    add(5, 40)
    large, body = counted_get(client, "/api/v1/communities", count_queries)
    assert len(body["items"]) == 40
    assert {i["my_state"] for i in body["items"]} == {None, "active", "pending"}
    assert large.count == small.count, large.statements


def test_members_query_count_does_not_grow(factories, api, count_queries):
    admin = factories.admin()
    orgs = [factories.organisation(name=f"Bedrijf {n}", actor=admin) for n in range(3)]
    target = community(admin, "Kring", slug="kring", visibility="private")
    client = api(admin)

    def add(count):
        for n in range(count):
            user = factories.member(orgs[n % 3], who=factories.member(orgs[(n + 1) % 3]))
            actions.invite_user(admin, target, user)
            actions.join(user, target)

    add(2)
    small, body = counted_get(client, "/api/v1/communities/kring/members", count_queries)
    assert body["total"] == 3
    add(57)
    large, body = counted_get(client, "/api/v1/communities/kring/members", count_queries)
    assert body["total"] == 60 and len(body["items"]) == 50
    assert all(len(item["organisations"]) == 2 for item in body["items"] if item["role"] == "member")
    assert large.count == small.count, large.statements


@pytest.mark.parametrize("path", ["feed", "requests", "invitations"])
def test_other_lists_query_count_does_not_grow(factories, api, count_queries, path):
    admin = factories.admin()
    target = community(admin, "Kring", slug="kring", join_policy="request")
    client = api(admin)

    def add(count):
        for _ in range(count):
            user = factories.user()
            membership = actions.request_to_join(user, target)
            if path == "feed":
                actions.decide_request(admin, membership, approve=True)
            actions.create_invite_link(admin, target, days=3)

    add(2)
    small, _ = counted_get(client, f"/api/v1/communities/kring/{path}", count_queries)
    add(40)
    large, body = counted_get(client, f"/api/v1/communities/kring/{path}", count_queries)
    assert len(body["items"]) >= 30
    assert large.count == small.count, large.statements


# --- input that must never cause a 500 ------------------------------------------------------------

UNREADABLE_BODIES = [  # not JSON that can be read at all: 400
    b"not json",
    b"{\"name\": " + b"1" * 5000 + b"}",  # longer than Python's int conversion limit
    b"[" * 100000 + b"]" * 100000,  # deeper than the JSON parser's recursion limit
    b'{"name": "\xff\xfe"}',  # not UTF-8
]
BAD_BODIES = [b""] + UNREADABLE_BODIES + [  # JSON of the wrong shape or values: 422
    b"[1, 2, 3]",
    b"null",
    b'"text"',
    b'{"name": "\\ud800"}',  # a lone surrogate: valid JSON, not encodable
    b'{"name": "a\\u0000b"}',
    b'{"name": ["lijst"]}',
    b'{"name": {"a": 1}}',
    b'{"name": 12}',
    b'{"name": "x", "onbekend": 1}',
    b'{"name": "' + b"x" * 200000 + b'"}',
    b'{"days": 1e400, "max_uses": -1, "user_id": 99999999999999999999999, "role": null}',
    b'{"days": NaN, "user_id": Infinity, "token": 5, "message": false}',
    b'{"token": "\\ud83d", "message": "\\udfff", "user_id": -5, "role": "\\u0000"}',
    b'{"archived": "ja", "unlisted": 3, "visibility": "geheim", "join_policy": ""}',
    b'{"slug": "../../etc", "coordinator_id": 0}',
]
# No body at all is an empty request: a change of nothing, a request to join (the admin, who
# made the community, is in it already); elsewhere fields are missing.
EMPTY_BODY_STATUS = {"/api/v1/communities/kring": 200, "/api/v1/communities/kring/requests": 409}
WRITE_ENDPOINTS = [
    ("POST", "/api/v1/communities"),
    ("PATCH", "/api/v1/communities/kring"),
    ("POST", "/api/v1/communities/kring/requests"),
    ("PUT", "/api/v1/communities/kring/members/{mid}/role"),
    ("POST", "/api/v1/communities/kring/invitations"),
    ("POST", "/api/v1/communities/kring/invitations/users"),
    ("POST", "/api/v1/invitations/accept"),
]


def test_bad_bodies_are_4xx_json(factories, api):
    admin = factories.admin()
    target = community(admin, "Kring", slug="kring", join_policy="request")
    mid = membership_of(admin, target).id
    client = api(admin)
    for method, url in WRITE_ENDPOINTS:
        for body in BAD_BODIES:
            response = client.open(url.format(mid=mid), method=method, data=body, content_type="application/json")
            expected = (400 if body in UNREADABLE_BODIES else EMPTY_BODY_STATUS.get(url, 422) if body == b""
                        else 422)
            assert response.status_code == expected, (method, url, body[:60], response.status_code)
            assert response.mimetype == "application/json"
            if response.status_code >= 400:
                assert response.get_json()["error"]["message"]
    db.session.refresh(target)
    assert target.name == "Kring"


def test_body_that_is_not_json_is_like_no_body(factories, api):
    client = api(factories.admin())
    response = client.post("/api/v1/communities", data={"name": "Formulier"})
    assert_error(response, 422, "invalid")
    assert "name" in response.get_json()["error"]["details"]["json"]


@pytest.mark.parametrize("text", ["Ærø – Ōsaka 🛠️ Łódź", "\u202eevil", "עברית", "a\tb\nc"])
def test_unicode_names_are_kept_tidy(factories, api, text):
    response = api(factories.admin()).post("/api/v1/communities", json={"name": text})
    assert response.status_code == 201
    body = response.get_json()
    assert "\u202e" not in body["name"] and "\n" not in body["name"]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", body["slug"])


@pytest.mark.parametrize("url", [
    "/api/v1/communities?page=0",
    "/api/v1/communities?page=-1",
    "/api/v1/communities?page=abc",
    "/api/v1/communities?page=" + "9" * 5000,
    "/api/v1/communities?q=" + "x" * 101,
    "/api/v1/communities/kring/members?page=100000",
    "/api/v1/communities/kring/feed?page=1.5",
])
def test_bad_query_parameters_are_422(factories, api, url):
    community(factories.admin(), "Kring", slug="kring")
    assert_error(api(factories.user()).get(url), 422, "invalid")


def test_nul_characters_in_parameters_are_400(factories, api):
    assert_error(api(factories.user()).get("/api/v1/communities?q=%00"), 400, "bad_request")


@pytest.mark.parametrize("method, url", [
    ("GET", "/api/v1/communities/%00"),
    ("GET", "/api/v1/communities/kring%00"),
    ("GET", "/api/v1/communities/KRING"),
    ("GET", "/api/v1/communities/" + "k" * 5000),
    ("GET", "/api/v1/communities/%F0%9F%9B%A0"),
    ("POST", "/api/v1/communities/%ff%fe/join"),
    ("PUT", "/api/v1/communities/kring/members/99999999999999999999999/role"),
    ("DELETE", "/api/v1/communities/kring/members/9223372036854775808"),
    ("POST", "/api/v1/communities/kring/requests/2147483648/approve"),
    ("DELETE", "/api/v1/communities/kring/invitations/" + "9" * 400),
    ("DELETE", "/api/v1/communities/kring/members/-1"),
])
def test_odd_urls_are_404(factories, api, method, url):
    admin = factories.admin()
    community(admin, "Kring", slug="kring")
    response = api(admin).open(url, method=method, json={"role": "member"})
    assert_error(response, 404)


def test_page_far_beyond_the_end_is_empty(factories, api):
    community(factories.admin(), "Kring", slug="kring")
    body = api(factories.user()).get("/api/v1/communities?page=99999").get_json()
    assert body["items"] == [] and body["total"] == 1


# --- the OpenAPI document -----------------------------------------------------------------------

def test_openapi_lists_every_community_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = {path: set(ops) - {"parameters"} for path, ops in spec["paths"].items()}
    c = "/api/v1/communities/{slug}"
    expected = {
        "/api/v1/communities": {"get", "post"},
        c: {"get", "patch"},
        f"{c}/members": {"get"},
        f"{c}/members/{{membership_id}}/role": {"put"},
        f"{c}/members/{{membership_id}}": {"delete"},
        f"{c}/join": {"post"},
        f"{c}/leave": {"post"},
        f"{c}/requests": {"get", "post"},
        f"{c}/requests/{{membership_id}}/approve": {"post"},
        f"{c}/requests/{{membership_id}}/decline": {"post"},
        f"{c}/invitations": {"get", "post"},
        f"{c}/invitations/{{invitation_id}}": {"delete"},
        f"{c}/invitations/users": {"post"},
        f"{c}/feed": {"get"},
        "/api/v1/invitations/accept": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= paths.get(path, set()), path
        for method in methods:
            operation = spec["paths"][path][method]
            assert "401" in operation["responses"], (path, method)
    assert "requestBody" in spec["paths"]["/api/v1/communities"]["post"]
    parameters = spec["paths"]["/api/v1/communities"]["get"]["parameters"]
    assert {p["name"] for p in parameters} >= {"q", "sector", "topic", "page"}
    # Every reference in the document points at a component that exists.
    text = json.dumps(spec)
    for section, name in set(re.findall(r'"#/components/(\w+)/([\w.-]+)"', text)):
        assert name in spec["components"].get(section, {}), f"dangling reference to {section}/{name}"
