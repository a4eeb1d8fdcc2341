"""Community actions (community/actions/communities.py) and the community permission predicates:
creating and editing, archiving, joining, requests, picked invitations, leaving and roles (a
community always keeps a coordinator), invitation links, the activity feed the actions write,
a role x community permission table, and the demo seed."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import NotFound

from community import markup, permissions
from community.actions import ActionError, Conflict, NotAllowed, accounts
from community.actions import communities as actions
from community.extensions import db
from community.models import Community, CommunityMembership, FeedEntry, Invitation, User, utcnow
from community.security import digest, new_secret
from tests.helpers import membership_of


# --- helpers ------------------------------------------------------------------------------------

def counts():
    """Rows in every table a community action writes."""
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Community, CommunityMembership, Invitation, FeedEntry)}


def feed(community):
    """The community's feed as (kind, actor id, subject id, data), oldest first."""
    return [(e.kind, e.actor_id, e.subject_id, e.data) for e in db.session.scalars(
        sa.select(FeedEntry).where(FeedEntry.community_id == community.id).order_by(FeedEntry.id))]


def kinds(community):
    return [entry[0] for entry in feed(community)]


def refused(call, *args, **kwargs):
    """Run an action that must refuse; return the error."""
    with pytest.raises(ActionError) as info:
        call(*args, **kwargs)
    db.session.rollback()
    return info.value


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


@pytest.fixture(autouse=True)
def _request_context(app, _clean_database):
    """Actions run inside a request in real life; their error messages are translated lazily and
    the locale is chosen per request."""
    with app.test_request_context():
        yield


@pytest.fixture
def admin(factories):
    return factories.admin()


@pytest.fixture
def coordinator(factories):
    return factories.user(name="Peter Bakker", kind="teacher")


# --- creating -----------------------------------------------------------------------------------

def test_admin_creates_a_community_and_appoints_its_coordinator(factories, admin, coordinator):
    community = actions.create_community(
        admin, "Smart Maintenance Oost", coordinator=coordinator, description="Over *onderhoud*.",
        visibility="public", join_policy="request", sector="Onderhoud", topic="Smart maintenance")
    community = fresh(community)
    assert (community.slug, community.sector, community.topic, community.join_policy) == (
        "smart-maintenance-oost", "Onderhoud", "Smart maintenance", "request")
    assert community.created_by_id == admin.id and not community.archived
    membership = membership_of(coordinator, community)
    assert (membership.role, membership.state, membership.decided_by_id) == ("coordinator", "active", admin.id)
    assert membership_of(admin, community) is None  # the admin runs the platform, not this community
    assert feed(community) == [("community_created", admin.id, None, {})]


def test_without_a_coordinator_the_creating_admin_coordinates(admin):
    community = actions.create_community(admin, "Techniek Noord")
    assert membership_of(admin, community).is_coordinator


@pytest.mark.parametrize("who", ["member", "coordinator", "disabled_admin", "anonymous"])
def test_only_active_admins_create_communities(factories, admin, who):
    existing = factories.community(actor=admin)
    actor = {
        "member": lambda: factories.community_member(existing).user,
        "coordinator": lambda: membership_coordinator(existing),
        "disabled_admin": lambda: accounts.set_user_active(admin, factories.admin(), False),
        "anonymous": AnonymousUserMixin,
    }[who]()
    before = counts()
    error = refused(actions.create_community, actor, "Nieuwe kring")
    assert isinstance(error, NotAllowed) and (error.status, error.code) == (403, "forbidden")
    assert counts() == before


def membership_coordinator(community):
    return db.session.scalar(sa.select(User).join(CommunityMembership, CommunityMembership.user_id == User.id)
                             .where(CommunityMembership.community_id == community.id,
                                    CommunityMembership.role == "coordinator"))


@pytest.mark.parametrize("name,slug", [
    ("Lassen & Cobots — Zuid", "lassen-cobots-zuid"),
    ("Smart Maintenance Oost", "smart-maintenance-oost"),
    ("Zoë's café: één keer per maand", "zoe-s-cafe-een-keer-per-maand"),
    ("  --Techniek!!  ", "techniek"),
    ("Ĳzerwerk", "ijzerwerk"),
    ("李小龙的社区", "leergemeenschap"),
    ("🔧🔩", "leergemeenschap"),
])
def test_slug_is_made_from_the_name(admin, name, slug):
    assert actions.create_community(admin, name).slug == slug


def test_generated_slugs_are_unique_and_valid(admin):
    slugs = [actions.create_community(admin, "Lassen & Cobots — Zuid").slug for _ in range(3)]
    assert slugs == ["lassen-cobots-zuid", "lassen-cobots-zuid-2", "lassen-cobots-zuid-3"]
    # Long names: the slug is cut to 60 characters, also with a number added, and never ends up
    # with a double or trailing hyphen where it was cut.
    for name in ("a" * 55 + " " + "b" * 60, "Opleiding " * 12, "x" * 120):
        for _ in range(3):
            slug = actions.create_community(admin, name).slug
            assert len(slug) <= 60 and actions.SLUG_RE.match(slug), slug
            slugs.append(slug)
    assert len(set(slugs)) == len(slugs)


