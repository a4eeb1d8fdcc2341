"""The content JSON API: discussions, replies, helpful marks, practice cases, attachments and the
markdown preview. A role × endpoint permission matrix for a public and a private community, the
rules the actions enforce as API clients meet them, sanitised HTML, fixed query counts and the
OpenAPI document. State is built through the real actions and factories only."""
import io
import json
import os
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from community.actions import attachments as attachment_actions, cases as case_actions
from community.actions import communities as community_actions, discussions as actions
from community.extensions import db
from community.models import (
    Attachment, Case, Discussion, Mention, OrganisationMembership, Reaction, Reply, Revision,
)
from tests import worlds
from tests.helpers import assert_error, assert_matrix, count, counted_get, png
from tests.test_markup import XSS_CORPUS, problems_in

ROLES = ("anonymous", "outsider", "member", "author", "coordinator", "other_coordinator", "admin")
MEMBERS = {"member", "author", "coordinator"}
MODERATORS = {"coordinator", "admin"}


def upload(client, case_id, data=None, name="foto.png"):
    files = {} if data is False else {"file": (io.BytesIO(png() if data is None else data), name)}
    return client.post(f"/api/v1/cases/{case_id}/attachments", data=files, content_type="multipart/form-data")


# --- the permission matrix ----------------------------------------------------------------------

def build_world(factories, api, kind):
    """One community (public or private) with a user in every role, a discussion with replies, a
    published case and three drafts of the author."""
    admin = factories.admin(name="Platform Admin")
    people = {role: factories.user(name=role.replace("_", " ").title()) for role in ROLES[1:-1]}
    target = factories.community(name="Smart Maintenance", slug="smart", visibility=kind,
                                 join_policy="open" if kind == "public" else "request",
                                 coordinator=people["coordinator"], actor=admin)
    factories.community(name="Andere kring", slug="andere", coordinator=people["other_coordinator"], actor=admin)
    author, member = people["author"], people["member"]
    for who in (author, member):
        factories.community_member(target, who=who)
    discussion = actions.start_discussion(author, target, "Trillingen meten", "Wie heeft **ervaring**?")
    published = case_actions.create_case(author, target, title="Cobot lassen", context="Een MKB-werkplaats",
                                         publish=True)
    drafts = [case_actions.create_case(author, target, title=f"Concept {n}", context="Nog niet af")
              for n in range(3)]
    world = SimpleNamespace(
        kind=kind, slug=target.slug, community=target, people=people, admin=admin,
        discussion=discussion.id, case_discussion=published.discussion.id,
        by_author=actions.post_reply(author, discussion, "Ik zelf een beetje.").id,
        by_member=actions.post_reply(member, discussion, "Wij meten met sensoren.").id,
        removable=actions.post_reply(author, discussion, "Dit haal ik weg.").id,
        published=published.id, draft=drafts[0].id, to_publish=drafts[1].id, to_delete=drafts[2].id,
    )
    world.clients = worlds.clients(api, {"admin": admin, **people})
    return world


def readers(kind):
    return MEMBERS | {"admin"} | ({"outsider", "other_coordinator"} if kind == "public" else set())


def allow(kind, allowed, ok=200):
    """ok for the allowed roles, 403 for other readers, 404 for who cannot read, 401 anonymous."""
    return {role: 401 if role == "anonymous" else ok if role in allowed else 403 if role in readers(kind) else 404
            for role in ROLES}


def read(kind):
    return allow(kind, readers(kind))


def draft(ok=200):
    """Someone's draft does not exist for anyone else (admins included); the author goes last,
    so that publishing or deleting it does not change what the others get."""
    expected = {role: 401 if role == "anonymous" else 404 for role in ROLES if role != "author"}
    expected["author"] = ok
    return expected


@pytest.mark.parametrize("kind", ["public", "private"])
def test_permission_matrix(factories, api, kind):
    world = build_world(factories, api, kind)
    c, d = f"/api/v1/communities/{world.slug}", f"/api/v1/discussions/{world.discussion}"
    p = f"/api/v1/cases/{world.published}"
    author_or_moderator = {"author"} | MODERATORS
    assert_matrix(world.clients, [
        ("GET", f"{c}/discussions", read(kind)),
        ("POST", f"{c}/discussions", allow(kind, MEMBERS, 201), {"title": "Nieuwe vraag", "body": "Wie weet het?"}),
        ("GET", d, read(kind)),
        ("PATCH", d, allow(kind, author_or_moderator), {"title": "Trillingen meten!", "edit_note": "Titel"}),
        ("POST", f"{d}/pin", allow(kind, MODERATORS), {"pinned": True}),
        ("POST", f"{d}/lock", allow(kind, MODERATORS), {"locked": False}),
        ("POST", f"{d}/answer", allow(kind, author_or_moderator), {"reply_id": world.by_member}),
        ("GET", f"{d}/replies", read(kind)),
        ("POST", f"{d}/replies", allow(kind, MEMBERS, 201), {"body": "Eens!", "quote_of": world.by_member}),
        ("GET", f"/api/v1/replies/{world.by_author}", read(kind)),
        ("PATCH", f"/api/v1/replies/{world.by_author}", allow(kind, author_or_moderator),
         {"body": "Ik zelf een beetje, ja.", "edit_note": "Verduidelijkt"}),
        # Members mark others' replies; not their own, and admins are no members.
        ("PUT", f"/api/v1/replies/{world.by_author}/helpful", allow(kind, {"member", "coordinator"})),
        ("DELETE", f"/api/v1/replies/{world.by_author}/helpful", allow(kind, {"member", "coordinator"})),
        ("DELETE", f"/api/v1/replies/{world.removable}", allow(kind, {"author"}, 204)),
        ("GET", f"/api/v1/discussions/{world.case_discussion}", read(kind)),
        ("GET", f"{c}/cases", read(kind)),
        ("POST", f"{c}/cases", allow(kind, MEMBERS, 201), {"title": "Nieuwe casus", "context": "Zo ging het"}),
        ("GET", p, read(kind)),
        ("PATCH", p, allow(kind, author_or_moderator), {"lessons": "Meer geleerd", "edit_note": "Aangevuld"}),
        ("DELETE", p, allow(kind, set())),  # published cases stay: 403 for every reader
        ("GET", f"{p}/attachments", read(kind)),
        ("GET", f"/api/v1/cases/{world.draft}", draft()),
        ("PATCH", f"/api/v1/cases/{world.draft}", draft(), {"title": "Concept, bijgewerkt"}),
        ("GET", f"/api/v1/cases/{world.draft}/attachments", draft()),
        ("POST", f"/api/v1/cases/{world.to_publish}/publish", draft()),
        ("DELETE", f"/api/v1/cases/{world.to_delete}", draft(204)),
        ("POST", "/api/v1/preview", {role: 401 if role == "anonymous" else 200 for role in ROLES},
         {"text": "**Hallo**"}),
    ])
    # Uploads are multipart, which assert_matrix does not send.
    failures = []
    for case_id, expected in ((world.published, allow(kind, author_or_moderator, 201)), (world.draft, draft(201))):
        for role, status in expected.items():
            got = upload(world.clients[role], case_id).status_code
            if got != status:
                failures.append(f"{role} upload to case {case_id}: expected {status}, got {got}")
    assert not failures, "\n".join(failures)


