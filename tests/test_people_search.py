"""People search (community.queries.people): name prefixes with accents and case folded, only
active accounts, and with a place only the people who may read it (permissions.readers_filter),
in one SQL statement."""
import pytest

from community import folding, permissions
from community.actions import accounts, cases, moderation
from community.queries.people import search_people
from tests import worlds


def names(hits):
    return [hit.name for hit in hits]


def test_fold():
    assert folding.fold("Coördinator") == "coordinator"
    assert folding.fold("ÉÈÊË àçñ ŁÓDŹ") == "eeee acn lodz"
    assert folding.fold("Straße Æsir") == "straße æsir"
    assert folding.fold(None) == ""
    assert folding.words("  Jan-Willem   Zoë ") == " jan willem zoe"


def test_the_migration_folds_as_the_app_does():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "migrations/versions/0016_user_name_key.py"
    spec = importlib.util.spec_from_file_location("migration_0013", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    every_latin_letter = "".join(chr(code) for code in range(0x20, 0x250)) + "ŁłØøĐđĦħı"
    assert migration._fold(every_latin_letter) == folding.words(every_latin_letter)


def test_the_folded_name_follows_every_change_of_the_name(factories):
    viewer = factories.user(name="Kijker")
    zoe = factories.user(name="Zoë de Vries")
    assert zoe.name_key == " zoe de vries"
    accounts.update_profile(zoe, "Zoë Jansen", zoe.kind, zoe.language)
    assert names(search_people(viewer, "jansen")) == ["Zoë Jansen"]
    assert search_people(viewer, "vries") == []


def test_prefix_of_any_word_accents_and_case_folded(factories):
    viewer = factories.user(name="Kijker")
    factories.user(name="Marieke Coördinator")
    factories.user(name="Sanne de Vries")
    factories.user(name="Jan-Willem Smit")
    factories.user(name="Santiago Sánchez")
    assert names(search_people(viewer, "coor")) == ["Marieke Coördinator"]
    assert names(search_people(viewer, "CÖÖR")) == ["Marieke Coördinator"]
    assert names(search_people(viewer, "vries")) == ["Sanne de Vries"]
    assert names(search_people(viewer, "willem")) == ["Jan-Willem Smit"]
    assert names(search_people(viewer, "sanch")) == ["Santiago Sánchez"]
    # Names that start with it come first, then the others by name.
    assert names(search_people(viewer, "san")) == ["Sanne de Vries", "Santiago Sánchez"]
    assert names(search_people(viewer, "@sanne de")) == ["Sanne de Vries"]
    assert search_people(viewer, "arieke") == []  # inside a word: no


def test_handle_prefix_and_what_a_hit_holds(factories):
    viewer = factories.user(name="Kijker")
    org = factories.organisation(name="Metaal Oost")
    sanne = factories.member(org, factories.user(name="Sanne de Vries", email="sanne@example.com"))
    (hit,) = search_people(viewer, "@sanne-de")
    assert (hit.id, hit.name, hit.handle, hit.organisation, hit.initials, hit.url) == (
        sanne.id, "Sanne de Vries", sanne.handle, "Metaal Oost", "SV", "/people/" + sanne.handle)
    assert "email" not in hit.__dataclass_fields__ and "sanne@example.com" not in repr(hit)


@pytest.mark.parametrize("text", ["", "  ", "@", "%", "_", "\\", "a\x00b", "x" * 101])
def test_nothing_or_wildcards_find_nobody(factories, text):
    viewer = factories.user(name="Kijker")
    factories.user(name="50% Korting_Man")
    assert search_people(viewer, text) == []


def test_like_wildcards_are_literal(factories):
    viewer = factories.user(name="Kijker")
    factories.user(name="50% Korting")
    factories.user(name="5000 Man")
    assert names(search_people(viewer, "50%")) == ["50% Korting"]


def test_disabled_accounts_are_never_found(factories):
    admin = factories.admin(name="Beheerder")
    gone = factories.user(name="Sanne Weg")
    community = factories.community(coordinator=factories.user(name="Coco"))
    factories.community_member(community, gone)
    accounts.set_user_active(admin, gone, False)
    assert search_people(admin, "sanne") == []
    assert search_people(admin, "sanne", place=community) == []


def test_anonymous_finds_nobody(factories):
    from flask_login import AnonymousUserMixin

    factories.user(name="Sanne")
    assert search_people(AnonymousUserMixin(), "sanne") == []


def test_limit(factories):
    viewer = factories.user(name="Kijker")
    for n in range(12):
        factories.user(name=f"Sanne {n:02d}")
    assert len(search_people(viewer, "sanne")) == 8
    assert names(search_people(viewer, "sanne", limit=3)) == ["Sanne 00", "Sanne 01", "Sanne 02"]


def test_one_statement_whatever_the_place(factories, count_queries):
    world = worlds.trajectories()
    trajectory = worlds.trajectory(world, "confidential")
    discussion = factories.discussion(world.community, world.member)
    for place in (None, world.community, discussion, trajectory):
        search_people(world.member, "a", place=place)  # loads what the place's own loader would have
        with count_queries() as counter:
            search_people(world.member, "a", place=place)
        assert counter.count == 1, (place, counter.statements)


# --- the place decides who may be found ---------------------------------------------------------

def test_private_community_members_only(factories):
    world = worlds.circles()
    private, public = world.private, world.public
    everyone = ["Andere Coördinator", "Marieke Coördinator"]
    assert names(search_people(world.member, "coor")) == everyone
    assert names(search_people(world.member, "coor", place=public)) == everyone
    # Only Marieke is a member of the private one (Andere runs another community).
    assert names(search_people(world.member, "coor", place=private)) == ["Marieke Coördinator"]
    assert names(search_people(world.member, "piet", place=private)) == ["Piet Lid"]
    assert search_people(world.member, "buiten", place=private) == []
    assert names(search_people(world.member, "buiten", place=public)) == ["Buiten Staander"]
    # Admins read every community.
    assert [hit.id for hit in search_people(world.member, world.admin.display_name[:4], place=private)] \
        == [world.admin.id]


def test_pending_and_invited_are_not_readers(factories):
    world = worlds.circles()
    request_community = factories.community(name="Aanvraag", visibility="private", join_policy="request",
                                            coordinator=world.coordinator)
    factories.community_member(request_community, world.outsider, state="pending")
    factories.community_member(world.private, factories.user(name="Buiten Uitgenodigd"), state="invited")
    assert search_people(world.member, "buiten", place=request_community) == []
    assert search_people(world.member, "buiten", place=world.private) == []


def test_discussion_follows_its_community_and_hiding(factories):
    world = worlds.circles()
    discussion = factories.discussion(world.private, world.author, title="Geheim")
    assert names(search_people(world.author, "piet", place=discussion)) == ["Piet Lid"]
    assert search_people(world.author, "buiten", place=discussion) == []
    moderation.hide(world.coordinator, "discussion", discussion, "Off-topic")
    # Hidden: its author, the coordinators and admins still read it; Piet does not.
    assert search_people(world.author, "piet", place=discussion) == []
    assert names(search_people(world.author, "sanne", place=discussion)) == ["Sanne Auteur"]
    assert names(search_people(world.author, "marieke", place=discussion)) == ["Marieke Coördinator"]


def test_draft_case_is_its_authors_alone(factories):
    world = worlds.circles()
    draft = factories.case(world.public, world.author, publish=False)
    assert names(search_people(world.author, "sanne", place=draft)) == ["Sanne Auteur"]
    assert search_people(world.author, "piet", place=draft) == []
    assert search_people(world.author, world.admin.display_name[:4], place=draft) == []
    cases.publish_case(world.author, draft)
    assert names(search_people(world.author, "piet", place=draft)) == ["Piet Lid"]
    assert names(search_people(world.author, "buiten", place=draft)) == ["Buiten Staander"]


def found(viewer, place, people):
    """Which of ``people`` a search for their own handle finds with this place."""
    return {person.id for person in people
            if person.id in {hit.id for hit in search_people(viewer, person.handle, place=place)}}


def test_confidential_trajectory_insiders_only(factories):
    world = worlds.trajectories()
    confidential = worlds.trajectory(world, "confidential", roles=("employee", "coach"))
    shown = worlds.trajectory(world, "community", title="Open traject", roles=("employee",))
    people = list(world.users.values())
    # Participants, the company's manager (the owner) and admins; not the other company's
    # manager, the community's coordinator or its other members.
    assert found(world.owner, confidential, people) == {
        world.owner.id, world.employee.id, world.coach.id, world.admin.id}
    # Shown to the community: its members read along; the outsider still does not.
    assert found(world.owner, shown, people) == {user.id for role, user in world.users.items() if role != "outsider"}
    for place in (confidential, shown):
        assert found(world.owner, place, people) == {
            person.id for person in people if permissions.can_view_trajectory(person, place)}


def test_readers_match_the_predicates(factories):
    """readers_filter is the SQL twin of the can_* predicates: for every person and place, found
    exactly when the predicate says they may read it."""
    world = worlds.circles()
    banned = factories.user(name="Ban Geweerd")
    factories.community_member(world.private, banned, by=world.coordinator)
    moderation.ban(world.coordinator, world.private, banned, "Spam")
    world.users["banned"] = banned
    hidden = factories.discussion(world.private, world.author, title="Verborgen")
    moderation.hide(world.coordinator, "discussion", hidden, "Nee")
    places = {
        "public": (world.public, permissions.can_view_community),
        "private": (world.private, permissions.can_view_community),
        "discussion": (factories.discussion(world.private, world.author), permissions.can_read_discussion),
        "hidden": (hidden, permissions.can_read_discussion),
        "draft": (factories.case(world.private, world.author, publish=False), permissions.can_view_case),
        "case": (factories.case(world.private, world.author), permissions.can_view_case),
    }
    for label, (place, may_read) in places.items():
        people = list(world.users.values())
        assert found(world.admin, place, people) == {person.id for person in people if may_read(person, place)}, label


# --- every composer names its place ------------------------------------------------------------

def test_every_composer_names_the_place_it_writes_in(factories, make_client):
    import re

    world = worlds.trajectories()
    trajectory = worlds.trajectory(world, "confidential", milestones=("Start",))
    discussion = factories.discussion(world.community, world.owner)
    reply = factories.reply(discussion, world.owner)
    case = factories.case(world.community, world.owner)
    milestone = trajectory.milestones[0]
    pages = {
        f"/c/{world.community.slug}/discussions/new": ["community:%d" % world.community.id],
        f"/d/{discussion.id}": ["discussion:%d" % discussion.id],
        f"/d/{discussion.id}/edit": ["discussion:%d" % discussion.id],
        f"/replies/{reply.id}/edit": ["discussion:%d" % discussion.id],
        # One composer for the case's five sections (issue 18, item 7): one place for all of them.
        f"/c/{world.community.slug}/cases/new": ["community:%d" % world.community.id],
        f"/cases/{case.id}/edit": ["case:%d" % case.id],
        f"/t/{trajectory.id}": ["trajectory:%d" % trajectory.id],
        f"/t/{trajectory.id}/edit": ["trajectory:%d" % trajectory.id],
        f"/t/{trajectory.id}/milestones/new": ["trajectory:%d" % trajectory.id],
        f"/milestones/{milestone.id}/edit": ["trajectory:%d" % trajectory.id],
        f"/organisations/{world.company_a.id}/trajectories/new": [None],
    }
    browser = make_client(world.owner)
    for url, places in pages.items():
        html = browser.get(url).get_data(as_text=True)
        composers = re.findall(r'<div class="composer[\w -]*" data-composer(?: data-mention-place="([^"]+)")?[ >]', html)
        assert [place or None for place in composers] == places, url
