"""Regression tests for findings of the security review (input that used to give a 500, a
removed reply's author named again, stale feed titles, mentions leaking private posts)."""
import sqlalchemy as sa

from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions as actions
from community.extensions import db
from community.models import FeedEntry, Mention


def _world(f):
    admin = f.admin()
    community = community_actions.create_community(admin, name="Kring", visibility="private")
    alice, bob = f.user(name="Alice Jansen"), f.user(name="Bob de Boer")
    for user in (alice, bob):
        community_actions.invite_user(admin, community, user)
        community_actions.join(user, community)
    return admin, community, alice, bob


def test_unicode_digits_and_huge_numbers_are_not_a_500(f, make_client):
    admin, community, alice, bob = _world(f)
    d = actions.start_discussion(alice, community, "Vraag", "tekst")
    client = make_client(bob)
    for url in (f"/c/{community.slug}/discussions?page=%C2%B2", f"/c/{community.slug}/cases?page=%C2%B2",
                "/communities/?page=%C2%B2", f"/d/{d.id}?page=" + "9" * 5000, f"/d/{d.id}?quote=%C2%B2"):
        assert client.get(url).status_code in (200, 404), url
    assert client.submit(f"/d/{d.id}/reply", {"body": "hoi", "quote_of": "²"}).status_code in (302, 400, 404)
    assert client.submit(f"/d/{d.id}/answer", {"reply_id": "²"}).status_code in (302, 403, 404)
    assert client.submit(f"/d/{d.id}/read", {"number": "²"}).status_code == 400
    token = client.csrf_token()
    response = client.post(f"/d/{d.id}/read", data="[" * 100_000, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_a_removed_reply_is_not_quoted_by_name(f, make_client):
    admin, community, alice, bob = _world(f)
    d = actions.start_discussion(bob, community, "Vraag", "tekst")
    reply = actions.post_reply(alice, d, "Oeps")
    actions.remove_reply(alice, reply)
    response = make_client(bob).submit(f"/d/{d.id}/reply", {"body": "", "quote_of": str(reply.id)})
    assert response.status_code == 400
    assert "Alice Jansen" not in response.get_data(as_text=True)


def test_feed_follows_edited_titles(f):
    admin, community, alice, bob = _world(f)
    d = actions.start_discussion(alice, community, "Storing bij Klant X", "tekst")
    actions.edit_discussion(alice, d, "Storing bij een klant", "tekst")
    case = case_actions.create_case(alice, community, title="Klant Y", context="c", publish=True)
    case_actions.update_case(alice, case, title="Een klant", context="c")
    titles = [e.data.get("title") for e in db.session.scalars(sa.select(FeedEntry)).all()]
    assert "Storing bij Klant X" not in titles and "Klant Y" not in titles
    assert "Storing bij een klant" in titles and "Een klant" in titles


def test_mentions_are_not_recorded_for_drafts_or_outsiders(f):
    admin, community, alice, bob = _world(f)
    outsider = f.user(name="Olga Buiten")
    case = case_actions.create_case(alice, community, title="Concept", context="Vraag aan @bob-de-boer en @olga-buiten")
    assert db.session.scalar(sa.select(sa.func.count(Mention.id))) == 0  # a draft tells nobody
    case_actions.publish_case(alice, case)
    assert db.session.scalars(sa.select(Mention.user_id)).all() == [bob.id]  # not the outsider
    actions.start_discussion(alice, community, "Hoi", "@olga-buiten kijk eens")
    assert outsider.id not in db.session.scalars(sa.select(Mention.user_id)).all()


def test_admins_cannot_name_missing_or_pending_organisations_on_cases(f):
    import pytest

    from community.actions import ActionError
    from community.actions import organisations as org_actions

    admin, community, alice, bob = _world(f)  # the admin created the community: its coordinator
    pending = org_actions.propose_organisation(bob, name="Geheim BV", kind="company")
    for organisation_id in (999999, pending.id):
        with pytest.raises(ActionError) as error:
            case_actions.create_case(admin, community, title="T", context="c", organisation_id=organisation_id)
        assert error.value.field == "organisation_id"


def test_ids_and_filters_beyond_any_table_are_not_found(f, make_client, api):
    admin = f.admin()
    community = community_actions.create_community(admin, name="Grote getallen")
    client = make_client(admin)
    assert client.submit("/t/links/99999999999999999999/remove").status_code == 404
    assert api(admin).delete("/api/v1/trajectory-links/99999999999999999999").status_code == 404
    huge = "9" * 5000  # int() refuses strings this long
    assert client.get(f"/c/{community.slug}/cases?organisation={huge}").status_code == 200
    assert client.get(f"/c/{community.slug}/cases?organisation=%C2%B2").status_code == 200