def test_unreadable_is_exactly_like_missing(factories, api):
    world = build_world(factories, api, "private")
    outsider, admin = world.clients["outsider"], world.clients["admin"]
    for readable, missing in ((f"/api/v1/discussions/{world.discussion}", "/api/v1/discussions/999999"),
                              (f"/api/v1/replies/{world.by_member}", "/api/v1/replies/999999"),
                              (f"/api/v1/cases/{world.published}", "/api/v1/cases/999999"),
                              (f"/api/v1/cases/{world.published}/attachments", "/api/v1/cases/999999/attachments"),
                              ("/api/v1/communities/smart/cases", "/api/v1/communities/nergens/cases")):
        hidden, absent = outsider.get(readable), outsider.get(missing)
        assert (hidden.status_code, hidden.get_json()) == (absent.status_code, absent.get_json()) == (
            404, absent.get_json()), readable
    # Someone else's draft, for an administrator too.
    hidden, absent = admin.get(f"/api/v1/cases/{world.draft}"), admin.get("/api/v1/cases/999999")
    assert (hidden.status_code, hidden.get_json()) == (absent.status_code, absent.get_json())


def test_nothing_is_written_by_refused_requests(factories, api):
    world = build_world(factories, api, "public")
    before = {model: count(model) for model in (Discussion, Reply, Case, Reaction, Revision, Attachment)}
    outsider = world.clients["outsider"]
    assert outsider.post("/api/v1/communities/smart/discussions", json={"title": "T", "body": "B"}).status_code == 403
    assert outsider.post(f"/api/v1/discussions/{world.discussion}/replies", json={"body": "B"}).status_code == 403
    assert outsider.put(f"/api/v1/replies/{world.by_member}/helpful").status_code == 403
    assert outsider.post("/api/v1/communities/smart/cases", json={"title": "T", "context": "C"}).status_code == 403
    assert upload(outsider, world.published).status_code == 403
    assert world.clients["member"].patch(f"/api/v1/replies/{world.by_author}",
                                         json={"body": "Gekaapt"}).status_code == 403
    assert {model: count(model) for model in before} == before


# --- discussions ----------------------------------------------------------------------------------

@pytest.fixture
def setting(factories, api):
    """A public community with a coordinator, two members, an outsider and their API clients."""
    admin = factories.admin()
    coordinator = factories.user(name="Marieke Jansen")
    author, other = factories.user(name="Sanne de Vries"), factories.user(name="Piet Bakker")
    community = factories.community(name="Smart Maintenance", slug="smart", coordinator=coordinator, actor=admin)
    for who in (author, other):
        community_actions.join(who, community)
    return SimpleNamespace(admin=admin, coordinator=coordinator, author=author, other=other, community=community,
                           as_author=api(author), as_other=api(other), as_coordinator=api(coordinator),
                           as_admin=api(admin))