def test_an_explicit_slug_is_normalised(admin):
    assert actions.create_community(admin, "Kring", slug="  Smart-Onderhoud ").slug == "smart-onderhoud"


def test_a_taken_slug_given_explicitly_is_a_conflict_on_the_slug_field(admin):
    actions.create_community(admin, "Eerste", slug="techniek-noord")
    before = counts()
    error = refused(actions.create_community, admin, "Tweede", slug="techniek-noord")
    assert isinstance(error, Conflict) and (error.field, error.status, error.code) == ("slug", 409, "conflict")
    assert counts() == before


@pytest.mark.parametrize("slug", [
    "ab", "a" * 61, "-abc", "abc-", "ab--cd", "café-oost", "smart_onderhoud", "smart onderhoud",
    "smart/onderhoud", "../admin", "smart.onderhoud", "\u200bsmart", "smart%20x", "ｓｍａｒｔ",
])
def test_invalid_slug_characters_are_refused(admin, slug):
    before = counts()
    error = refused(actions.create_community, admin, "Kring", slug=slug)
    assert (error.field, error.status, error.code) == ("slug", 422, "invalid")
    assert counts() == before


@pytest.mark.parametrize("field,value", [
    ("name", ""), ("name", "   "), ("name", "\u200b\u200b"), ("name", "x" * 121),
    ("description", "x" * (actions.DESCRIPTION_MAX + 1)),
    ("sector", "s" * 81), ("topic", "t" * 81),
    ("visibility", "secret"), ("join_policy", "anyone"), ("join_policy", None),
])
def test_invalid_fields_are_refused_and_nothing_is_written(admin, field, value):
    data = dict(name="Goede naam", description="", visibility="public", join_policy="open", sector="",
                topic="")
    data[field] = value
    before = counts()
    error = refused(actions.create_community, admin, **data)
    assert error.field == field and error.status == 422
    assert counts() == before


def test_longest_allowed_values_are_accepted(admin):
    community = actions.create_community(admin, "n" * 120, description="d" * actions.DESCRIPTION_MAX,
                                         sector="s" * 80, topic="t" * 80)
    assert len(fresh(community).name) == 120


def test_description_is_rendered_and_sanitised_at_write_time(admin):
    source = ("# Welkom\n\nWe delen **praktijkcasussen**.\n\n- een\n- twee\n\n"
              "<script>alert(1)</script> [klik](javascript:alert(1)) [site](https://example.org)")
    community = fresh(actions.create_community(admin, "Kring", description=source))
    assert community.description == source
    html = community.description_html
    assert "<h1>Welkom</h1>" in html and "<strong>praktijkcasussen</strong>" in html and "<li>twee</li>" in html
    assert "<script" not in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener ugc"' in html
    assert 'href="javascript' not in html
    assert community.render_version == markup.RENDER_VERSION


def test_only_private_communities_can_be_unlisted(admin):
    assert actions.create_community(admin, "Open", visibility="public", unlisted=True).unlisted is False
    assert actions.create_community(admin, "Dicht", visibility="private", unlisted=True).unlisted is True


def test_rerender_redoes_descriptions_of_an_older_renderer(admin):
    community = actions.create_community(admin, "Kring", description="**vet**")
    community.render_version, community.description_html = 0, "oud"  # test setup: an old row
    db.session.commit()
    assert actions.rerender_descriptions() == 1
    community = fresh(community)
    assert community.description_html == markup.render("**vet**")
    assert community.render_version == markup.RENDER_VERSION
    assert actions.rerender_descriptions() == 0


# --- editing ------------------------------------------------------------------------------------

def update_args(community, **changes):
    values = dict(name=community.name, description=community.description, visibility=community.visibility,
                  unlisted=community.unlisted, join_policy=community.join_policy, sector=community.sector,
                  topic=community.topic)
    values.update(changes)
    return values


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinators_and_admins_edit_a_community(factories, admin, coordinator, who):
    community = factories.community(name="Oud", actor=admin, coordinator=coordinator)
    slug = community.slug
    actor = {"coordinator": coordinator, "admin": admin}[who]
    actions.update_community(actor, community, **update_args(community, name="Nieuw", description="*nieuw*"))
    community = fresh(community)
    assert (community.name, community.slug) == ("Nieuw", slug)  # the address stays unless asked
    assert community.description_html == "<p><em>nieuw</em></p>\n"
    assert community.render_version == markup.RENDER_VERSION


@pytest.mark.parametrize("who", ["member", "outsider", "other_coordinator", "pending", "invited", "anonymous"])
def test_others_cannot_edit_a_community(factories, admin, coordinator, who):
    community = factories.community(name="Oud", actor=admin, coordinator=coordinator, join_policy="request")
    actor = {
        "member": lambda: factories.community_member(community).user,
        "outsider": lambda: factories.user(),
        "other_coordinator": lambda: membership_coordinator(factories.community()),
        "pending": lambda: factories.community_member(community, state="pending").user,
        "invited": lambda: factories.community_member(community, state="invited").user,
        "anonymous": AnonymousUserMixin,
    }[who]()
    error = refused(actions.update_community, actor, community, **update_args(community, name="Gekaapt"))
    assert isinstance(error, NotAllowed)
    assert fresh(community).name == "Oud"


