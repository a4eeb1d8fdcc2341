"""Discussions, replies and cases at the action level: the rules, mentions and history."""
import pytest
import sqlalchemy as sa

from community.actions import ActionError, NotAllowed
from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions as actions
from community.actions import organisations as org_actions
from community.extensions import db
from community.models import Case, Discussion, FeedEntry, Mention, Reaction, ReadMark, Reply, Revision
from tests import worlds
from tests.helpers import count


@pytest.fixture
def setting(factories):
    admin = factories.admin()
    coordinator = factories.user(name="Marieke Jansen")
    author = factories.user(name="Sanne de Vries")
    other = factories.user(name="Piet Bakker")
    outsider = factories.user(name="Buiten Staander")
    community = community_actions.create_community(admin, name="Smart Maintenance", coordinator=coordinator)
    for user in (author, other):
        community_actions.join(user, community)
    return dict(admin=admin, coordinator=coordinator, author=author, other=other, outsider=outsider,
                community=community)


def test_start_discussion_renders_records_mentions_and_feeds(setting):
    d = actions.start_discussion(setting["author"], setting["community"], "  Trillingen meten  ",
                                 "Wie heeft ervaring, @piet-bakker? En @niemand-bekend? Ik @sanne-de-vries zelf niet.")
    assert d.title == "Trillingen meten"
    assert 'href="/people/piet-bakker"' in d.body_html
    assert "@niemand-bekend" in d.body_html and "/people/niemand-bekend" not in d.body_html
    mentioned = db.session.scalars(sa.select(Mention.user_id).where(Mention.target == "discussion")).all()
    assert mentioned == [setting["other"].id]  # not the unknown handle, not the author themself
    feed = db.session.scalars(sa.select(FeedEntry.kind).where(FeedEntry.community_id == setting["community"].id)).all()
    assert "discussion_started" in feed


@pytest.mark.parametrize("title,body,field", [
    ("", "tekst", "title"), ("   ", "tekst", "title"), ("x" * 201, "tekst", "title"),
    ("Titel", "", "body"), ("Titel", " \n\t ", "body"), ("Titel", "x" * 20_001, "body"),
])
def test_discussion_bad_input_writes_nothing(setting, title, body, field):
    with pytest.raises(ActionError) as error:
        actions.start_discussion(setting["author"], setting["community"], title, body)
    assert error.value.field == field
    assert count(Discussion) == 0


def test_only_active_members_of_an_open_community_post(setting, factories):
    with pytest.raises(NotAllowed):
        actions.start_discussion(setting["outsider"], setting["community"], "Hoi", "tekst")
    d = actions.start_discussion(setting["author"], setting["community"], "Hoi", "tekst")
    with pytest.raises(NotAllowed):
        actions.post_reply(setting["outsider"], d, "mag ik?")
    community_actions.set_archived(setting["coordinator"], setting["community"], True)
    with pytest.raises(ActionError) as error:
        actions.post_reply(setting["other"], d, "nog even")
    assert error.value.code == "archived"


def test_replies_are_numbered_counted_and_quotable(setting):
    d = actions.start_discussion(setting["author"], setting["community"], "Vraag", "tekst")
    first = actions.post_reply(setting["other"], d, "Eerste")
    second = actions.post_reply(setting["author"], d, "Tweede", quote_of=first)
    assert (first.number, second.number) == (1, 2)
    assert second.quote_of_id == first.id
    db.session.refresh(d)
    assert d.reply_count == 2 and d.last_activity_at >= second.created_at
    elsewhere = actions.start_discussion(setting["author"], setting["community"], "Ander", "tekst")
    with pytest.raises(ActionError) as error:
        actions.post_reply(setting["other"], elsewhere, "citaat", quote_of=first)
    assert error.value.field == "quote_of"


def test_locked_discussion_refuses_replies(setting):
    d = actions.start_discussion(setting["author"], setting["community"], "Vraag", "tekst")
    with pytest.raises(NotAllowed):
        actions.set_locked(setting["other"], d, True, "nee")
    actions.set_locked(setting["coordinator"], d, True, "Afgerond, zie de casus.")
    with pytest.raises(ActionError) as error:
        actions.post_reply(setting["other"], d, "toch nog")
    assert error.value.code == "locked" and "Afgerond" in str(error.value.message)
    assert count(Reply) == 0