def test_start_and_read_a_discussion(setting):
    response = setting.as_author.post("/api/v1/communities/smart/discussions",
                                      json={"title": "  Trillingen meten ", "body": "Wie weet het, @piet-bakker?"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["title"] == "Trillingen meten" and body["author"] == {"id": setting.author.id,
                                                                       "display_name": "Sanne de Vries"}
    assert 'href="/people/piet-bakker"' in body["body_html"] and body["body"] == "Wie weet het, @piet-bakker?"
    assert body["community"] == {"id": setting.community.id, "slug": "smart", "name": "Smart Maintenance"}
    assert (body["reply_count"], body["pinned"], body["locked"], body["accepted_reply_id"], body["case_id"]) == (
        0, False, False, None, None)
    assert (body["can_reply"], body["can_edit"], body["can_moderate"], body["can_accept_answer"]) == (
        True, True, False, True)
    seen = setting.as_other.get(f"/api/v1/discussions/{body['id']}").get_json()
    assert (seen["can_edit"], seen["can_accept_answer"], seen["last_read_number"]) == (False, False, 0)
    assert setting.as_coordinator.get(f"/api/v1/discussions/{body['id']}").get_json()["can_moderate"] is True


def test_discussion_list_pinned_first_then_last_activity(setting):
    first = actions.start_discussion(setting.author, setting.community, "Eerste", "a")
    second = actions.start_discussion(setting.author, setting.community, "Tweede", "b")
    third = actions.start_discussion(setting.other, setting.community, "Derde", "c")
    actions.post_reply(setting.other, first, "Nieuw leven")  # first becomes the most recently active
    actions.set_pinned(setting.coordinator, second, True)
    case_actions.create_case(setting.author, setting.community, title="Casus", context="x", publish=True)
    body = setting.as_other.get("/api/v1/communities/smart/discussions").get_json()
    assert [item["title"] for item in body["items"]] == ["Tweede", "Eerste", "Derde"]  # no case discussion
    assert body["total"] == 3 and body["items"][0]["pinned"] is True
    items = {item["id"]: item for item in body["items"]}
    assert items[first.id]["last_read_number"] == 1 and items[third.id]["last_read_number"] == 0
    assert items[first.id]["reply_count"] == 1 and items[first.id]["answered"] is False


def test_discussion_list_pages_by_thirty(setting):
    for n in range(31):
        actions.start_discussion(setting.author, setting.community, f"Vraag {n:02d}", "tekst")
    first = setting.as_other.get("/api/v1/communities/smart/discussions").get_json()
    second = setting.as_other.get("/api/v1/communities/smart/discussions?page=2").get_json()
    assert (len(first["items"]), first["pages"], first["total"], len(second["items"])) == (30, 2, 31, 1)
    assert first["items"][0]["title"] == "Vraag 30" and second["items"][0]["title"] == "Vraag 00"


def test_edit_by_author_needs_no_note_by_coordinator_does_and_history_is_kept(setting):
    d = actions.start_discussion(setting.author, setting.community, "Titel", "Versie 1")
    url = f"/api/v1/discussions/{d.id}"
    body = setting.as_author.patch(url, json={"body": "Versie 2"}).get_json()
    assert (body["title"], body["body_html"], body["edit_note"]) == ("Titel", "<p>Versie 2</p>\n", "")
    assert body["edited_at"] is not None
    assert_error(setting.as_coordinator.patch(url, json={"body": "Versie 3"}), 422, "invalid", "edit_note")
    body = setting.as_coordinator.patch(url, json={"body": "Versie 3", "edit_note": "Link hersteld"}).get_json()
    assert (body["body"], body["edit_note"]) == ("Versie 3", "Link hersteld")
    revisions = db.session.scalars(sa.select(Revision.body).where(Revision.target == "discussion",
                                                                  Revision.target_id == d.id)
                                   .order_by(Revision.id)).all()
    assert revisions == ["Versie 1", "Versie 2"]

    reply = actions.post_reply(setting.other, d, "Antwoord 1")
    reply_url = f"/api/v1/replies/{reply.id}"
    assert_error(setting.as_coordinator.patch(reply_url, json={"body": "Antwoord 2"}), 422, "invalid", "edit_note")
    assert setting.as_other.patch(reply_url, json={"body": "Antwoord 2"}).get_json()["edit_note"] == ""
    body = setting.as_coordinator.patch(reply_url, json={"body": "Antwoord 3", "edit_note": "Privégegevens"}).get_json()
    assert (body["body_html"], body["edit_note"]) == ("<p>Antwoord 3</p>\n", "Privégegevens")
    assert count(Revision, Revision.target == "reply", Revision.target_id == reply.id) == 2
    assert_error(setting.as_author.patch(reply_url, json={"body": "Niet van mij"}), 403, "forbidden")


def test_pin_and_lock(setting):
    d = actions.start_discussion(setting.author, setting.community, "Titel", "Tekst")
    url = f"/api/v1/discussions/{d.id}"
    assert setting.as_coordinator.post(f"{url}/pin", json={"pinned": True}).get_json()["pinned"] is True
    body = setting.as_coordinator.post(f"{url}/lock", json={"locked": True, "reason": "Opgelost"}).get_json()
    assert (body["locked"], body["lock_reason"], body["can_reply"]) == (True, "Opgelost", False)
    assert setting.as_author.get(url).get_json()["can_reply"] is False
    body = setting.as_coordinator.post(f"{url}/lock", json={"locked": False, "reason": "weg"}).get_json()
    assert (body["locked"], body["lock_reason"]) == (False, "")
    assert_error(setting.as_coordinator.post(f"{url}/lock", json={"locked": True, "reason": "r" * 301}), 422, "invalid",
                 "reason")
    assert_error(setting.as_coordinator.post(f"{url}/pin", json={}), 422)


def test_locked_discussion_refuses_replies_and_writes_nothing(setting):
    d = actions.start_discussion(setting.author, setting.community, "Titel", "Tekst")
    actions.set_locked(setting.coordinator, d, True, "Dubbele vraag")
    error = assert_error(setting.as_other.post(f"/api/v1/discussions/{d.id}/replies", json={"body": "Toch nog"}),
                         409, "locked")
    assert "Dubbele vraag" in error["message"]
    db.session.refresh(d)
    assert (count(Reply), d.reply_count) == (0, 0)


def test_replies_quotes_and_numbering(setting):
    d = actions.start_discussion(setting.author, setting.community, "Titel", "Tekst")
    other = actions.start_discussion(setting.author, setting.community, "Andere", "Tekst")
    elsewhere = actions.post_reply(setting.author, other, "Elders")
    url = f"/api/v1/discussions/{d.id}/replies"
    first = setting.as_other.post(url, json={"body": "Eerste"}).get_json()
    assert (first["number"], first["quote_of"], first["me_helpful"], first["removed"]) == (1, None, False, False)
    assert (first["can_edit"], first["can_remove"], first["can_mark_helpful"]) == (True, True, False)
    second = setting.as_author.post(url, json={"body": "> Eerste\n\nEens", "quote_of": first["id"]}).get_json()
    assert second["number"] == 2
    assert second["quote_of"] == {"id": first["id"], "number": 1, "removed": False,
                                  "author": {"id": setting.other.id, "display_name": "Piet Bakker"}}
    for quote_of in (elsewhere.id, 999_999):
        assert_error(setting.as_author.post(url, json={"body": "Citaat", "quote_of": quote_of}), 422, "invalid",
                     "quote_of")
    assert_error(setting.as_author.post(url, json={"body": "Citaat", "quote_of": "1"}), 422)
    assert count(Reply, Reply.discussion_id == d.id) == 2
    assert setting.as_author.get(f"/api/v1/discussions/{d.id}").get_json()["reply_count"] == 2


def test_removal_keeps_the_number_and_hides_the_body(setting):
    d = actions.start_discussion(setting.author, setting.community, "Titel", "Tekst")
    kept = actions.post_reply(setting.other, d, "Blijft")
    gone = actions.post_reply(setting.author, d, "Oeps, privé")
    actions.edit_reply(setting.author, gone, "Oeps, nog steeds privé")
    actions.accept_answer(setting.author, d, gone)
    actions.set_helpful(setting.other, gone)
    url = f"/api/v1/replies/{gone.id}"
    assert_error(setting.as_other.delete(url), 403, "forbidden")
    assert_error(setting.as_coordinator.delete(url), 403, "forbidden")
    assert setting.as_author.delete(url).status_code == 204
    body = setting.as_other.get(url).get_json()
    assert (body["removed"], body["body"], body["body_html"], body["author"], body["number"]) == (
        True, None, None, None, 2)
    assert (body["helpful_count"], body["can_edit"], body["can_remove"], body["accepted"]) == (0, False, False, False)
    third = setting.as_other.post(f"/api/v1/discussions/{d.id}/replies", json={"body": "Verder"}).get_json()
    assert third["number"] == 3
    items = setting.as_other.get(f"/api/v1/discussions/{d.id}/replies").get_json()["items"]
    assert [(i["number"], i["removed"], i["body"]) for i in items] == [(1, False, "Blijft"), (2, True, None),
                                                                       (3, False, "Verder")]
    assert "privé" not in setting.as_other.get(f"/api/v1/discussions/{d.id}/replies").get_data(as_text=True)
    assert setting.as_other.get(f"/api/v1/discussions/{d.id}").get_json()["accepted_reply_id"] is None
    assert count(Revision, Revision.target == "reply", Revision.target_id == gone.id) == 0
    assert_error(setting.as_author.delete(url), 403)  # already removed
    assert_error(setting.as_author.patch(url, json={"body": "Terug"}), 403)
    assert_error(setting.as_other.put(f"{url}/helpful"), 403)
    assert_error(setting.as_other.post(f"/api/v1/discussions/{d.id}/replies", json={"body": "x", "quote_of": gone.id}),
                 422, "invalid", "quote_of")
    assert kept.id in {i["id"] for i in items}


def test_helpful_counts_once_and_not_for_your_own(setting):
    d = actions.start_discussion(setting.author, setting.community, "Titel", "Tekst")
    reply = actions.post_reply(setting.author, d, "Nuttig?")
    url = f"/api/v1/replies/{reply.id}/helpful"
    for _ in range(2):
        body = setting.as_other.put(url).get_json()
        assert (body["helpful_count"], body["me_helpful"]) == (1, True)
    assert count(Reaction) == 1
    body = setting.as_coordinator.put(url).get_json()
    assert (body["helpful_count"], body["me_helpful"]) == (2, True)
    assert setting.as_author.get(f"/api/v1/replies/{reply.id}").get_json()["me_helpful"] is False
    assert_error(setting.as_author.put(url), 403, "forbidden")
    for _ in range(2):
        body = setting.as_other.delete(url).get_json()
        assert (body["helpful_count"], body["me_helpful"]) == (1, False)
    listed = setting.as_coordinator.get(f"/api/v1/discussions/{d.id}/replies").get_json()["items"][0]
    assert (listed["helpful_count"], listed["me_helpful"]) == (1, True)


def test_accepting_an_answer(setting):
    d = actions.start_discussion(setting.author, setting.community, "Vraag", "Tekst")
    other = actions.start_discussion(setting.other, setting.community, "Andere", "Tekst")
    good = actions.post_reply(setting.other, d, "Zo doe je dat")
    removed = actions.post_reply(setting.other, d, "Weg")
    actions.remove_reply(setting.other, removed)
    foreign = actions.post_reply(setting.author, other, "Elders")
    url = f"/api/v1/discussions/{d.id}/answer"
    assert_error(setting.as_other.post(url, json={"reply_id": good.id}), 403, "forbidden")  # not the asker
    body = setting.as_author.post(url, json={"reply_id": good.id}).get_json()
    assert (body["accepted_reply_id"], body["answered"]) == (good.id, True)
    assert setting.as_author.get(f"/api/v1/replies/{good.id}").get_json()["accepted"] is True
    for reply_id in (foreign.id, removed.id, 999_999):
        assert_error(setting.as_author.post(url, json={"reply_id": reply_id}), 422, "invalid", "reply_id")
    assert_error(setting.as_author.post(url, json={}), 422)
    assert setting.as_coordinator.post(url, json={"reply_id": None}).get_json()["accepted_reply_id"] is None
    db.session.refresh(d)
    assert d.accepted_reply_id is None


def test_archived_community_takes_no_posts(setting):
    d = actions.start_discussion(setting.author, setting.community, "Vraag", "Tekst")
    community_actions.set_archived(setting.admin, setting.community, True)
    assert_error(setting.as_author.post("/api/v1/communities/smart/discussions", json={"title": "T", "body": "B"}),
                 409, "archived")
    assert_error(setting.as_author.post(f"/api/v1/discussions/{d.id}/replies", json={"body": "B"}), 409, "archived")
    assert_error(setting.as_author.post("/api/v1/communities/smart/cases", json={"title": "T", "context": "C"}),
                 409, "archived")
    assert setting.as_author.get(f"/api/v1/discussions/{d.id}").status_code == 200


@pytest.mark.parametrize("method, url, body, field", [
    ("POST", "/api/v1/communities/smart/discussions", {"title": "x" * 201, "body": "b"}, "title"),
    ("POST", "/api/v1/communities/smart/discussions", {"title": "   ", "body": "b"}, "title"),
    ("POST", "/api/v1/communities/smart/discussions", {"title": "T", "body": "b" * 20_001}, "body"),
    ("POST", "/api/v1/communities/smart/discussions", {"title": "T", "body": " \n "}, "body"),
    ("POST", "{discussion}/replies", {"body": "b" * 20_001}, "body"),
    ("POST", "{discussion}/replies", {"body": ""}, "body"),
    ("PATCH", "{discussion}", {"title": "x" * 201}, "title"),
    ("PATCH", "{reply}", {"body": "b" * 20_001}, "body"),
    ("POST", "/api/v1/communities/smart/cases", {"title": "x" * 201, "context": "c"}, "title"),
    ("POST", "/api/v1/communities/smart/cases", {"title": "T", "context": "c" * 20_001}, "context"),
    ("POST", "/api/v1/communities/smart/cases",
     {"title": "T", "context": "a" * 19_000, "question": "b" * 19_000, "approach": "c" * 13_000}, "context"),
    ("POST", "/api/v1/communities/smart/cases", {"title": "T", "tags": [f"tag{n}" for n in range(11)]}, "tags"),
    ("POST", "/api/v1/communities/smart/cases", {"title": "T", "tags": ["<script>"]}, "tags"),
    ("POST", "/api/v1/communities/smart/cases", {"title": "T", "publish": True}, "context"),
    ("PATCH", "{case}", {"result": "r" * 20_000, "lessons": "l" * 20_000, "approach": "a" * 10_001}, "context"),
    ("PATCH", "{case}", {"tags": [f"t{n}" for n in range(11)]}, "tags"),
])
def test_sizes_and_refusals_name_the_field_and_write_nothing(setting, method, url, body, field):
    d = actions.start_discussion(setting.author, setting.community, "Titel", "Tekst")
    reply = actions.post_reply(setting.author, d, "Antwoord")
    case = case_actions.create_case(setting.author, setting.community, title="Casus", context="Eerste versie")
    url = url.format(discussion=f"/api/v1/discussions/{d.id}", reply=f"/api/v1/replies/{reply.id}",
                     case=f"/api/v1/cases/{case.id}")
    before = {model: count(model) for model in (Discussion, Reply, Case, Revision)}
    assert_error(setting.as_author.open(url, method=method, json=body), 422, "invalid", field)
    assert {model: count(model) for model in before} == before
    db.session.refresh(case)
    assert (case.context, case.tag_names, case.status) == ("Eerste versie", [], "draft")


@pytest.mark.parametrize("url, body", [
    ("/api/v1/communities/smart/discussions", {"title": "T"}),
    ("/api/v1/communities/smart/discussions", {"title": "T", "body": "b", "extra": 1}),
    ("/api/v1/communities/smart/discussions", {"title": 5, "body": "b"}),
    ("/api/v1/communities/smart/discussions", {"title": "a\u0000b", "body": "b"}),
    ("/api/v1/communities/smart/cases", {"title": "T", "level": "phd"}),
    ("/api/v1/communities/smart/cases", {"title": "T", "tags": "cnc"}),
    ("/api/v1/communities/smart/cases", {"title": "T", "organisation_id": "3"}),
    ("/api/v1/communities/smart/cases", {"title": "T", "organisation_id": 2 ** 40}),
    ("/api/v1/preview", {}),
    ("/api/v1/preview", {"text": "x" * 50_001}),
])
def test_malformed_input_is_422(setting, url, body):
    assert_error(setting.as_author.post(url, json=body), 422, "invalid")
    assert count(Discussion) == count(Case) == 0


@pytest.mark.parametrize("url", [
    "/api/v1/discussions/0", "/api/v1/discussions/99999999999999999999", "/api/v1/replies/2147483648",
    "/api/v1/cases/999", "/api/v1/cases/-1/attachments", "/api/v1/communities/SMART/discussions",
    "/api/v1/communities/%00/cases",
])
def test_odd_ids_are_404(setting, url):
    assert_error(setting.as_author.get(url), 404, "not_found")


# --- sanitised HTML -------------------------------------------------------------------------------

def test_hostile_markdown_comes_back_sanitised(setting):
    d = setting.as_author.post("/api/v1/communities/smart/discussions",
                               json={"title": "XSS", "body": "\n\n".join(src for _, src in XSS_CORPUS
                                                               if "\x00" not in src)}).get_json()
    assert not problems_in(d["body_html"]), problems_in(d["body_html"])
    failures = []
    for label, source in XSS_CORPUS:
        reply = setting.as_other.post(f"/api/v1/discussions/{d['id']}/replies", json={"body": source})
        preview = setting.as_other.post("/api/v1/preview", json={"text": source})
        for what, response in (("reply", reply), ("preview", preview)):
            if "\x00" in source:  # the API refuses NUL characters outright
                if response.status_code != 422:
                    failures.append(f"{label} ({what}): {response.status_code}")
                continue
            html = response.get_json()["body_html" if what == "reply" else "html"]
            failures += [f"{label} ({what}): {problem}" for problem in problems_in(html)]
            # Plain checks besides problems_in's thorough ones: no script tag, event attribute or
            # javascript: URL in any tag (escaped text that merely shows "onerror=" is harmless).
            tags = " ".join(re.findall(r"<[^>]*>", html)).lower()
            unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", '""', tags)
            if "<script" in tags or re.search(r"\son\w+\s*=", unquoted) \
                    or re.search(r'(href|src)="\s*javascript:', tags):
                failures.append(f"{label} ({what}): {html!r}")
    assert not failures, "\n".join(failures)
    case = setting.as_author.post("/api/v1/communities/smart/cases", json={
        "title": "XSS", "context": "<script>alert(1)</script>", "question": "[x](javascript:alert(1))",
        "approach": "<img src=x onerror=alert(1)>", "result": "<svg onload=alert(1)>", "lessons": "**ok**"}).get_json()
    for name in ("context", "question", "approach", "result", "lessons"):
        assert not problems_in(case[name + "_html"]), (name, case[name + "_html"])
    assert case["lessons_html"] == "<p><strong>ok</strong></p>\n"


# --- the preview ----------------------------------------------------------------------------------

def test_preview_renders_mentions_and_stores_nothing(setting):
    before = {model: count(model) for model in (Discussion, Reply, Case, Mention, Revision)}
    body = setting.as_author.post("/api/v1/preview", json={"text": "Hoi @piet-bakker, kijk **hier**\u202e"}).get_json()
    assert body == {"html": '<p>Hoi <a href="/people/piet-bakker" class="mention" rel="nofollow noopener ugc">'
                            "@piet-bakker</a>, kijk <strong>hier</strong></p>\n"}
    assert setting.as_author.post("/api/v1/preview", json={"text": "  "}).get_json() == {"html": ""}
    assert setting.as_author.post("/api/v1/preview", json={"text": "x" * 50_000}).status_code == 200
    assert {model: count(model) for model in before} == before


def test_preview_from_the_browser_needs_the_csrf_header(setting, make_client):
    browser = make_client(setting.author)  # logged in with the session cookie, no token
    assert_error(browser.post("/api/v1/preview", json={"text": "*hoi*"}), 400, "csrf_failed")
    token = browser.csrf_token("/dashboard")
    response = browser.post("/api/v1/preview", json={"text": "*hoi*"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json() == {"html": "<p><em>hoi</em></p>\n"}
    assert_error(make_client().post("/api/v1/preview", json={"text": "x"}), 401, "unauthorized")


# --- cases ----------------------------------------------------------------------------------------

def test_case_draft_publish_and_delete(setting, factories):
    org = factories.organisation(name="Twentse Onderhoudstechniek")
    factories.member(org, who=setting.author)
    response = setting.as_author.post("/api/v1/communities/smart/cases", json={
        "title": "Trillingssensoren", "context": "Een *CNC-bank*", "question": "Wanneer onderhoud?",
        "domain": "Onderhoud", "level": "mbo", "organisation_id": org.id, "tags": ["CNC", " Sensoren ", "cnc"]})
    assert response.status_code == 201
    case = response.get_json()
    assert (case["status"], case["discussion_id"], case["published_at"], case["can_publish"], case["can_delete"]) == (
        "draft", None, None, True, True)
    assert case["context_html"] == "<p>Een <em>CNC-bank</em></p>\n" and case["result_html"] == ""
    assert case["tags"] == ["cnc", "sensoren"] and case["organisation"] == {"id": org.id,
                                                                          "name": "Twentse Onderhoudstechniek"}
    assert setting.as_other.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert setting.as_other.get("/api/v1/communities/smart/cases").get_json()["total"] == 0
    assert setting.as_admin.get("/api/v1/communities/smart/cases").get_json()["total"] == 0
    published = setting.as_author.post(f"/api/v1/cases/{case['id']}/publish").get_json()
    assert published["status"] == "published" and published["discussion_id"] is not None
    assert (published["can_publish"], published["can_delete"]) == (False, False)
    discussion = setting.as_other.get(f"/api/v1/discussions/{published['discussion_id']}").get_json()
    assert (discussion["case_id"], discussion["title"]) == (case["id"], "Trillingssensoren")
    assert_error(setting.as_author.delete(f"/api/v1/cases/{case['id']}"), 403, "forbidden")

    draft = case_actions.create_case(setting.author, setting.community, title="Weg ermee", context="x").id
    upload(setting.as_author, draft)
    stored = attachment_actions.path_of(db.session.scalar(sa.select(Attachment)))
    assert os.path.exists(stored)
    assert setting.as_author.delete(f"/api/v1/cases/{draft}").status_code == 204
    assert (count(Case, Case.id == draft), count(Attachment), os.path.exists(stored)) == (0, 0, False)


def test_coordinator_edits_a_published_case_with_a_note(setting, factories):
    org = factories.organisation(name="Van der Meer Metaal")
    factories.member(org, who=setting.author)
    case = case_actions.create_case(setting.author, setting.community, title="Cobot", context="v1",
                                    organisation_id=org.id,
                                    tags=["cobot"], publish=True)
    url = f"/api/v1/cases/{case.id}"
    assert_error(setting.as_coordinator.patch(url, json={"context": "v2"}), 422, "invalid", "edit_note")
    assert_error(setting.as_other.patch(url, json={"context": "v2"}), 403, "forbidden")
    body = setting.as_coordinator.patch(url, json={"context": "v2", "edit_note": "Naam verwijderd"}).get_json()
    # What was left out stays, the author's organisation included (the coordinator is not in it).
    assert (body["context"], body["title"], body["tags"], body["organisation"]["id"], body["edit_note"]) == (
        "v2", "Cobot", ["cobot"], org.id, "Naam verwijderd")
    body = setting.as_author.patch(url, json={"title": "Cobot lassen", "tags": []}).get_json()
    assert (body["title"], body["tags"], body["edit_note"]) == ("Cobot lassen", [], "")
    assert count(Revision, Revision.target == "case", Revision.target_id == case.id) == 2
    assert setting.as_other.get(f"/api/v1/discussions/{body['discussion_id']}").get_json()["title"] == "Cobot lassen"


def test_case_list_filters_and_order(setting, factories):
    org = factories.organisation(name="Bedrijf A")
    factories.member(org, who=setting.other)

    def make(who, title, publish=True, **data):
        return case_actions.create_case(who, setting.community, title=title, context="x", publish=publish, **data)

    make(setting.author, "Oud", domain="Onderhoud", level="mbo", tags=["cnc"])
    make(setting.other, "Nieuw", domain="Lassen", level="hbo", tags=["cnc", "robot"], organisation_id=org.id)
    make(setting.author, "Mijn concept", publish=False, tags=["cnc"])
    make(setting.other, "Andermans concept", publish=False)

    def titles(client, query=""):
        return [i["title"] for i in client.get("/api/v1/communities/smart/cases" + query).get_json()["items"]]

    assert titles(setting.as_author) == ["Mijn concept", "Nieuw", "Oud"]
    assert titles(setting.as_other) == ["Andermans concept", "Nieuw", "Oud"]
    assert titles(setting.as_coordinator) == ["Nieuw", "Oud"]
    assert titles(setting.as_author, "?tag=CNC") == ["Mijn concept", "Nieuw", "Oud"]
    assert titles(setting.as_author, "?tag=robot") == ["Nieuw"]
    assert titles(setting.as_author, "?domain=onderhoud") == ["Oud"]
    assert titles(setting.as_author, "?level=hbo") == ["Nieuw"]
    assert titles(setting.as_author, f"?organisation={org.id}") == ["Nieuw"]
    assert titles(setting.as_author, "?tag=cnc&level=mbo") == ["Oud"]
    item = setting.as_author.get("/api/v1/communities/smart/cases?tag=robot").get_json()["items"][0]
    assert (item["organisation"]["name"], item["tags"], item["reply_count"], item["attachment_count"]) == (
        "Bedrijf A", ["cnc", "robot"], 0, 0)
    assert_error(setting.as_author.get("/api/v1/communities/smart/cases?level=phd"), 422)
    assert_error(setting.as_author.get("/api/v1/communities/smart/cases?organisation=abc"), 422)


def test_case_list_pages_by_twenty(setting):
    for n in range(21):
        case_actions.create_case(setting.author, setting.community, title=f"Casus {n:02d}", context="x", publish=True)
    first = setting.as_other.get("/api/v1/communities/smart/cases").get_json()
    last = setting.as_other.get("/api/v1/communities/smart/cases?page=2").get_json()
    assert (len(first["items"]), first["pages"], first["total"]) == (20, 2, 21)
    assert first["items"][0]["title"] == "Casus 20" and last["items"][0]["title"] == "Casus 00"


# --- attachments ----------------------------------------------------------------------------------

def test_attachments_upload_and_list(setting):
    case = case_actions.create_case(setting.author, setting.community, title="Casus", context="x", publish=True)
    response = upload(setting.as_author, case.id, png(40, 30), name="../../Foto werkplaats.PNG")
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert (made["name"], made["content_type"], made["width"], made["height"], made["is_image"]) == (
        "Foto werkplaats.png", "image/png", 40, 30, True)
    assert made["url"] == f"/attachments/{made['id']}/Foto%20werkplaats.png"
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    assert upload(setting.as_coordinator, case.id, pdf, name="verslag.pdf").status_code == 201
    items = setting.as_other.get(f"/api/v1/cases/{case.id}/attachments").get_json()["items"]
    assert [(i["name"], i["content_type"], i["is_image"]) for i in items] == [
        ("Foto werkplaats.png", "image/png", True), ("verslag.pdf", "application/pdf", False)]
    assert setting.as_other.get(f"/api/v1/cases/{case.id}").get_json()["attachment_count"] == 2
    assert_error(upload(setting.as_author, case.id, False), 422, "invalid")
    assert_error(upload(setting.as_author, case.id, b""), 422, "invalid", "file")
    assert_error(upload(setting.as_author, case.id, b"<html><script>alert(1)</script>", name="x.png"), 415,
                 "unsupported_type", "file")
    assert_error(setting.as_author.post(f"/api/v1/cases/{case.id}/attachments", json={"file": "x"}), 422)
    assert count(Attachment) == 2


# --- a fixed number of queries ----------------------------------------------------------------------

def _new_members(factories, community, n, organisations=False):
    """n fresh members (each in an organisation of their own, if asked): a bigger page must
    also have more distinct authors and organisations, or a query per author would go unseen."""
    people = [factories.member(factories.organisation(),
                               who=factories.user()) if organisations else factories.user() for _ in range(n)]
    for who in people:
        community_actions.join(who, community)
    return people


def _organisation_of(user):
    return db.session.scalar(sa.select(OrganisationMembership.organisation_id).where(
        OrganisationMembership.user_id == user.id))


def test_replies_query_count_does_not_grow(setting, factories, count_queries):
    d = actions.start_discussion(setting.author, setting.community, "Titel", "Tekst")

    def add(n, writers):
        for i in range(n):
            who = writers[i % len(writers)]
            previous = db.session.scalar(sa.select(Reply).where(Reply.discussion_id == d.id,
                                                                Reply.deleted_at.is_(None))
                                         .order_by(Reply.id.desc()).limit(1))
            reply = actions.post_reply(who, d, f"Antwoord {i}", quote_of=previous if i % 3 == 0 else None)
            if i % 4 == 0:
                actions.set_helpful(setting.other, reply)
            if i % 7 == 0:
                actions.remove_reply(who, reply)

    add(10, [setting.author, setting.coordinator])
    small, body = counted_get(setting.as_other, f"/api/v1/discussions/{d.id}/replies", count_queries)
    assert len(body["items"]) == 10
    add(110, _new_members(factories, setting.community, 40))
    large, body = counted_get(setting.as_other, f"/api/v1/discussions/{d.id}/replies", count_queries)
    assert (len(body["items"]), body["total"]) == (50, 120)
    assert len({i["author"]["id"] for i in body["items"] if i["author"]}) > 30
    assert {i["me_helpful"] for i in body["items"]} == {True, False}
    assert any(i["quote_of"] for i in body["items"]) and any(i["removed"] for i in body["items"])
    assert large.count == small.count, large.statements


def test_cases_query_count_does_not_grow(setting, factories, count_queries):
    def add(n, writers):
        for i in range(n):
            who = writers[i % len(writers)]
            case = case_actions.create_case(who, setting.community, title=f"Casus {i}", context="x", publish=i % 5 != 0,
                                            organisation_id=_organisation_of(who) if i % 4 else None,
                                            tags=[f"tag{i % 4}", "cnc"])
            if i % 6 == 0:
                attachment_actions.add_attachment(who, case, "foto.png", io.BytesIO(png()))
        case_actions.create_case(setting.author, setting.community, title="Eigen concept", context="x")

    add(5, _new_members(factories, setting.community, 2, organisations=True))
    small, body = counted_get(setting.as_author, "/api/v1/communities/smart/cases", count_queries)
    assert body["total"] == 5  # four published, the author's own draft; not the other's draft
    add(55, _new_members(factories, setting.community, 20, organisations=True))
    large, body = counted_get(setting.as_author, "/api/v1/communities/smart/cases", count_queries)
    assert (len(body["items"]), body["total"]) == (20, 50)
    assert len({i["organisation"]["id"] for i in body["items"] if i["organisation"]}) > 5
    assert any(i["attachment_count"] for i in body["items"])
    assert large.count == small.count, large.statements


def test_discussions_query_count_does_not_grow(setting, factories, count_queries):
    def add(n, writers):
        for i in range(n):
            d = actions.start_discussion(writers[i % len(writers)], setting.community, f"Vraag {i}", "tekst")
            if i % 3 == 0:
                actions.post_reply(setting.other, d, "Gelezen")
            if i % 5 == 0:
                actions.set_pinned(setting.coordinator, d, True)

    add(3, [setting.author])
    small, body = counted_get(setting.as_other, "/api/v1/communities/smart/discussions", count_queries)
    assert len(body["items"]) == 3
    add(37, _new_members(factories, setting.community, 30))
    large, body = counted_get(setting.as_other, "/api/v1/communities/smart/discussions", count_queries)
    assert (len(body["items"]), body["total"]) == (30, 40)
    assert len({i["author"]["id"] for i in body["items"]}) > 20
    assert large.count == small.count, large.statements


# --- the OpenAPI document -----------------------------------------------------------------------

def test_openapi_lists_every_content_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = {path: set(ops) - {"parameters"} for path, ops in spec["paths"].items()}
    d, r, c = "/api/v1/discussions/{discussion_id}", "/api/v1/replies/{reply_id}", "/api/v1/cases/{case_id}"
    expected = {
        "/api/v1/communities/{slug}/discussions": {"get", "post"},
        d: {"get", "patch"},
        f"{d}/pin": {"post"},
        f"{d}/lock": {"post"},
        f"{d}/answer": {"post"},
        f"{d}/replies": {"get", "post"},
        r: {"get", "patch", "delete"},
        f"{r}/helpful": {"put", "delete"},
        "/api/v1/communities/{slug}/cases": {"get", "post"},
        c: {"get", "patch", "delete"},
        f"{c}/publish": {"post"},
        f"{c}/attachments": {"get", "post"},
        "/api/v1/preview": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= paths.get(path, set()), path
        for method in methods:
            assert "401" in spec["paths"][path][method]["responses"], (path, method)
    upload_body = spec["paths"][f"{c}/attachments"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body
    parameters = spec["paths"]["/api/v1/communities/{slug}/cases"]["get"]["parameters"]
    assert {p["name"] for p in parameters} >= {"tag", "domain", "level", "organisation", "page"}
    text = json.dumps(spec)
    for section, name in set(re.findall(r'"#/components/(\w+)/([\w.-]+)"', text)):
        assert name in spec["components"].get(section, {}), f"dangling reference to {section}/{name}"