def test_editing_to_a_taken_slug_is_a_conflict_and_changes_nothing(factories, admin, coordinator):
    factories.community(slug="bezet", actor=admin)
    community = factories.community(name="Oud", slug="mijn-kring", actor=admin, coordinator=coordinator)
    error = refused(actions.update_community, coordinator, community,
                    **update_args(community, name="Nieuw", slug="bezet"))
    assert isinstance(error, Conflict) and error.field == "slug"
    assert (fresh(community).name, fresh(community).slug) == ("Oud", "mijn-kring")
    actions.update_community(coordinator, community, **update_args(community, slug="mijn-kring"))  # own slug
    actions.update_community(coordinator, community, **update_args(community, slug="andere-kring"))
    assert fresh(community).slug == "andere-kring"


def test_invalid_edit_changes_nothing(factories, coordinator):
    community = factories.community(name="Oud", coordinator=coordinator, description="bron")
    refused(actions.update_community, coordinator, community,
            **update_args(community, name="Nieuw", description="x" * (actions.DESCRIPTION_MAX + 1)))
    community = fresh(community)
    assert (community.name, community.description) == ("Oud", "bron")


# --- archiving ----------------------------------------------------------------------------------

def test_archived_community_refuses_joining_requests_invitations_and_links(factories, admin, coordinator):
    open_c = factories.community(actor=admin, coordinator=coordinator, join_policy="open")
    request_c = factories.community(actor=admin, coordinator=coordinator, join_policy="request")
    pending = factories.community_member(request_c, state="pending")
    _, token = actions.create_invite_link(coordinator, open_c)
    member = factories.community_member(open_c).user
    for community in (open_c, request_c):
        actions.set_archived(coordinator, community, True)
    outsider = factories.user()
    before = counts()
    attempts = {
        "join": lambda: actions.join(outsider, open_c),
        "request": lambda: actions.request_to_join(outsider, request_c),
        "invite user": lambda: actions.invite_user(coordinator, open_c, outsider),
        "approve request": lambda: actions.decide_request(coordinator, fresh(pending), approve=True),
        "create link": lambda: actions.create_invite_link(coordinator, open_c),
        "use link": lambda: actions.use_invite_link(outsider, token),
    }
    codes = {label: (refused(attempt).code, refused(attempt).status) for label, attempt in attempts.items()}
    assert codes == dict.fromkeys(attempts, ("archived", 409))
    assert counts() == before
    # Still readable, for members and (public) outsiders alike.
    assert permissions.access_community_or_404(open_c.slug, outsider) == open_c
    assert permissions.can_view_community(member, open_c)
    assert not permissions.can_join(outsider, open_c)
    assert not permissions.can_request_to_join(outsider, request_c)


def test_archiving_and_reopening_write_feed_entries_once(factories, coordinator):
    community = factories.community(coordinator=coordinator)
    actions.set_archived(coordinator, community, True)
    actions.set_archived(coordinator, community, True)  # no change, no entry
    assert fresh(community).archived
    actions.set_archived(coordinator, community, False)
    assert kinds(community) == ["community_created", "community_archived", "community_reopened"]
    actions.join(factories.user(), community)  # open again


def test_members_cannot_archive(factories, coordinator):
    community = factories.community(coordinator=coordinator)
    member = factories.community_member(community).user
    assert isinstance(refused(actions.set_archived, member, community, True), NotAllowed)
    assert not fresh(community).archived


# --- joining ------------------------------------------------------------------------------------

def test_anyone_signed_in_joins_an_open_community(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="open")
    user = factories.user()
    membership = actions.join(user, community)
    assert (membership.role, membership.state) == ("member", "active")
    assert feed(community)[-1] == ("member_joined", user.id, user.id, {})
    error = refused(actions.join, user, community)
    assert isinstance(error, Conflict)


@pytest.mark.parametrize("visibility,unlisted,join_policy,joins", [
    ("public", False, "open", True),
    ("private", False, "open", True),
    ("private", True, "open", False),  # cannot even see it
    ("public", False, "request", False),
    ("private", False, "request", False),
    ("public", False, "invite", False),
    ("private", True, "invite", False),
])
def test_who_joins_directly(factories, visibility, unlisted, join_policy, joins):
    community = factories.community(visibility=visibility, unlisted=unlisted, join_policy=join_policy)
    user = factories.user()
    before = counts()
    if joins:
        assert actions.join(user, community).is_active
    else:
        assert isinstance(refused(actions.join, user, community), NotAllowed)
        assert counts() == before


def test_anonymous_and_disabled_users_cannot_join(factories, admin):
    community = factories.community(join_policy="open")
    disabled = accounts.set_user_active(admin, factories.user(), False)
    before = counts()
    for who in (AnonymousUserMixin(), disabled):
        assert isinstance(refused(actions.join, who, community), NotAllowed)
    assert counts() == before


