"""Community pages: the permission matrix, query budgets, and the coordinator's paths."""
import pytest
import sqlalchemy as sa

from community.actions import communities as actions
from community.extensions import db
from community.models import Community, CommunityMembership, FeedEntry, Invitation
from tests import worlds
from tests.helpers import assert_matrix


@pytest.fixture
def world(factories, make_client):
    """A public and a private community with people in every role, and a client for each."""
    admin = factories.admin()
    coordinator, other_coordinator = factories.user(name="Coördinator"), factories.user(name="Andere coördinator")
    member, pending = factories.user(name="Lid"), factories.user(name="Aanvrager")
    outsider = factories.user(name="Buitenstaander")
    public = actions.create_community(admin, name="Open Gemeenschap", visibility="public",
                                      join_policy="request", coordinator=coordinator)
    private = actions.create_community(admin, name="Besloten Gemeenschap", visibility="private",
                                       join_policy="request", coordinator=coordinator)
    elsewhere = actions.create_community(admin, name="Elders", coordinator=other_coordinator)
    for community in (public, private):
        actions.invite_user(coordinator, community, member)
        actions.join(member, community)
        actions.request_to_join(pending, community, "Graag!")
    users = dict(admin=admin, coordinator=coordinator, other_coordinator=other_coordinator,
                 member=member, pending=pending, outsider=outsider)
    clients = worlds.clients(make_client, users)
    return dict(public=public, private=private, elsewhere=elsewhere, users=users, clients=clients)


def _pending_id(community, user):
    return db.session.scalar(sa.select(CommunityMembership.id).where(
        CommunityMembership.community_id == community.id, CommunityMembership.user_id == user.id))


ROLES = ("anonymous", "outsider", "pending", "member", "coordinator", "other_coordinator", "admin")


def _row(*statuses):
    return dict(zip(ROLES, statuses))


def test_read_pages_matrix(world):
    pub, priv = world["public"].slug, world["private"].slug
    assert_matrix(world["clients"], [
        ("GET", "/communities/", _row(302, 200, 200, 200, 200, 200, 200)),
        ("GET", f"/c/{pub}/", _row(302, 200, 200, 200, 200, 200, 200)),
        ("GET", f"/c/{pub}/members", _row(302, 200, 200, 200, 200, 200, 200)),
        ("GET", f"/c/{priv}/", _row(302, 404, 404, 200, 200, 404, 200)),
        ("GET", f"/c/{priv}/members", _row(302, 404, 404, 200, 200, 404, 200)),
        ("GET", "/c/does-not-exist/", _row(302, 404, 404, 404, 404, 404, 404)),
    ])


@pytest.mark.parametrize("which", ["public", "private"])
def test_coordinator_pages_matrix(world, which):
    slug = world[which].slug
    hidden = 404 if which == "private" else 403
    assert_matrix(world["clients"], [
        ("GET", f"/c/{slug}/edit", _row(302, hidden, hidden, 403, 200, hidden, 200)),
        ("GET", f"/c/{slug}/manage/requests", _row(302, hidden, hidden, 403, 200, hidden, 200)),
        ("GET", f"/c/{slug}/manage/invitations", _row(302, hidden, hidden, 403, 200, hidden, 200)),
        ("GET", "/communities/new", _row(302, 403, 403, 403, 403, 403, 200)),
    ])


@pytest.mark.parametrize("which", ["public", "private"])
def test_coordinator_actions_are_refused_to_others(world, which):
    community, users = world[which], world["users"]
    slug = community.slug
    membership_id = _pending_id(community, users["pending"])
    hidden = 404 if which == "private" else 403
    cases = [
        ("POST", f"/c/{slug}/memberships/{membership_id}/approve", {"anonymous": 302, "outsider": hidden,
                                                                    "member": 403, "other_coordinator": hidden}),
        ("POST", f"/c/{slug}/memberships/{membership_id}/role", {"outsider": hidden, "member": 403,
                                                                 "other_coordinator": hidden}, {"role": "coordinator"}),
        ("POST", f"/c/{slug}/memberships/{membership_id}/remove", {"outsider": hidden, "member": 403,
                                                                   "other_coordinator": hidden}),
        ("POST", f"/c/{slug}/archive", {"outsider": hidden, "member": 403, "other_coordinator": hidden},
         {"archived": "1"}),
        ("POST", f"/c/{slug}/edit", {"outsider": hidden, "member": 403, "other_coordinator": hidden},
         {"name": "Gekaapt"}),
    ]
    assert_matrix(world["clients"], cases)
    db.session.expire_all()
    # Nothing changed: still pending, still named the same, not archived.
    assert db.session.get(CommunityMembership, membership_id).state == "pending"
    fresh = db.session.get(Community, community.id)
    assert fresh.name != "Gekaapt" and not fresh.archived


