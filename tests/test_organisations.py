"""Organisations: who may see and change what, proposing and approving, searching, paging,
members joining, leaving and changing roles, and a fixed number of queries per page."""
import re
import unicodedata

import pytest
import sqlalchemy as sa

from community.actions import organisations as org_actions
from community.extensions import db
from community.models import Organisation, OrganisationMembership
from tests import worlds
from tests.helpers import assert_matrix

ROLES = ("anonymous", "outsider", "pending", "member", "manager", "other_manager", "admin")
LAST_MANAGER = "minstens één beheerder"


def membership_of(user, org):
    return db.session.scalar(sa.select(OrganisationMembership).where(
        OrganisationMembership.user_id == user.id, OrganisationMembership.organisation_id == org.id))


def org_count():
    return db.session.scalar(sa.select(sa.func.count(Organisation.id)))


def org_form(name, kind="company", **extra):
    data = {"name": name, "kind": kind, "sector": "", "city": "", "size_band": "", "level": "",
            "description": ""}
    data.update(extra)
    return data


def flash_after(response, client):
    """The page a POST redirected to (with its flashed messages)."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def all_of(value):
    return dict.fromkeys(ROLES, value)


def without(expected, *roles):
    return {role: status for role, status in expected.items() if role not in roles}


@pytest.fixture
def world(factories, make_client):
    """An active organisation with a pending requester, a member and a manager; a manager of
    another organisation; an outsider; an admin; and a proposal (pending organisation)."""
    admin = factories.admin()
    org = factories.organisation(name="Techniek Noord", actor=admin)
    other_org = factories.organisation(name="Bouw Zuid", actor=admin)
    users = {
        "outsider": factories.user(),
        "pending": factories.member(org, approve=False),
        "member": factories.member(org),
        "manager": factories.member(org, role="manager"),
        "other_manager": factories.member(other_org, role="manager"),
        "admin": admin,
        "proposer": factories.user(),
    }
    proposal = org_actions.propose_organisation(users["proposer"], name="Voorstel BV", kind="company")
    clients = worlds.clients(make_client, users)
    return dict(org=org, other_org=other_org, proposal=proposal, users=users, clients=clients,
                admin=admin)


# --- permission matrix ------------------------------------------------------------------------

def test_read_permission_matrix(world):
    org, proposal = world["org"], world["proposal"]
    proposer_mid = membership_of(world["users"]["proposer"], proposal).id
    page = dict(all_of(200), anonymous=302)
    manage = dict(all_of(403), anonymous=302, manager=200, admin=200)
    hidden = dict(all_of(404), anonymous=302, admin=200, proposer=200)
    edit_data = org_form("Voorstel BV", city="Ergens")
    assert_matrix(world["clients"], [
        ("GET", "/organisations/", page),
        ("GET", f"/organisations/{org.id}", page),
        ("GET", f"/organisations/{org.id}/edit", manage),
        # A proposal is private to admins and its proposer; even the proposer cannot edit it yet.
        ("GET", f"/organisations/{proposal.id}", hidden),
        ("GET", f"/organisations/{proposal.id}/edit", dict(hidden, proposer=403)),
        ("POST", f"/organisations/{proposal.id}/edit", dict(hidden, proposer=403, admin=302), edit_data),
        ("POST", f"/organisations/{proposal.id}/join",
         dict(all_of(404), anonymous=302, proposer=302, admin=302)),
        ("POST", f"/organisations/memberships/{proposer_mid}/approve",
         {**without(all_of(404), "admin"), "anonymous": 302, "proposer": 302}),
        ("GET", "/organisations/999999", dict(all_of(404), anonymous=302)),
        ("GET", "/organisations/999999/edit", dict(all_of(404), anonymous=302)),
        ("POST", "/organisations/memberships/999999/remove", dict(all_of(404), anonymous=302)),
    ])
    # Nobody could act on the proposal: still pending, the proposer's own "approve" was refused.
    db.session.refresh(proposal)
    assert proposal.status == "pending" and proposal.city == "Ergens"  # only the admin's edit
    assert membership_of(world["users"]["proposer"], proposal).state == "pending"
    assert db.session.scalar(sa.select(sa.func.count(OrganisationMembership.id)).where(
        OrganisationMembership.organisation_id == proposal.id)) == 1


def test_anonymous_is_sent_to_login(world):
    anonymous = world["clients"]["anonymous"]
    org = world["org"]
    for url in ("/organisations/", f"/organisations/{org.id}", f"/organisations/{org.id}/edit",
                f"/organisations/{world['proposal'].id}", "/organisations/new"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next="), url
    response = anonymous.submit(f"/organisations/{org.id}/join")
    assert response.headers["Location"].startswith("/login")
    assert membership_of(world["users"]["outsider"], org) is None


def test_write_permission_matrix(world, factories):
    org, users = world["org"], world["users"]
    requests = {k: factories.member(org, approve=False) for k in ("approve_m", "approve_a", "decline_m", "decline_a")}
    members = {k: factories.member(org) for k in ("role_m", "role_a", "remove_m", "remove_a")}
    mid = {k: membership_of(u, org).id for k, u in {**requests, **members}.items()}
    refused = without(dict(all_of(403), anonymous=302), "manager", "admin")
    base = "/organisations/memberships"
    edit = org_form("Techniek Noord", city="Groningen", sector="Metaal")
    assert_matrix(world["clients"], [
        # The refused roles try first, then the one allowed role succeeds.
        ("POST", f"/organisations/{org.id}/edit", {**refused, "manager": 302}, edit),
        ("POST", f"/organisations/{org.id}/edit", {"admin": 302}, dict(edit, city="Assen")),
        ("POST", f"{base}/{mid['approve_m']}/approve", {**refused, "manager": 302}),
        ("POST", f"{base}/{mid['approve_a']}/approve", {"admin": 302}),
        ("POST", f"{base}/{mid['decline_m']}/decline", {**refused, "manager": 302}),
        ("POST", f"{base}/{mid['decline_a']}/decline", {"admin": 302}),
        ("POST", f"{base}/{mid['role_m']}/role", {**refused, "manager": 302}, {"role": "manager"}),
        ("POST", f"{base}/{mid['role_a']}/role", {"admin": 302}, {"role": "manager"}),
        ("POST", f"{base}/{mid['remove_m']}/remove", {**refused, "manager": 302}),
        ("POST", f"{base}/{mid['remove_a']}/remove", {"admin": 302}),
    ])
    db.session.refresh(org)
    assert (org.city, org.sector) == ("Assen", "Metaal")
    assert membership_of(requests["approve_m"], org).state == "active"
    assert membership_of(requests["approve_a"], org).state == "active"
    assert membership_of(requests["decline_m"], org) is None
    assert membership_of(requests["decline_a"], org) is None
    assert membership_of(members["role_m"], org).role == "manager"
    assert membership_of(members["role_a"], org).role == "manager"
    assert membership_of(members["remove_m"], org) is None
    assert membership_of(members["remove_a"], org) is None
    # The refused roles changed nothing about themselves either.
    assert membership_of(users["pending"], org).state == "pending"
    assert membership_of(users["member"], org).role == "member"
    assert membership_of(users["outsider"], org) is None
    assert membership_of(users["other_manager"], org) is None


def test_join_matrix(world):
    """Everyone signed in may ask; a second request is refused with a message, not a new row."""
    org = world["org"]
    assert_matrix(world["clients"], [
        ("POST", f"/organisations/{org.id}/join", dict(all_of(302))),
    ])
    assert membership_of(world["users"]["outsider"], org).state == "pending"
    assert membership_of(world["users"]["other_manager"], org).state == "pending"
    assert membership_of(world["users"]["admin"], org).state == "pending"
    # Those who already belonged keep exactly their one row, unchanged.
    assert membership_of(world["users"]["member"], org).state == "active"
    assert membership_of(world["users"]["manager"], org).role == "manager"
    assert db.session.scalar(sa.select(sa.func.count(OrganisationMembership.id)).where(
        OrganisationMembership.organisation_id == org.id)) == 6


def test_members_cannot_act_on_their_own_membership_beyond_leaving(world):
    org, users, clients = world["org"], world["users"], world["clients"]
    pending_mid = membership_of(users["pending"], org).id
    member_mid = membership_of(users["member"], org).id
    # A pending requester cannot approve themself; a member cannot promote themself.
    page = flash_after(clients["pending"].submit(f"/organisations/memberships/{pending_mid}/approve"),
                       clients["pending"])
    assert "Je kunt de leden van deze organisatie niet beheren." in page
    assert membership_of(users["pending"], org).state == "pending"
    page = flash_after(clients["member"].submit(f"/organisations/memberships/{member_mid}/role",
                                                {"role": "manager"}), clients["member"])
    assert "Je kunt de leden van deze organisatie niet beheren." in page
    assert membership_of(users["member"], org).role == "member"


def test_pending_requests_are_shown_to_managers_only(world):
    org, clients = world["org"], world["clients"]
    pending_name = world["users"]["pending"].display_name
    manager_page = clients["manager"].get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Verzoeken om lid te worden" in manager_page and pending_name in manager_page
    for role in ("member", "outsider", "other_manager"):
        page = clients[role].get(f"/organisations/{org.id}").get_data(as_text=True)
        assert "Verzoeken om lid te worden" not in page and pending_name not in page, role
        assert f"/organisations/{org.id}/edit" not in page
    assert f"/organisations/{org.id}/edit" in manager_page


def test_the_dashboard_links_to_waiting_requests(world, factories, make_client):
    """Issue 18: the dashboard's notice of waiting requests is a link to where they are decided."""
    org, clients = world["org"], world["clients"]
    html = clients["manager"].get("/dashboard").get_data(as_text=True)
    assert re.search(r'<a href="/organisations/%d#requests-title">1 persoon vraagt om lid te worden van %s\.</a>'
                     % (org.id, re.escape(org.name)), html), html
    assert "#requests-title" not in clients["member"].get("/dashboard").get_data(as_text=True)
    coordinator = factories.user(name="Kees Coördinator")
    community = factories.community(name="Op verzoek", join_policy="request", coordinator=coordinator)
    from community.actions import communities as community_actions
    community_actions.request_to_join(factories.user(name="Vraagt Lid"), community)
    html = make_client(coordinator).get("/dashboard").get_data(as_text=True)
    assert f'<a href="/c/{community.slug}/manage/requests">1 verzoek om lid te worden van Op verzoek wacht op je.</a>' \
        in html