# --- requests to join ---------------------------------------------------------------------------

def test_request_then_approve(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="request", visibility="private")
    user = factories.user()
    membership = actions.request_to_join(user, community, message="  Ik werk bij Brouwer.  ")
    assert (membership.state, membership.message) == ("pending", "Ik werk bij Brouwer.")
    assert kinds(community) == ["community_created"]  # a request is not news yet
    assert not permissions.can_view_community(user, community)
    actions.decide_request(coordinator, membership, approve=True)
    membership = fresh(membership)
    assert (membership.state, membership.decided_by_id) == ("active", coordinator.id)
    assert membership.decided_at is not None
    assert feed(community)[-1] == ("member_joined", coordinator.id, user.id, {})
    assert permissions.can_view_community(user, community)


def test_request_then_decline_removes_the_request_and_writes_no_feed(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="request")
    user = factories.user()
    membership = actions.request_to_join(user, community)
    before = feed(community)
    assert actions.decide_request(coordinator, membership, approve=False) is None
    assert membership_of(user, community) is None
    assert feed(community) == before
    actions.request_to_join(user, community)  # may ask again later


def test_a_request_is_decided_once(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="request")
    membership = factories.community_member(community, state="pending")
    actions.decide_request(coordinator, membership, approve=True)
    error = refused(actions.decide_request, coordinator, fresh(membership), approve=False)
    assert (error.status, error.code) == (409, "conflict")
    assert fresh(membership).is_active


@pytest.mark.parametrize("who", ["member", "outsider", "other_coordinator", "requester"])
def test_only_coordinators_decide_requests(factories, coordinator, who):
    community = factories.community(coordinator=coordinator, join_policy="request")
    membership = factories.community_member(community, state="pending")
    actor = {
        "member": lambda: factories.community_member(community).user,
        "outsider": lambda: factories.user(),
        "other_coordinator": lambda: membership_coordinator(factories.community()),
        "requester": lambda: membership.user,
    }[who]()
    assert isinstance(refused(actions.decide_request, actor, membership, approve=True), NotAllowed)
    assert fresh(membership).state == "pending"


def test_asking_twice_is_a_conflict(factories):
    community = factories.community(join_policy="request")
    user = factories.user()
    actions.request_to_join(user, community)
    member = factories.community_member(community).user
    before = counts()
    assert isinstance(refused(actions.request_to_join, user, community), Conflict)
    assert isinstance(refused(actions.request_to_join, member, community), Conflict)
    assert counts() == before


@pytest.mark.parametrize("join_policy", ["open", "invite"])
def test_communities_without_requests_refuse_them(factories, join_policy):
    community = factories.community(join_policy=join_policy)
    before = counts()
    assert isinstance(refused(actions.request_to_join, factories.user(), community), NotAllowed)
    assert counts() == before


def test_unlisted_communities_take_no_requests_from_outsiders(factories):
    community = factories.community(visibility="private", unlisted=True, join_policy="request")
    assert isinstance(refused(actions.request_to_join, factories.user(), community), NotAllowed)


def test_request_message_is_limited(factories):
    community = factories.community(join_policy="request")
    before = counts()
    error = refused(actions.request_to_join, factories.user(), community, message="m" * 501)
    assert error.field == "message"
    assert counts() == before


def test_a_requester_can_withdraw(factories):
    community = factories.community(join_policy="request")
    membership = factories.community_member(community, state="pending")
    before = feed(community)
    actions.leave(membership.user, community)
    assert membership_of(membership.user, community) is None
    assert feed(community) == before


# --- picked invitations -------------------------------------------------------------------------

def test_invite_user_then_they_accept(factories, coordinator):
    community = factories.community(coordinator=coordinator, visibility="private", unlisted=True, join_policy="invite")
    user = factories.user()
    assert not permissions.can_see_community_listing(user, community)
    membership = actions.invite_user(coordinator, community, user)
    assert (membership.state, membership.decided_by_id) == ("invited", coordinator.id)
    assert kinds(community) == ["community_created"]
    assert permissions.can_see_community_listing(user, community)
    assert not permissions.can_view_community(user, community)
    assert permissions.can_join(user, community)
    assert actions.invite_user(coordinator, community, user).id == membership.id  # again: same row
    actions.join(user, community)
    assert fresh(membership).is_active
    assert feed(community)[-1] == ("member_joined", user.id, user.id, {})
    assert permissions.can_view_community(user, community)


def test_an_invited_user_can_decline(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="invite")
    membership = factories.community_member(community, state="invited")
    before = feed(community)
    actions.leave(membership.user, community)
    assert membership_of(membership.user, community) is None
    assert feed(community) == before


def test_inviting_a_pending_requester_approves_them(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="request")
    membership = factories.community_member(community, state="pending")
    actions.invite_user(coordinator, community, membership.user)
    assert fresh(membership).is_active
    assert feed(community)[-1] == ("member_joined", coordinator.id, membership.user_id, {})