def test_private_community_is_a_404_page_for_outsiders(world):
    response = world["clients"]["outsider"].get(f"/c/{world['private'].slug}/")
    assert response.status_code == 404
    assert "Besloten Gemeenschap" not in response.get_data(as_text=True)


def test_home_offers_a_new_discussion_to_those_who_may_post(world):
    """Issue 18: the community home has a "Nieuwe discussie" button, for members only."""
    slug = world["public"].slug
    button = f'<a class="button" href="/c/{slug}/discussions/new">Nieuwe discussie</a>'
    for role, shown in (("member", True), ("coordinator", True), ("pending", False), ("outsider", False),
                        ("other_coordinator", False)):
        html = world["clients"][role].get(f"/c/{slug}/").get_data(as_text=True)
        assert (button in html) == shown, role


def test_discovery_shows_private_listing_but_not_unlisted(world, factories):
    admin = world["users"]["admin"]
    actions.create_community(admin, name="Geheime Kring", visibility="private", unlisted=True,
                             join_policy="invite")
    page = world["clients"]["outsider"].get("/communities/").get_data(as_text=True)
    assert "Besloten Gemeenschap" in page  # name and description of a listed private one
    assert f'href="/c/{world["private"].slug}/"' not in page  # but no link into it
    assert "Geheime Kring" not in page
    assert "Geheime Kring" in world["clients"]["admin"].get("/communities/").get_data(as_text=True)


def test_request_approve_and_feed(world):
    clients, users, community = world["clients"], world["users"], world["public"]
    membership_id = _pending_id(community, users["pending"])
    response = clients["coordinator"].submit(f"/c/{community.slug}/memberships/{membership_id}/approve")
    assert response.status_code == 302
    home = clients["member"].get(f"/c/{community.slug}/").get_data(as_text=True)
    assert "Aanvrager" in home  # the feed says they joined
    assert db.session.get(CommunityMembership, membership_id).state == "active"