def test_edit_keeps_previous_versions_and_coordinator_needs_a_note(setting):
    d = actions.start_discussion(setting["author"], setting["community"], "Vraag", "tekst")
    reply = actions.post_reply(setting["other"], d, "Versie 1")
    actions.edit_reply(setting["other"], reply, "Versie 2")
    with pytest.raises(NotAllowed):
        actions.edit_reply(setting["author"], reply, "Gekaapt")
    with pytest.raises(ActionError) as error:
        actions.edit_reply(setting["coordinator"], reply, "Versie 3")
    assert error.value.field == "edit_note"
    actions.edit_reply(setting["coordinator"], reply, "Versie 3", edit_note="Telefoonnummer verwijderd")
    bodies = db.session.scalars(sa.select(Revision.body).where(Revision.target == "reply")
                                .order_by(Revision.id)).all()
    assert bodies == ["Versie 1", "Versie 2"]
    assert reply.edit_note == "Telefoonnummer verwijderd" and reply.body == "Versie 3"


def test_removal_keeps_the_thread_and_forgets_the_text(setting):
    d = actions.start_discussion(setting["author"], setting["community"], "Vraag", "tekst")
    reply = actions.post_reply(setting["other"], d, "Oeps, geheim")
    actions.edit_reply(setting["other"], reply, "Nog steeds geheim")
    actions.set_helpful(setting["author"], reply)
    actions.accept_answer(setting["author"], d, reply)
    with pytest.raises(NotAllowed):
        actions.remove_reply(setting["coordinator"], reply)  # removal is the author's
    actions.remove_reply(setting["other"], reply)
    db.session.refresh(d)
    assert reply.is_deleted and reply.body == "" and reply.body_html == "" and reply.number == 1
    assert count(Revision, Revision.target == "reply") == 0 and count(Reaction) == 0
    assert d.accepted_reply_id is None and d.reply_count == 1


def test_helpful_is_one_per_user_and_not_for_your_own(setting):
    d = actions.start_discussion(setting["author"], setting["community"], "Vraag", "tekst")
    reply = actions.post_reply(setting["other"], d, "Antwoord")
    actions.set_helpful(setting["author"], reply)
    actions.set_helpful(setting["author"], reply)
    actions.set_helpful(setting["coordinator"], reply)
    assert reply.helpful_count == 2
    actions.set_helpful(setting["coordinator"], reply, helpful=False)
    assert reply.helpful_count == 1
    with pytest.raises(NotAllowed):
        actions.set_helpful(setting["other"], reply)


def test_answer_by_author_or_coordinator_only(setting):
    d = actions.start_discussion(setting["author"], setting["community"], "Vraag", "tekst")
    reply = actions.post_reply(setting["other"], d, "Antwoord")
    with pytest.raises(NotAllowed):
        actions.accept_answer(setting["other"], d, reply)
    actions.accept_answer(setting["coordinator"], d, reply)
    assert d.accepted_reply_id == reply.id
    actions.accept_answer(setting["author"], d, None)
    assert d.accepted_reply_id is None


def test_read_marks_never_go_back(setting):
    d = actions.start_discussion(setting["author"], setting["community"], "Vraag", "tekst")
    for n in range(3):
        actions.post_reply(setting["author"], d, f"Bericht {n}")
    actions.mark_read(setting["other"], d, 2)
    actions.mark_read(setting["other"], d, 1)
    actions.mark_read(setting["other"], d, 999)
    mark = db.session.scalar(sa.select(ReadMark).where(ReadMark.user_id == setting["other"].id))
    assert mark.last_read_number == 3


def test_case_draft_publish_discussion_and_feed(setting, factories):
    org = factories.organisation(name="Twentse Onderhoudstechniek")
    factories.member(org, setting["author"])
    case = case_actions.create_case(setting["author"], setting["community"], title="CNC-lijn", context="**Storingen**",
                                    question="Hoe voorspellen?", level="hbo", domain="Onderhoud",
                                    organisation_id=org.id, tags="CNC, trillingssensoren, cnc")
    assert case.status == "draft" and case.tag_names == ["cnc", "trillingssensoren"]
    assert "<strong>Storingen</strong>" in case.context_html
    assert count(Discussion) == 0
    case_actions.publish_case(setting["author"], case)
    assert case.is_published and case.discussion is not None and case.discussion.title == "CNC-lijn"
    kinds = db.session.scalars(sa.select(FeedEntry.kind)).all()
    assert "case_published" in kinds and kinds.count("discussion_started") == 0
    with pytest.raises(ActionError) as error:
        case_actions.create_case(setting["other"], setting["community"], title="X", context="y", organisation_id=org.id)
    assert error.value.field == "organisation_id"  # not their organisation