def test_inviting_a_member_or_a_disabled_user_is_refused(factories, admin, coordinator):
    community = factories.community(coordinator=coordinator)
    member = factories.community_member(community).user
    error = refused(actions.invite_user, coordinator, community, member)
    assert isinstance(error, Conflict) and error.field == "user"
    disabled = accounts.set_user_active(admin, factories.user(), False)
    before = counts()
    assert refused(actions.invite_user, coordinator, community, disabled).field == "user"
    assert counts() == before


@pytest.mark.parametrize("who", ["member", "outsider", "other_coordinator"])
def test_only_coordinators_invite(factories, who):
    community = factories.community(join_policy="invite")
    actor = {
        "member": lambda: factories.community_member(community).user,
        "outsider": lambda: factories.user(),
        "other_coordinator": lambda: membership_coordinator(factories.community()),
    }[who]()
    before = counts()
    assert isinstance(refused(actions.invite_user, actor, community, factories.user()), NotAllowed)
    assert isinstance(refused(actions.create_invite_link, actor, community), NotAllowed)
    assert counts() == before


# --- leaving, roles, removing: a community keeps a coordinator ----------------------------------

def test_a_member_leaves(factories):
    community = factories.community()
    user = factories.community_member(community).user
    actions.leave(user, community)
    assert membership_of(user, community) is None
    assert feed(community)[-1] == ("member_left", user.id, user.id, {})


def test_leaving_without_membership_is_refused(factories):
    community = factories.community()
    error = refused(actions.leave, factories.user(), community)
    assert (error.status, error.code) == (409, "conflict")


def test_the_last_coordinator_cannot_leave_until_another_is_appointed(factories, coordinator):
    community = factories.community(coordinator=coordinator)
    own = membership_of(coordinator, community)
    before = counts()
    error = refused(actions.leave, coordinator, community)
    assert (error.status, error.code) == (409, "last_coordinator")
    error = refused(actions.set_role, coordinator, own, "member")
    assert error.code == "last_coordinator"
    admin = factories.admin()
    assert refused(actions.remove_member, admin, own).code == "last_coordinator"
    assert refused(actions.remove_member, coordinator, own).code == "last_coordinator"
    assert counts() == before
    assert fresh(own).is_coordinator

    successor = factories.community_member(community)
    actions.set_role(coordinator, successor, "coordinator")
    actions.leave(coordinator, community)
    assert membership_of(coordinator, community) is None
    # And now the successor is the last one.
    assert refused(actions.set_role, admin, fresh(successor), "member").code == "last_coordinator"


def test_with_two_coordinators_either_can_be_demoted_or_removed(factories, admin, coordinator):
    community = factories.community(coordinator=coordinator)
    second = factories.community_member(community, role="coordinator")
    actions.set_role(second.user, membership_of(coordinator, community), "member")
    assert membership_of(coordinator, community).role == "member"
    assert refused(actions.set_role, second.user, fresh(second), "member").code == "last_coordinator"
    actions.set_role(second.user, membership_of(coordinator, community), "coordinator")
    actions.remove_member(admin, fresh(second))
    assert membership_of(second.user, community) is None


@pytest.mark.parametrize("who,allowed", [
    ("coordinator", True), ("admin", True), ("member", False), ("outsider", False),
    ("other_coordinator", False), ("target_self", False),
])
def test_who_may_change_roles(factories, admin, coordinator, who, allowed):
    community = factories.community(coordinator=coordinator, actor=admin)
    target = factories.community_member(community)
    actor = {
        "coordinator": coordinator, "admin": admin, "member": factories.community_member(community).user,
        "outsider": factories.user(), "other_coordinator": membership_coordinator(factories.community()),
        "target_self": target.user,
    }[who]
    if allowed:
        actions.set_role(actor, target, "coordinator")
        assert fresh(target).is_coordinator
        assert feed(community)[-1] == ("role_changed", actor.id, target.user_id, {"role": "coordinator"})
    else:
        assert isinstance(refused(actions.set_role, actor, target, "coordinator"), NotAllowed)
        assert fresh(target).role == "member"


def test_roles_are_checked(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="request")
    member = factories.community_member(community)
    assert refused(actions.set_role, coordinator, member, "admin").field == "role"
    pending = factories.community_member(community, state="pending")
    assert refused(actions.set_role, coordinator, pending, "coordinator").code == "conflict"
    before = feed(community)
    actions.set_role(coordinator, member, "member")  # no change, no entry
    assert feed(community) == before


def test_coordinators_remove_members_without_a_feed_entry(factories, coordinator):
    community = factories.community(coordinator=coordinator)
    member = factories.community_member(community)
    user = member.user
    other = factories.community_member(community)
    assert isinstance(refused(actions.remove_member, other.user, member), NotAllowed)
    before = feed(community)
    actions.remove_member(coordinator, member)
    assert membership_of(user, community) is None
    assert feed(community) == before


# --- invitation links ---------------------------------------------------------------------------