def test_last_coordinator_cannot_be_demoted_through_the_page(world):
    community, users = world["public"], world["users"]
    membership_id = db.session.scalar(sa.select(CommunityMembership.id).where(
        CommunityMembership.community_id == community.id, CommunityMembership.user_id == users["coordinator"].id))
    client = world["clients"]["coordinator"]
    response = client.submit(f"/c/{community.slug}/memberships/{membership_id}/role", {"role": "member"},
                             headers={"Referer": f"http://localhost/c/{community.slug}/members"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ten minste één coördinator" in page or "at least one coordinator" in page
    assert db.session.get(CommunityMembership, membership_id).role == "coordinator"


def test_invitation_link_flow(world, make_client, factories):
    community, coordinator = world["private"], world["clients"]["coordinator"]
    response = coordinator.submit(f"/c/{community.slug}/manage/invitations",
                                  {"action": "link", "link-days": "7", "link-max_uses": "1", "link-note": "klas"},
                                  page=f"/c/{community.slug}/manage/invitations")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    link = html.split('id="new-link" value="')[1].split('"')[0]
    path = link.replace("http://localhost", "")
    newcomer = factories.user(name="Nieuwkomer")
    guest = make_client(newcomer)
    assert guest.get(path).status_code == 200
    assert guest.submit(path, page=path).status_code == 302
    assert guest.get(f"/c/{community.slug}/").status_code == 200
    # Used up now: the next person gets a clear refusal.
    late = make_client(factories.user())
    refused = late.get(path)
    assert refused.status_code == 410
    assert late.get(f"/c/{community.slug}/").status_code == 404
    assert make_client().get("/invite/not-a-real-token-at-all").status_code == 404


def test_invitation_form_bad_input_keeps_what_was_typed(world):
    community, coordinator = world["public"], world["clients"]["coordinator"]
    page = f"/c/{community.slug}/manage/invitations"
    response = coordinator.submit(page, {"action": "link", "link-days": "500", "link-note": "Zomerschool 🌞"}, page=page)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Zomerschool 🌞" in html and 'value="500"' in html
    response = coordinator.submit(page, {"action": "link", "link-days": "abc"}, page=page)
    assert response.status_code == 400
    # An address without an account is invited by mail now (tests/test_mail_invitations.py); a
    # malformed one is refused and kept.
    response = coordinator.submit(page, {"action": "user", "user-email": "niemand@example"}, page=page)
    assert response.status_code == 400 and "niemand@example" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_create_community_keeps_input_on_duplicate_slug(world):
    admin = world["clients"]["admin"]
    data = {"name": "Nieuwe kring", "slug": world["public"].slug, "description": "**Hallo** wereld",
            "visibility": "public", "join_policy": "open"}
    response = admin.submit("/communities/new", data, page="/communities/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nieuwe kring" in html and "**Hallo** wereld" in html
    data["slug"] = ""
    response = admin.submit("/communities/new", data, page="/communities/new")
    assert response.status_code == 302
    created = db.session.scalar(sa.select(Community).where(Community.name == "Nieuwe kring"))
    assert created.slug == "nieuwe-kring" and "<strong>Hallo</strong>" in created.description_html


def test_archived_community_cannot_be_joined(world, factories, make_client):
    admin = world["users"]["admin"]
    community = actions.create_community(admin, name="Oud archief", join_policy="open")
    actions.set_archived(admin, community, True)
    client = make_client(factories.user())
    assert client.get(f"/c/{community.slug}/").status_code == 200  # still readable
    response = client.submit(f"/c/{community.slug}/join", headers={"Referer": f"http://localhost/c/{community.slug}/"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.community_id == community.id)) == 1  # only the coordinator


def test_discovery_query_count_is_constant(factories, make_client, count_queries):
    admin = factories.admin()
    viewer = factories.user()
    client = make_client(viewer)

    def measure():
        with count_queries() as counter:
            assert client.get("/communities/").status_code == 200
        return counter.count

    actions.create_community(admin, name="Eerste", visibility="private", join_policy="request")
    few = measure()
    for n in range(25):
        community = actions.create_community(admin, name=f"Kring {n}", visibility="private" if n % 2 else "public")
        if n % 3 == 0:
            actions.invite_user(admin, community, viewer)
    assert measure() == few


def test_member_directory_query_count_is_constant(factories, make_client, count_queries):
    admin = factories.admin()
    community = actions.create_community(admin, name="Drukke kring")
    org = factories.organisation(actor=admin)
    client = make_client(admin)

    def measure():
        with count_queries() as counter:
            assert client.get(f"/c/{community.slug}/members").status_code == 200
        return counter.count

    few = measure()
    for _ in range(30):
        user = factories.member(org)
        actions.join(user, community)
    assert measure() == few


def test_home_feed_query_count_is_constant(factories, make_client, count_queries):
    admin = factories.admin()
    community = actions.create_community(admin, name="Levendige kring")
    client = make_client(admin)

    def measure():
        with count_queries() as counter:
            assert client.get(f"/c/{community.slug}/").status_code == 200
        return counter.count

    few = measure()
    for _ in range(20):
        actions.join(factories.user(), community)
    assert measure() == few
    assert db.session.scalar(sa.select(sa.func.count(FeedEntry.id))) == 21


def test_unlisted_private_community_does_not_exist_for_outsiders(world, factories):
    admin, coordinator = world["users"]["admin"], world["users"]["coordinator"]
    hidden = actions.create_community(admin, name="Verborgen kring", visibility="private", unlisted=True,
                                      join_policy="request", coordinator=coordinator)
    slug = hidden.slug
    assert_matrix(world["clients"], [
        ("GET", f"/c/{slug}/", _row(302, 404, 404, 404, 200, 404, 200)),
        ("POST", f"/c/{slug}/request", {"outsider": 404, "member": 404, "other_coordinator": 404},
         {"message": "mag ik erin?"}),
        ("POST", f"/c/{slug}/join", {"outsider": 404, "other_coordinator": 404}),
    ])
    assert db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.community_id == hidden.id)) == 1


def test_join_request_and_leave_paths(world, factories, make_client):
    admin = world["users"]["admin"]
    open_one = actions.create_community(admin, name="Iedereen welkom", join_policy="open")
    newcomer = factories.user(name="Nieuw")
    client = make_client(newcomer)
    assert client.submit(f"/c/{open_one.slug}/join").status_code == 302
    assert client.get(f"/c/{open_one.slug}/").status_code == 200
    # A listed private community on request: ask with a message, then withdraw.
    private = world["private"]
    assert client.submit(f"/c/{private.slug}/request", {"message": "Ik werk aan lascobots 🤖"}).status_code == 302
    row = db.session.scalar(sa.select(CommunityMembership).where(
        CommunityMembership.community_id == private.id, CommunityMembership.user_id == newcomer.id))
    assert row.state == "pending" and row.message == "Ik werk aan lascobots 🤖"
    assert client.get(f"/c/{private.slug}/").status_code == 404  # not a member yet
    assert client.submit(f"/c/{private.slug}/leave").status_code == 302
    assert client.submit(f"/c/{open_one.slug}/leave").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.user_id == newcomer.id)) == 0