@pytest.mark.parametrize("data,field", [
    (dict(title="x" * 201, context="y"), "title"),
    (dict(title="T", context="y" * 20_001), "context"),
    (dict(title="T", context="a" * 19_000, question="b" * 19_000, approach="c" * 13_000), "context"),
    (dict(title="T", context="y", level="phd"), "level"),
    (dict(title="T", context="y", tags=",".join(f"tag{n}" for n in range(11))), "tags"),
    (dict(title="T", context="y", tags="<script>"), "tags"),
])
def test_case_bad_input_writes_nothing(setting, data, field):
    with pytest.raises(ActionError) as error:
        case_actions.create_case(setting["author"], setting["community"], **data)
    assert error.value.field == field
    assert count(Case) == 0


def test_drafts_are_private_to_their_author(setting):
    from community import permissions

    case = case_actions.create_case(setting["author"], setting["community"], title="Concept", context="nog niet af")
    assert permissions.can_view_case(setting["author"], case)
    assert not permissions.can_view_case(setting["other"], case)
    assert not permissions.can_view_case(setting["coordinator"], case)
    with pytest.raises(NotAllowed):
        case_actions.publish_case(setting["other"], case)
    with pytest.raises(NotAllowed):
        case_actions.delete_draft(setting["other"], case)
    case_actions.delete_draft(setting["author"], case)
    assert count(Case) == 0


def test_published_case_edit_keeps_history(setting):
    case = case_actions.create_case(setting["author"], setting["community"], title="Cobot", context="v1", publish=True)
    case_actions.update_case(setting["author"], case, title="Cobot lassen", context="v2")
    revision = db.session.scalar(sa.select(Revision).where(Revision.target == "case"))
    assert revision.title == "Cobot" and '"context": "v1"' in revision.body
    assert case.discussion.title == "Cobot lassen"


def test_feed_follows_edited_titles():
    circle = worlds.private_circle()
    alice, community = circle.alice, circle.community
    d = actions.start_discussion(alice, community, "Storing bij Klant X", "tekst")
    actions.edit_discussion(alice, d, "Storing bij een klant", "tekst")
    case = case_actions.create_case(alice, community, title="Klant Y", context="c", publish=True)
    case_actions.update_case(alice, case, title="Een klant", context="c")
    titles = [e.data.get("title") for e in db.session.scalars(sa.select(FeedEntry)).all()]
    assert "Storing bij Klant X" not in titles and "Klant Y" not in titles
    assert "Storing bij een klant" in titles and "Een klant" in titles


def test_mentions_are_not_recorded_for_drafts_or_outsiders(factories):
    circle = worlds.private_circle()
    alice, community = circle.alice, circle.community
    outsider = factories.user(name="Olga Buiten")
    case = case_actions.create_case(alice, community, title="Concept", context="Vraag aan @bob-de-boer en @olga-buiten")
    assert db.session.scalar(sa.select(sa.func.count(Mention.id))) == 0  # a draft tells nobody
    case_actions.publish_case(alice, case)
    assert db.session.scalars(sa.select(Mention.user_id)).all() == [circle.bob.id]  # not the outsider
    actions.start_discussion(alice, community, "Hoi", "@olga-buiten kijk eens")
    assert outsider.id not in db.session.scalars(sa.select(Mention.user_id)).all()


def test_admins_cannot_name_missing_or_pending_organisations_on_cases():
    circle = worlds.private_circle()  # the admin created the community: its coordinator
    pending = org_actions.propose_organisation(circle.bob, name="Geheim BV", kind="company")
    for organisation_id in (999999, pending.id):
        with pytest.raises(ActionError) as error:
            case_actions.create_case(circle.admin, circle.community, title="T", context="c",
                                     organisation_id=organisation_id)
        assert error.value.field == "organisation_id"