def test_creating_a_link_stores_only_the_hash(factories, coordinator):
    community = factories.community(coordinator=coordinator)
    started = utcnow()
    invitation, token = actions.create_invite_link(coordinator, community, days=7, max_uses=5, note="Open dag")
    invitation = fresh(invitation)
    assert invitation.token_hash == digest(token) and token not in invitation.token_hash
    assert (invitation.max_uses, invitation.uses, invitation.note, invitation.created_by_id) == (
        5, 0, "Open dag", coordinator.id)
    assert started + timedelta(days=7) <= invitation.expires_at <= utcnow() + timedelta(days=7)
    assert invitation.state() == "active"
    assert actions.find_invitation(token) == (invitation, None)


@pytest.mark.parametrize("days,max_uses", [(1, None), (90, 1), (14, 1000)])
def test_link_limits_at_the_edges_are_accepted(factories, coordinator, days, max_uses):
    community = factories.community(coordinator=coordinator)
    invitation, _ = actions.create_invite_link(coordinator, community, days=days, max_uses=max_uses)
    assert (invitation.max_uses, invitation.state()) == (max_uses, "active")


@pytest.mark.parametrize("field,kwargs", [
    ("days", dict(days=0)), ("days", dict(days=91)), ("days", dict(days=-1)), ("days", dict(days="14")),
    ("days", dict(days=1.5)), ("days", dict(days=None)), ("days", dict(days=True)),
    ("max_uses", dict(max_uses=0)), ("max_uses", dict(max_uses=1001)), ("max_uses", dict(max_uses=-5)),
    ("max_uses", dict(max_uses="10")), ("max_uses", dict(max_uses=2.5)), ("max_uses", dict(max_uses=True)),
    ("note", dict(note="n" * 121)),
])
def test_link_limits_out_of_range_are_refused(factories, coordinator, field, kwargs):
    community = factories.community(coordinator=coordinator)
    before = counts()
    error = refused(actions.create_invite_link, coordinator, community, **kwargs)
    assert (error.field, error.status) == (field, 422)
    assert counts() == before


def test_using_a_link_joins_and_counts_once_per_person(factories, coordinator):
    community = factories.community(coordinator=coordinator, visibility="private", unlisted=True, join_policy="invite")
    invitation, token = actions.create_invite_link(coordinator, community)
    first, second = factories.user(), factories.user()
    membership = actions.use_invite_link(first, token)
    assert (membership.user_id, membership.state, membership.role) == (first.id, "active", "member")
    assert feed(community)[-1] == ("member_joined", first.id, first.id, {"via": "invitation"})
    actions.use_invite_link(second, token)
    assert fresh(invitation).uses == 2
    entries = len(feed(community))
    assert actions.use_invite_link(first, token).id == membership.id  # following it again
    assert fresh(invitation).uses == 2 and len(feed(community)) == entries
    assert permissions.can_view_community(first, community)


def test_a_link_turns_a_picked_invitation_or_a_request_into_membership(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="request")
    invitation, token = actions.create_invite_link(coordinator, community)
    invited = factories.community_member(community, state="invited")
    pending = factories.community_member(community, state="pending")
    for membership in (invited, pending):
        actions.use_invite_link(membership.user, token)
        assert fresh(membership).is_active
    assert fresh(invitation).uses == 2


def test_a_used_up_link_refuses_newcomers_but_not_the_member_who_used_it(factories, coordinator):
    community = factories.community(coordinator=coordinator, join_policy="invite")
    invitation, token = actions.create_invite_link(coordinator, community, max_uses=1)
    first = factories.user()
    actions.use_invite_link(first, token)
    before = counts()
    error = refused(actions.use_invite_link, factories.user(), token)
    assert (error.status, error.code) == (410, "invitation_used_up")
    assert counts() == before
    assert fresh(invitation).state() == "used_up"
    # A double click or a bookmark: the member who took the last use is simply a member.
    assert actions.use_invite_link(first, token).user_id == first.id
    assert fresh(invitation).uses == 1


def test_an_expired_link_is_refused(factories, coordinator):
    community = factories.community(coordinator=coordinator)
    invitation, token = actions.create_invite_link(coordinator, community, days=1)
    invitation.expires_at = utcnow() - timedelta(seconds=1)  # test setup: time has passed
    db.session.commit()
    before = counts()
    error = refused(actions.use_invite_link, factories.user(), token)
    assert (error.status, error.code) == (410, "invitation_expired")
    assert actions.find_invitation(token) == (fresh(invitation), "expired")
    assert counts() == before and fresh(invitation).uses == 0


def test_a_revoked_link_is_refused(factories, coordinator):
    community = factories.community(coordinator=coordinator)
    invitation, token = actions.create_invite_link(coordinator, community)
    member = factories.community_member(community).user
    assert isinstance(refused(actions.revoke_invite_link, member, invitation), NotAllowed)
    actions.revoke_invite_link(coordinator, invitation)
    revoked_at = fresh(invitation).revoked_at
    actions.revoke_invite_link(coordinator, fresh(invitation))  # again: nothing changes
    assert fresh(invitation).revoked_at == revoked_at is not None
    before = counts()
    error = refused(actions.use_invite_link, factories.user(), token)
    assert (error.status, error.code) == (410, "invitation_revoked")
    assert counts() == before