# --- proposing and approving ------------------------------------------------------------------

def _propose(client, name, **extra):
    response = client.submit("/organisations/new", org_form(name, **extra), page="/organisations/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    org_id = int(re.search(r"/organisations/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(Organisation, org_id)


def test_proposal_is_pending_until_an_admin_approves(factories, make_client):
    proposer, outsider, admin = factories.user(), factories.user(), factories.admin()
    mine, theirs, boss = make_client(proposer), make_client(outsider), make_client(admin)
    org = _propose(mine, "Nieuwe Werkplaats", city="Zwolle")
    assert org.status == "pending" and org.requested_by_id == proposer.id
    membership = membership_of(proposer, org)
    assert (membership.role, membership.state) == ("manager", "pending")

    page = mine.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "wacht op goedkeuring" in page
    assert theirs.get(f"/organisations/{org.id}").status_code == 404
    assert "Nieuwe Werkplaats" not in theirs.get("/organisations/").get_data(as_text=True)
    assert "Nieuwe Werkplaats" not in mine.get("/organisations/").get_data(as_text=True)

    # The proposer cannot approve it through the admin pages.
    assert mine.submit(f"/admin/organisations/{org.id}/approve").status_code == 404
    db.session.refresh(org)
    assert org.status == "pending"

    overview = boss.get("/admin/").get_data(as_text=True)
    assert "Nieuwe Werkplaats" in overview and proposer.email in overview
    response = boss.submit(f"/admin/organisations/{org.id}/approve")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert "Nieuwe Werkplaats is goedgekeurd" in boss.get("/admin/").get_data(as_text=True)

    db.session.refresh(org)
    membership = membership_of(proposer, org)
    assert org.status == "active"
    assert (membership.role, membership.state, membership.decided_by_id) == ("manager", "active", admin.id)
    assert theirs.get(f"/organisations/{org.id}").status_code == 200
    assert "Nieuwe Werkplaats" in theirs.get("/organisations/").get_data(as_text=True)
    assert mine.get(f"/organisations/{org.id}/edit").status_code == 200

    # Approving twice is refused with a message; nothing changes.
    page = flash_after(boss.submit(f"/admin/organisations/{org.id}/approve"), boss)
    assert "al actief" in page or "already" in page


def test_rejecting_a_proposal_removes_it(factories, make_client):
    proposer, admin = factories.user(), factories.admin()
    mine, boss = make_client(proposer), make_client(admin)
    org = _propose(mine, "Afgewezen BV")
    org_id = org.id
    response = boss.submit(f"/admin/organisations/{org_id}/reject")
    assert response.status_code == 302
    assert "Het voorstel Afgewezen BV is afgewezen" in boss.get("/admin/").get_data(as_text=True)
    db.session.expunge_all()
    assert db.session.get(Organisation, org_id) is None
    assert db.session.scalar(sa.select(sa.func.count(OrganisationMembership.id))) == 0
    assert mine.get(f"/organisations/{org_id}").status_code == 404
    # The name is free again.
    assert _propose(mine, "Afgewezen BV").status == "pending"


def test_admin_adds_an_active_organisation_directly(factories, make_client):
    boss = make_client(factories.admin())
    org = _propose(boss, "Direct Actief", kind="school", level="mbo")
    assert (org.status, org.kind, org.level) == ("active", "school", "mbo")
    assert org.memberships == []


def test_duplicate_name_is_refused_case_insensitively_and_input_kept(factories, make_client):
    factories.organisation(name="Techniek Noord")
    client = make_client(factories.user())
    before = org_count()
    response = client.submit("/organisations/new", org_form("TECHNIEK noord", city="Assen",
                                                           description="Onze eigen omschrijving"),
                             page="/organisations/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Er bestaat al een organisatie met deze naam." in html
    assert 'value="TECHNIEK noord"' in html and 'value="Assen"' in html
    assert "Onze eigen omschrijving" in html
    assert org_count() == before


def test_renaming_to_an_existing_name_is_refused(factories, make_client):
    admin = factories.admin()
    factories.organisation(name="Bestaand", actor=admin)
    org = factories.organisation(name="Mijn Bedrijf", actor=admin)
    manager = factories.member(org, role="manager")
    client = make_client(manager)
    response = client.submit(f"/organisations/{org.id}/edit", org_form("bestaand"))
    assert response.status_code == 400
    assert "Er bestaat al een organisatie met deze naam." in response.get_data(as_text=True)
    db.session.refresh(org)
    assert org.name == "Mijn Bedrijf"
    # Changing only the case of its own name is fine.
    assert client.submit(f"/organisations/{org.id}/edit", org_form("MIJN bedrijf")).status_code == 302
    db.session.refresh(org)
    assert org.name == "MIJN bedrijf"


@pytest.mark.parametrize("field,value,message", [
    ("name", "x" * 121, "Gebruik maximaal 120 tekens."),
    ("description", "y" * 2001, "Gebruik maximaal 2000 tekens (nu 2001)."),
    ("sector", "s" * 81, "Gebruik maximaal 80 tekens."),
    ("name", "   ", None),
    ("name", "\u200b\u200b", None),
    ("kind", "castle", None),
    ("size_band", "huge", None),
])
def test_bad_organisation_input_is_refused_with_a_message(factories, make_client, field, value, message):
    client = make_client(factories.user())
    data = org_form("Goede Naam")
    data[field] = value
    response = client.submit("/organisations/new", data, page="/organisations/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="error"' in html
    if message:
        assert message in html
    assert org_count() == 0


def test_edit_with_overlong_fields_changes_nothing(factories, make_client):
    org = factories.organisation(name="Kort", description="oud")
    client = make_client(factories.member(org, role="manager"))
    for data in (org_form("n" * 121), org_form("Kort", description="d" * 2001)):
        response = client.submit(f"/organisations/{org.id}/edit", data)
        assert response.status_code == 400
        assert "Gebruik maximaal" in response.get_data(as_text=True)
    db.session.refresh(org)
    assert (org.name, org.description) == ("Kort", "oud")


def test_longest_allowed_values_are_accepted(factories, make_client):
    client = make_client(factories.user())
    org = _propose(client, "n" * 120, description="d" * 2000)
    assert len(org.name) == 120 and len(org.description) == 2000


@pytest.mark.parametrize("name", [
    "Zoë Metaal & Zn. 👩‍🔧", "شركة الهندسة", "חברת הנדסה", "李氏机械", "Ñandú e\u0301 Techniek",
])
def test_unicode_names_are_fine(factories, make_client, name):
    client = make_client(factories.user())
    org = _propose(client, name)
    stored = unicodedata.normalize("NFC", name)
    assert org.name == stored and org.name_key == stored.casefold()
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert stored.replace("&", "&amp;") in page


def test_unicode_search_is_case_insensitive(factories, make_client):
    admin = factories.admin()
    factories.organisation(name="Zoë Metaal", actor=admin)
    factories.organisation(name="Ölmühle Werkstatt", actor=admin)
    client = make_client(factories.user())
    page = client.get("/organisations/?q=ZOË").get_data(as_text=True)
    assert "Zoë Metaal" in page and "Ölmühle" not in page
    page = client.get("/organisations/?q=ölmühle").get_data(as_text=True)
    assert "Ölmühle Werkstatt" in page and "Zoë Metaal" not in page


# --- list: search, filter, paging -------------------------------------------------------------

@pytest.fixture
def catalogue(factories):
    admin = factories.admin()
    factories.organisation(name="Techniek Noord", city="Groningen", sector="Metaal", actor=admin)
    factories.organisation(name="Zorg Zuid", city="Maastricht", sector="Installatietechniek", actor=admin)
    factories.organisation(name="ROC Midden", kind="school", level="mbo", city="Utrecht", actor=admin)
    factories.organisation(name="Kennispartner West", kind="partner", city="Leiden", actor=admin)
    return admin


def names_on(client, url):
    html = client.get(url).get_data(as_text=True)
    return set(re.findall(r'<h2 class="h3"><a href="/organisations/\d+">([^<]+)</a>', html))


@pytest.mark.parametrize("query,expected", [
    ("", {"Techniek Noord", "Zorg Zuid", "ROC Midden", "Kennispartner West"}),
    ("?q=noord", {"Techniek Noord"}),
    ("?q=TECHNIEK", {"Techniek Noord", "Zorg Zuid"}),  # name of one, sector of the other
    ("?q=groningen", {"Techniek Noord"}),  # city
    ("?q=MAASTRICHT", {"Zorg Zuid"}),
    ("?q=installatie", {"Zorg Zuid"}),  # sector
    ("?q=%20%20noord%20", {"Techniek Noord"}),  # surrounding spaces are ignored
    ("?q=bestaat-niet", set()),
    ("?kind=school", {"ROC Midden"}),
    ("?kind=partner", {"Kennispartner West"}),
    ("?kind=company&q=techniek", {"Techniek Noord", "Zorg Zuid"}),
    ("?kind=school&q=techniek", set()),
    ("?kind=castle", {"Techniek Noord", "Zorg Zuid", "ROC Midden", "Kennispartner West"}),
])
def test_search_and_kind_filter(catalogue, factories, make_client, query, expected):
    client = make_client(factories.user())
    assert names_on(client, "/organisations/" + query) == expected


def test_no_results_message(catalogue, factories, make_client):
    html = make_client(factories.user()).get("/organisations/?q=bestaat-niet").get_data(as_text=True)
    assert 'value="bestaat-niet"' in html  # the search box keeps the query
    assert "Geen organisaties gevonden voor je zoekopdracht." in html and "Alles tonen" in html
    assert "Techniek Noord" not in html


def test_like_wildcards_in_search_are_literal(factories, make_client):
    admin = factories.admin()
    for name in ("100% Techniek", "1000 Bouwers", "A_B Installatie", "AXB Metaal", "Back\\slash BV"):
        factories.organisation(name=name, actor=admin)
    client = make_client(factories.user())
    assert names_on(client, "/organisations/?q=%25") == {"100% Techniek"}
    assert names_on(client, "/organisations/?q=100%25") == {"100% Techniek"}
    assert names_on(client, "/organisations/?q=_") == {"A_B Installatie"}
    assert names_on(client, "/organisations/?q=a_b") == {"A_B Installatie"}
    assert names_on(client, "/organisations/?q=%5C") == {"Back\\slash BV"}
    assert names_on(client, "/organisations/?q=%5C%25") == set()


def test_pagination(factories, make_client):
    admin = factories.admin()
    for n in range(1, 31):
        factories.organisation(name=f"Org {n:02d}", actor=admin)
    client = make_client(factories.user())
    first = {f"Org {n:02d}" for n in range(1, 26)}
    assert names_on(client, "/organisations/") == first
    page2 = client.get("/organisations/?page=2").get_data(as_text=True)
    assert "Pagina 2 van 2" in page2
    assert names_on(client, "/organisations/?page=2") == {f"Org {n:02d}" for n in range(26, 31)}
    assert client.get("/organisations/?page=%00").status_code == 400  # NUL: refused up front
    for bad in ("abc", "-1", "0", "1.5", "99999999999999999999", ""):
        response = client.get(f"/organisations/?page={bad}")
        assert response.status_code == 200, bad
        assert names_on(client, f"/organisations/?page={bad}") == first, bad
    # Past the end: an empty page, not an error.
    assert client.get("/organisations/?page=5").status_code == 200
    assert names_on(client, "/organisations/?page=5") == set()
    # The pager keeps the filters.
    html = client.get("/organisations/?q=org&kind=company").get_data(as_text=True)
    assert re.search(r'href="/organisations/\?[^"]*page=2', html)
    assert re.search(r'href="/organisations/\?[^"]*q=org', html)


def test_list_shows_my_membership_state(factories, make_client):
    admin = factories.admin()
    joined = factories.organisation(name="Lid Hier", actor=admin)
    asked = factories.organisation(name="Gevraagd Daar", actor=admin)
    factories.organisation(name="Niets Mee", actor=admin)
    user = factories.member(joined)
    factories.member(asked, who=user, approve=False)
    factories.member(joined)
    html = make_client(user).get("/organisations/").get_data(as_text=True)
    cards = dict(re.findall(r'<li class="card">\s*<h2 class="h3"><a [^>]+>([^<]+)</a></h2>(.*?)</li>',
                            html, re.S))
    assert "Je bent lid" in cards["Lid Hier"] and "2 leden" in cards["Lid Hier"]
    assert "Verzoek in behandeling" in cards["Gevraagd Daar"] and "0 leden" in cards["Gevraagd Daar"]
    assert "Je bent lid" not in cards["Niets Mee"] and "Verzoek" not in cards["Niets Mee"]


# --- members: joining, approving, roles, leaving ----------------------------------------------

def test_join_request_approve_and_decline(factories, make_client):
    org = factories.organisation(name="Werkplaats")
    manager = factories.member(org, role="manager")
    alice, bob = factories.user(name="Alice Aanvraag"), factories.user(name="Bob Bezoeker")
    boss, a_client, b_client = make_client(manager), make_client(alice), make_client(bob)

    response = a_client.submit(f"/organisations/{org.id}/join", {"message": "Ik werk bij jullie."})
    assert response.headers["Location"] == f"/organisations/{org.id}"
    page = a_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Je verzoek is verstuurd." in page and "Verzoek intrekken" in page
    b_client.submit(f"/organisations/{org.id}/join")

    # Asking twice is refused with a message and no second row.
    page = flash_after(a_client.submit(f"/organisations/{org.id}/join"), a_client)
    assert "al lid van deze organisatie of hebt al gevraagd" in page
    assert db.session.scalar(sa.select(sa.func.count(OrganisationMembership.id)).where(
        OrganisationMembership.user_id == alice.id)) == 1

    detail = boss.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Ik werk bij jullie." in detail and "Alice Aanvraag" in detail and "Bob Bezoeker" in detail

    a_mid, b_mid = membership_of(alice, org).id, membership_of(bob, org).id
    assert "Alice Aanvraag is nu lid" in flash_after(
        boss.submit(f"/organisations/memberships/{a_mid}/approve"), boss)
    boss.submit(f"/organisations/memberships/{b_mid}/decline")
    assert membership_of(alice, org).state == "active"
    assert membership_of(alice, org).decided_by_id == manager.id
    assert membership_of(bob, org) is None

    # Handling a request twice: a message, nothing changes.
    page = flash_after(boss.submit(f"/organisations/memberships/{a_mid}/approve"), boss)
    assert "Dit verzoek is al afgehandeld." in page
    # A declined user may ask again.
    assert b_client.submit(f"/organisations/{org.id}/join").status_code == 302
    assert membership_of(bob, org).state == "pending"
    assert "Je bent lid" in a_client.get("/organisations/").get_data(as_text=True)


def test_a_pending_request_cannot_get_a_role(factories, make_client):
    org = factories.organisation()
    boss = make_client(factories.member(org, role="manager"))
    requester = factories.member(org, approve=False)
    mid = membership_of(requester, org).id
    page = flash_after(boss.submit(f"/organisations/memberships/{mid}/role", {"role": "manager"}), boss)
    assert "Keur het verzoek eerst goed." in page
    assert (membership_of(requester, org).role, membership_of(requester, org).state) == ("member", "pending")


def test_unknown_role_is_refused(factories, make_client):
    org = factories.organisation()
    boss = make_client(factories.member(org, role="manager"))
    member = factories.member(org)
    mid = membership_of(member, org).id
    for role in ("owner", "", "MANAGER"):
        page = flash_after(boss.submit(f"/organisations/memberships/{mid}/role", {"role": role}), boss)
        assert "Kies een van de opties." in page
    assert membership_of(member, org).role == "member"


def test_last_manager_cannot_be_demoted_or_removed(factories, make_client):
    admin = factories.admin()
    org = factories.organisation(actor=admin)
    manager = factories.member(org, role="manager")
    factories.member(org)
    mid = membership_of(manager, org).id
    own, boss = make_client(manager), make_client(admin)

    # Demoting themself, by the manager or by an admin: refused with a message.
    for client in (own, boss):
        page = flash_after(client.submit(f"/organisations/memberships/{mid}/role", {"role": "member"}), client)
        assert LAST_MANAGER in page
        assert membership_of(manager, org).role == "manager"
    # Leaving as the last manager: refused too.
    page = flash_after(own.submit(f"/organisations/memberships/{mid}/remove"), own)
    assert LAST_MANAGER in page
    membership = membership_of(manager, org)
    assert (membership.role, membership.state) == ("manager", "active")
    assert own.get(f"/organisations/{org.id}/edit").status_code == 200


def test_with_two_managers_one_may_step_down(factories, make_client):
    org = factories.organisation()
    first, second = factories.member(org, role="manager"), factories.member(org, role="manager")
    client = make_client(first)
    assert client.submit(f"/organisations/memberships/{membership_of(first, org).id}/role",
                         {"role": "member"}).status_code == 302
    assert membership_of(first, org).role == "member"
    assert client.get(f"/organisations/{org.id}/edit").status_code == 403
    # The remaining manager is now the last one and stays.
    second_client = make_client(second)
    page = flash_after(second_client.submit(
        f"/organisations/memberships/{membership_of(second, org).id}/remove"), second_client)
    assert LAST_MANAGER in page
    assert membership_of(second, org) is not None


def test_member_can_leave(factories, make_client):
    org = factories.organisation(name="Vertrekpunt")
    factories.member(org, role="manager")
    member = factories.member(org)
    client = make_client(member)
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Organisatie verlaten" in page
    response = client.submit(f"/organisations/memberships/{membership_of(member, org).id}/remove")
    assert response.headers["Location"] == "/dashboard"
    assert "Je hebt de organisatie verlaten." in client.get("/dashboard").get_data(as_text=True)
    assert membership_of(member, org) is None
    # Leaving does not hide the organisation; they may ask again.
    assert "Lidmaatschap aanvragen" in client.get(f"/organisations/{org.id}").get_data(as_text=True)


def test_pending_request_can_be_withdrawn(factories, make_client):
    org = factories.organisation()
    requester = factories.member(org, approve=False)
    client = make_client(requester)
    assert "Verzoek intrekken" in client.get(f"/organisations/{org.id}").get_data(as_text=True)
    response = client.submit(f"/organisations/memberships/{membership_of(requester, org).id}/remove")
    assert response.status_code == 302
    assert membership_of(requester, org) is None


def test_manager_removes_a_member_but_not_from_another_org(factories, make_client):
    admin = factories.admin()
    org, other = factories.organisation(actor=admin), factories.organisation(actor=admin)
    manager = factories.member(org, role="manager")
    theirs = factories.member(other)
    ours = factories.member(org, who=factories.user(name="Weg Ermee"))
    client = make_client(manager)
    page = flash_after(client.submit(f"/organisations/memberships/{membership_of(ours, org).id}/remove"),
                       client)
    assert "Weg Ermee is verwijderd" in page
    assert membership_of(ours, org) is None
    assert client.submit(f"/organisations/memberships/{membership_of(theirs, other).id}/remove"
                         ).status_code == 403
    assert membership_of(theirs, other) is not None


# --- a fixed number of queries ----------------------------------------------------------------

def _orgs_with_members(factories, admin, start, stop):
    for n in range(start, stop):
        org = factories.organisation(name=f"Query Org {n:02d}", city="Delft", actor=admin)
        factories.member(org, role="manager")
        factories.member(org)


def test_organisation_list_query_count_does_not_grow(factories, make_client, count_queries):
    admin = factories.admin()
    viewer = factories.user()
    _orgs_with_members(factories, admin, 0, 3)
    client = make_client(viewer)
    client.get("/organisations/")  # warm up
    with count_queries() as small:
        assert client.get("/organisations/").status_code == 200
    _orgs_with_members(factories, admin, 3, 30)
    # The viewer's own state per card (member / request pending) comes from the same query.
    first = db.session.scalar(sa.select(Organisation).order_by(Organisation.name_key))
    factories.member(first, who=viewer, approve=False)
    with count_queries() as large:
        response = client.get("/organisations/")
    assert response.status_code == 200
    assert len(names_on(client, "/organisations/")) == 25
    assert large.count == small.count, large.statements


def test_organisation_detail_query_count_does_not_grow(factories, make_client, count_queries):
    org = factories.organisation()
    manager = factories.member(org, role="manager")
    factories.member(org)
    factories.member(org, approve=False)
    client = make_client(manager)
    client.get(f"/organisations/{org.id}")
    with count_queries() as small:
        assert client.get(f"/organisations/{org.id}").status_code == 200
    for _ in range(38):
        factories.member(org)
    for _ in range(3):
        factories.member(org, approve=False)
    with count_queries() as large:
        response = client.get(f"/organisations/{org.id}")
    assert response.status_code == 200
    assert "(40)" in response.get_data(as_text=True)
    assert large.count == small.count, large.statements