@pytest.mark.parametrize("token", [
    "", "abcde", "x" * 500, "ä" * 20, "🙂" * 20, "\ud800" * 20, "\x00" * 20, " " * 20, None, 12345,
    "../../etc/passwd", "'; DROP TABLE invitations; --", "UNKNOWN-" + "a" * 24,
], ids=["empty", "5 chars", "500 chars", "umlauts", "emoji", "lone surrogates", "NULs", "spaces", "None",
        "int", "path", "sql", "well-formed but unknown"])
def test_unknown_and_garbage_tokens_are_unknown(factories, coordinator, token):
    community = factories.community(coordinator=coordinator)
    actions.create_invite_link(coordinator, community)
    assert actions.find_invitation(token) == (None, "unknown")
    before = counts()
    error = refused(actions.use_invite_link, factories.user(), token)
    assert (error.status, error.code) == (404, "invitation_unknown")
    assert counts() == before


def test_a_real_token_with_extra_characters_is_unknown(factories, coordinator):
    community = factories.community(coordinator=coordinator)
    _, token = actions.create_invite_link(coordinator, community)
    for variant in (token + " ", token + "\n", "\n" + token, token[:-1], token.upper(), token + "x", new_secret(24)):
        assert actions.find_invitation(variant) == (None, "unknown"), variant


# --- the feed as the actions write it -----------------------------------------------------------

def test_the_feed_tells_the_story_of_a_community(factories, admin, coordinator):
    community = factories.community(coordinator=coordinator, actor=admin, join_policy="request")
    joiner = factories.user()
    actions.decide_request(coordinator, actions.request_to_join(joiner, community), approve=True)
    actions.decide_request(coordinator, actions.request_to_join(factories.user(), community), approve=False)
    _, token = actions.create_invite_link(coordinator, community)
    linked = factories.user()
    actions.use_invite_link(linked, token)
    actions.set_role(coordinator, membership_of(joiner, community), "coordinator")
    actions.remove_member(coordinator, membership_of(linked, community))
    actions.leave(joiner, community)
    assert feed(community) == [
        ("community_created", admin.id, None, {}),
        ("member_joined", coordinator.id, joiner.id, {}),
        ("member_joined", linked.id, linked.id, {"via": "invitation"}),
        ("role_changed", coordinator.id, joiner.id, {"role": "coordinator"}),
        ("member_left", joiner.id, joiner.id, {}),
    ]


# --- the permission predicates as a table -------------------------------------------------------

COLUMNS = ("public/open", "public/request", "private/listed/request", "private/unlisted/invite")
ROLES = ("anonymous", "outsider", "pending", "invited", "member", "coordinator", "other_coordinator",
         "admin", "disabled")

# Y = yes, N = no, - = not built (nobody can ask to join a community without requests).
EXPECTED = {
    "can_view_community": """
        anonymous          N N N N
        outsider           Y Y N N
        pending            - Y N -
        invited            Y Y N N
        member             Y Y Y Y
        coordinator        Y Y Y Y
        other_coordinator  Y Y N N
        admin              Y Y Y Y
        disabled           N N N N
    """,
    "can_see_community_listing": """
        anonymous          N N N N
        outsider           Y Y Y N
        pending            - Y Y -
        invited            Y Y Y Y
        member             Y Y Y Y
        coordinator        Y Y Y Y
        other_coordinator  Y Y Y N
        admin              Y Y Y Y
        disabled           N N N N
    """,
    "can_join": """
        anonymous          N N N N
        outsider           Y N N N
        pending            - N N -
        invited            Y Y Y Y
        member             N N N N
        coordinator        N N N N
        other_coordinator  Y N N N
        admin              Y N N N
        disabled           N N N N
    """,
    "can_request_to_join": """
        anonymous          N N N N
        outsider           N Y Y N
        pending            - N N -
        invited            N N N N
        member             N N N N
        coordinator        N N N N
        other_coordinator  N Y Y N
        admin              N Y Y N
        disabled           N N N N
    """,
    "can_coordinate": """
        anonymous          N N N N
        outsider           N N N N
        pending            - N N -
        invited            N N N N
        member             N N N N
        coordinator        Y Y Y Y
        other_coordinator  N N N N
        admin              Y Y Y Y
        disabled           N N N N
    """,
}


def _parse_table(text):
    rows = {}
    for line in text.strip().splitlines():
        role, *cells = line.split()
        assert len(cells) == len(COLUMNS), line
        rows[role] = dict(zip(COLUMNS, cells))
    assert tuple(rows) == ROLES
    return rows


@pytest.fixture
def matrix_world(factories):
    """The four kinds of community, all run by one coordinator, and one user per role."""
    admin = factories.admin()
    coordinator = factories.user(kind="teacher")
    specs = {
        "public/open": dict(visibility="public", join_policy="open"),
        "public/request": dict(visibility="public", join_policy="request"),
        "private/listed/request": dict(visibility="private", join_policy="request"),
        "private/unlisted/invite": dict(visibility="private", unlisted=True, join_policy="invite"),
    }
    communities = {column: factories.community(coordinator=coordinator, actor=admin, **spec)
                   for column, spec in specs.items()}
    users = {"anonymous": AnonymousUserMixin(), "outsider": factories.user(), "coordinator": coordinator,
             "other_coordinator": membership_coordinator(factories.community(actor=admin)), "admin": admin}
    for role in ("pending", "invited", "member", "disabled"):
        users[role] = factories.user(kind="student")
        for community in communities.values():
            if role == "pending" and community.join_policy != "request":
                continue
            state = role if role in ("pending", "invited") else "active"
            factories.community_member(community, who=users[role], state=state)
    accounts.set_user_active(admin, users["disabled"], False)
    return communities, users


@pytest.mark.parametrize("predicate", list(EXPECTED))
def test_permission_table(matrix_world, predicate):
    communities, users = matrix_world
    expected = _parse_table(EXPECTED[predicate])
    check = getattr(permissions, predicate)
    mismatches, lines = 0, []
    for role in ROLES:
        cells = []
        for column in COLUMNS:
            want = expected[role][column]
            if want == "-":
                cells.append("-")
                continue
            got = "Y" if check(users[role], communities[column]) else "N"
            if got != want:
                mismatches += 1
                cells.append(f"{got} (want {want})")
            else:
                cells.append(got)
        lines.append(f"{role:>18}  " + "  ".join(f"{cell:<{len(column)}}" for cell, column in zip(cells, COLUMNS)))
    header = f"{'':>18}  " + "  ".join(COLUMNS)
    assert mismatches == 0, f"\n{predicate}: {mismatches} mismatch(es)\n{header}\n" + "\n".join(lines)


def test_private_communities_do_not_exist_for_outsiders(matrix_world):
    communities, users = matrix_world
    hidden = communities["private/unlisted/invite"]
    with pytest.raises(NotFound):
        permissions.access_community_or_404(hidden.slug, users["outsider"])
    with pytest.raises(NotFound):
        permissions.access_community_listing_or_404(hidden.slug, users["outsider"])
    assert permissions.access_community_listing_or_404(hidden.slug, users["invited"]) == hidden
    listed = communities["private/listed/request"]
    assert permissions.access_community_listing_or_404(listed.slug, users["outsider"]) == listed


def test_list_filters_agree_with_the_predicates(matrix_world):
    communities, users = matrix_world
    for role in ("outsider", "pending", "invited", "member", "admin", "other_coordinator"):
        user = users[role]
        visible = set(db.session.scalars(sa.select(Community.id).where(permissions.visible_communities_filter(user))))
        readable = set(db.session.scalars(sa.select(Community.id).where(permissions.readable_communities_filter(user))))
        for column, community in communities.items():
            assert (community.id in visible) == permissions.can_see_community_listing(user, community), (role, column)
            assert (community.id in readable) == permissions.can_view_community(user, community), (role, column)


# --- demo data ----------------------------------------------------------------------------------

def _snapshot():
    memberships = db.session.execute(
        sa.select(Community.slug, User.email, CommunityMembership.role, CommunityMembership.state)
        .join(Community, Community.id == CommunityMembership.community_id)
        .join(User, User.id == CommunityMembership.user_id)).all()
    communities = db.session.execute(sa.select(
        Community.slug, Community.name, Community.visibility, Community.unlisted, Community.join_policy,
        Community.sector, Community.topic, Community.description_html)).all()
    return sorted(memberships), sorted(communities), counts()


def test_seed_builds_the_demo_communities_and_is_idempotent(app):
    from community.seed import seed_demo

    logins = seed_demo()
    first = _snapshot()
    assert seed_demo() == logins
    assert _snapshot() == first

    memberships, communities, _ = first
    by_slug = {row.slug: row for row in communities}
    assert set(by_slug) == {"smart-maintenance-oost", "lasautomatisering-cobots",
                            "hybride-leren-op-de-werkvloer", "directieoverleg-metaal-techniek"}
    assert (by_slug["smart-maintenance-oost"].visibility, by_slug["smart-maintenance-oost"].join_policy) == (
        "public", "open")
    assert by_slug["directieoverleg-metaal-techniek"].unlisted
    assert all("<p>" in row.description_html and "<li>" in row.description_html for row in communities)
    states = {(slug, email): (role, state) for slug, email, role, state in memberships}
    assert states[("lasautomatisering-cobots", "docent@rijnland.example")] == ("coordinator", "active")
    assert states[("lasautomatisering-cobots", "monteur@brouwer.example")] == ("member", "pending")
    assert states[("hybride-leren-op-de-werkvloer", "monteur@brouwer.example")] == ("member", "invited")
    assert states[("directieoverleg-metaal-techniek", "monteur@brouwer.example")] == ("member", "active")
    active_kinds = set(db.session.scalars(
        sa.select(User.kind).join(CommunityMembership, CommunityMembership.user_id == User.id)
        .where(CommunityMembership.state == "active")))
    assert active_kinds == {"employee", "teacher", "student", "other"}
    for slug in by_slug:  # every community keeps a coordinator
        assert any(s == slug and role == "coordinator" and state == "active" for s, _, role, state in memberships)
