"""The moderation JSON API: reports and the review queue, hide/restore/dismiss, moving a
discussion, mutes and bans, the audit log; a role × endpoint matrix, hostile input (never a 500),
nothing half-written on a refusal, fixed query counts, the OpenAPI document, and hidden content in
the existing discussion and case endpoints. State is built through the real actions."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.actions import accounts as account_actions
from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions
from community.actions import moderation as actions
from community.extensions import db
from community.models import AuditEntry, CommunityMembership, Discussion, Report, Sanction, utcnow
from tests import worlds
from tests.helpers import assert_error, assert_matrix, count, counted_get, settings

API = "/api/v1"
ROLES = ("anonymous", "outsider", "member", "author", "other_coordinator", "coordinator", "admin")


def iso(moment):
    return moment.isoformat()


@pytest.fixture
def world(factories, api):
    """The "lassen" world (tests.worlds.lassen), and a private "lassen-prive" that Coco runs too,
    with a discussion of her own; a token client for every role."""
    world = worlds.lassen()
    world.lassen_private = factories.community(name="Lassen privé", slug="lassen-prive", visibility="private",
                                               join_policy="invite", coordinator=world.coordinator, actor=world.admin)
    world.private_discussion = factories.discussion(world.lassen_private, world.coordinator, "Intern",
                                                    "Alleen voor leden.")
    world.clients = {role: api(world.users.get(role)) for role in ROLES}
    return world


def report(world, who, target, item_id, reason="spam", note=""):
    return world.clients[who].post(f"{API}/reports", json={"target": target, "id": item_id, "reason": reason,
                                                           "note": note})


# --- reports -------------------------------------------------------------------------------------------------

def test_report_answers_the_report_and_refuses_a_second_open_one(world):
    response = report(world, "member", "reply", world.reply.id, "inappropriate", "Grof.")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in ("target", "target_id", "reason", "note", "status")} == {
        "target": "reply", "target_id": world.reply.id, "reason": "inappropriate", "note": "Grof.", "status": "open"}
    assert body["id"] and body["created_at"].endswith("+00:00")
    assert_error(report(world, "member", "reply", world.reply.id), 409, "conflict")
    assert count(Report) == 1
    # Dismissed: the same person may report it again.
    dismissed = world.clients["coordinator"].post(f"{API}/moderation/reply/{world.reply.id}/dismiss", json={})
    assert dismissed.status_code == 200
    assert report(world, "member", "reply", world.reply.id).status_code == 201
    assert count(Report) == 2


def test_reporting_what_you_cannot_see_is_answered_like_a_missing_item(world):
    missing = report(world, "outsider", "discussion", 999999)
    private = report(world, "outsider", "discussion", world.private_discussion.id)
    assert_error(missing, 404, "not_found") == assert_error(private, 404, "not_found")
    assert missing.get_json() == private.get_json()
    actions.hide(world.coordinator, "reply", world.reply, "Vertrouwelijk")
    assert (report(world, "member", "reply", world.reply.id).get_json()
            == report(world, "member", "reply", 999999).get_json())
    assert count(Report) == 0


def test_reporting_your_own_post_is_refused(world):
    for target, item in (("reply", world.reply), ("discussion", world.discussion), ("case", world.case)):
        assert_error(report(world, "author", target, item.id), 403, "forbidden")
    assert count(Report) == 0


def test_report_rate_limit(world, app, factories):
    replies = [discussions.post_reply(world.author, world.discussion, f"Antwoord {n}") for n in range(3)]
    with settings(app, REPORTS_PER_HOUR=2):
        assert report(world, "member", "reply", replies[0].id).status_code == 201
        assert report(world, "member", "reply", replies[1].id).status_code == 201
        assert_error(report(world, "member", "reply", replies[2].id), 429, "rate_limited")
        assert report(world, "outsider", "reply", replies[2].id).status_code == 201  # per person
    assert count(Report) == 3


@pytest.mark.parametrize("payload, status, field", [
    ({"target": "user", "id": 1, "reason": "spam"}, 422, None),
    ({"target": "reply", "id": "²", "reason": "spam"}, 422, None),
    ({"target": "reply", "id": "1", "reason": "spam"}, 422, None),
    ({"target": "reply", "id": 10 ** 40, "reason": "spam"}, 422, None),
    ({"target": "reply", "id": -1, "reason": "spam"}, 422, None),
    ({"target": "reply", "id": True, "reason": "spam"}, 422, None),
    ({"target": "reply", "id": 1.5, "reason": "spam"}, 422, None),
    ({"target": "reply", "id": None, "reason": "spam"}, 422, None),
    ({"target": ["reply"], "id": 1, "reason": "spam"}, 422, None),
    ({"target": "reply", "reason": "spam"}, 422, None),
    ({"target": "reply", "id": "ID", "reason": "nasty"}, 422, None),
    ({"target": "reply", "id": "ID", "reason": "SPAM"}, 422, None),
    ({"target": "reply", "id": "ID", "reason": "spam", "note": "x" * 100_000}, 422, None),
    ({"target": "reply", "id": "ID", "reason": "spam", "note": "a\x00b"}, 422, None),
    ({"target": "reply", "id": "ID", "reason": "spam", "note": "\ud800"}, 422, None),
    ({"target": "reply", "id": "ID", "reason": "spam", "note": 12}, 422, None),
    ({"target": "reply", "id": "ID", "reason": "other"}, 422, "note"),
    ({"target": "reply", "id": "ID", "reason": "other", "note": "   \n  "}, 422, "note"),
    ({"target": "reply", "id": "ID", "reason": "other", "note": "y" * 1500}, 422, "note"),
])
def test_report_bad_input_is_refused_and_nothing_is_written(world, payload, status, field):
    payload = {k: (world.reply.id if v == "ID" else v) for k, v in payload.items()}
    assert_error(world.clients["member"].post(f"{API}/reports", json=payload), status, field=field)
    assert count(Report) == 0


def test_report_unicode_note_and_other_reason_are_kept(world):
    note = "Dit is 🚫 niet oké — זה לא בסדר " + "é" * 900
    response = report(world, "member", "discussion", world.discussion.id, "other", note)
    assert response.status_code == 201 and response.get_json()["note"] == note


@pytest.mark.parametrize("body, content_type", [
    ("target=reply&id=1&reason=spam", "application/x-www-form-urlencoded"),
    ("not json at all", "text/plain"),
    ("", "application/json"),
])
def test_report_without_a_json_body_is_refused(world, body, content_type):
    response = world.clients["member"].post(f"{API}/reports", data=body, content_type=content_type)
    assert_error(response, 422)
    assert count(Report) == 0


@pytest.mark.parametrize("body", ["{", "[" * 100_000 + "]" * 100_000, '{"id": ' + "9" * 5000 + "}"])
def test_report_unreadable_json_is_a_400(world, body):
    response = world.clients["member"].post(f"{API}/reports", data=body, content_type="application/json")
    assert_error(response, 400)


# --- the review queue ------------------------------------------------------------------------------------------

def test_queue_groups_open_reports_by_item(world, factories):
    second = factories.user("Sam Tweede")
    community_actions.join(second, world.lassen)
    actions.report(world.member, "reply", world.reply, "spam")
    actions.report(second, "reply", world.reply, "inappropriate", "Niet netjes")
    actions.report(world.outsider, "reply", world.reply, "spam")
    actions.report(world.member, "case", world.case, "confidential")
    body = world.clients["coordinator"].get(f"{API}/communities/lassen/reports").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    case_group, reply_group = body["items"]  # the newest report first
    assert (case_group["target"], case_group["target_id"], case_group["count"]) == ("case", world.case.id, 1)
    assert case_group["item"]["title"] == "Lascobot" and case_group["item"]["excerpt"] == "Een cobot in de hal."
    assert reply_group["target"] == "reply" and reply_group["count"] == 3
    assert reply_group["reasons"] == ["spam", "inappropriate"]  # most frequent first
    assert reply_group["item"] == {
        "title": "Lasrookafzuiging", "excerpt": "Het geheime recept is 42.", "author": {"id": world.author.id,
                                                                              "display_name": "Anna Auteur"},
        "number": 1, "discussion_id": world.discussion.id, "hidden": False, "removed": False,
        "created_at": reply_group["item"]["created_at"]}
    assert reply_group["community"] == {"id": world.lassen.id, "slug": "lassen", "name": "Lassen"}
    assert {r["reporter"]["display_name"] for r in reply_group["reports"]} == {"Mia Lid", "Sam Tweede",
                                                                               "Otto Buiten"}
    assert reply_group["latest"] <= case_group["latest"]
    # Hiding resolves the reply's reports: the queue has the case left.
    world.clients["coordinator"].post(f"{API}/moderation/reply/{world.reply.id}/hide", json={"reason": "Grof"})
    body = world.clients["coordinator"].get(f"{API}/communities/lassen/reports").get_json()
    assert [(g["target"], g["target_id"]) for g in body["items"]] == [("case", world.case.id)]
    # The platform queue (admins) holds every community's; a community's holds its own.
    actions.report(world.admin, "discussion", world.private_discussion, "off_topic")
    body = world.clients["admin"].get(f"{API}/reports").get_json()
    assert [(g["target"], g["community"]["slug"]) for g in body["items"]] == [
        ("discussion", "lassen-prive"), ("case", "lassen")]
    body = world.clients["coordinator"].get(f"{API}/communities/lassen/reports").get_json()
    assert [g["target"] for g in body["items"]] == ["case"]


def test_read_matrix(world):
    for slug in ("lassen", "lassen-prive"):
        private = slug == "lassen-prive"
        expected = {"anonymous": 401, "outsider": 404 if private else 403, "member": 404 if private else 403,
                    "author": 404 if private else 403, "other_coordinator": 404 if private else 403,
                    "coordinator": 200, "admin": 200}
        assert_matrix(world.clients, [
            ("GET", f"{API}/communities/{slug}/reports", expected),
            ("GET", f"{API}/communities/{slug}/sanctions", expected),
            ("GET", f"{API}/communities/{slug}/audit", expected),
        ])
    admins_only = {role: 403 for role in ROLES} | {"anonymous": 401, "admin": 200}
    assert_matrix(world.clients, [
        ("GET", f"{API}/reports", admins_only),
        ("GET", f"{API}/audit", admins_only),
        ("GET", f"{API}/communities/nope/reports", {"coordinator": 404, "admin": 404}),
        ("GET", f"{API}/communities/NOPE%00/audit", {"coordinator": 404, "admin": 404}),
    ])


def test_write_matrix(world, factories):
    replies = [discussions.post_reply(world.author, world.discussion, f"Antwoord {n}") for n in range(3)]
    for reply in replies:
        actions.report(world.member, "reply", reply, "spam")
    refused = {"anonymous": 401, "outsider": 403, "member": 403, "author": 403, "other_coordinator": 403}
    hide = lambda reply: f"{API}/moderation/reply/{reply.id}/hide"  # noqa: E731
    assert_matrix(world.clients, [
        ("POST", hide(replies[0]), {**refused, "coordinator": 200}, {"reason": "Spam"}),
        ("POST", hide(replies[1]), {"admin": 200}, {"reason": "Spam"}),
        ("POST", hide(replies[1]), {"coordinator": 409, "admin": 409}, {"reason": "Nog eens"}),
        # Hidden: only its author (and moderators) may see it; for the others it does not exist.
        ("POST", f"{API}/moderation/reply/{replies[0].id}/restore",
         {**refused, "outsider": 404, "member": 404, "other_coordinator": 404, "coordinator": 200}),
        ("POST", f"{API}/moderation/reply/{replies[0].id}/restore", {"admin": 409}),
        ("POST", f"{API}/moderation/reply/{replies[2].id}/dismiss", {**refused, "admin": 200}),
        ("POST", f"{API}/moderation/reply/{replies[2].id}/dismiss", {"coordinator": 409}),
        # A private community's items do not exist for outsiders and other coordinators.
        ("POST", f"{API}/moderation/discussion/{world.private_discussion.id}/hide",
         {"outsider": 404, "other_coordinator": 404, "member": 404, "coordinator": 200}, {"reason": "Test"}),
        ("POST", f"{API}/moderation/user/{world.author.id}/hide", {"coordinator": 404, "admin": 404}, {"reason": "x"}),
        ("POST", f"{API}/moderation/reply/999999/hide", {"coordinator": 404, "admin": 404}, {"reason": "x"}),
        ("POST", f"{API}/moderation/reply/{10 ** 40}/hide", {"coordinator": 404}, {"reason": "x"}),
        ("POST", f"{API}/moderation/reply/²/hide", {"coordinator": 404}, {"reason": "x"}),
    ])


def test_hide_answers_the_item_state_and_a_reason_is_required(world):
    actions.report(world.member, "discussion", world.discussion, "spam")
    client = world.clients["coordinator"]
    for payload in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 700}, {"reason": "a\x00"},
                    {"reason": None}, {"reason": ["a"]}):
        assert_error(client.post(f"{API}/moderation/discussion/{world.discussion.id}/hide", json=payload), 422)
    assert_error(client.post(f"{API}/moderation/discussion/{world.discussion.id}/hide", data="reason=x"), 422)
    db.session.refresh(world.discussion)
    assert not world.discussion.is_hidden and count(AuditEntry) == 0 and count(Report, Report.status == "open") == 1
    response = client.post(f"{API}/moderation/discussion/{world.discussion.id}/hide", json={"reason": "Reclame 📢"})
    body = response.get_json()
    assert response.status_code == 200, body
    assert (body["hidden"], body["hidden_reason"], body["open_reports"], body["closed_reports"]) == (
        True, "Reclame 📢", 0, 1)
    body = client.post(f"{API}/moderation/discussion/{world.discussion.id}/restore", json={}).get_json()
    assert (body["hidden"], body["hidden_reason"], body["hidden_at"]) == (False, "", None)


def test_dismiss_reason_is_optional_and_limited(world):
    actions.report(world.member, "case", world.case, "spam")
    client = world.clients["coordinator"]
    assert_error(client.post(f"{API}/moderation/case/{world.case.id}/dismiss", json={"reason": "x" * 400}), 422,
                 field="reason")
    assert count(Report, Report.status == "open") == 1
    body = client.post(f"{API}/moderation/case/{world.case.id}/dismiss").get_json()
    assert (body["closed_reports"], body["open_reports"], body["hidden"]) == (1, 0, False)
    assert_error(client.post(f"{API}/moderation/case/{world.case.id}/dismiss", json={}), 409, "conflict")


# --- moving a discussion -------------------------------------------------------------------------------------

def test_move_by_slug_or_id(world):
    client = world.clients["coordinator"]
    response = client.post(f"{API}/discussions/{world.discussion.id}/move", json={"community": "lassen-prive",
                                                                                  "reason": "Hoort intern"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["community"]["slug"] == "lassen-prive"
    # The members of "lassen" can no longer read it.
    assert_error(world.clients["member"].get(f"{API}/discussions/{world.discussion.id}"), 404)
    response = client.post(f"{API}/discussions/{world.discussion.id}/move", json={"community": world.lassen.id})
    assert response.get_json()["community"]["slug"] == "lassen"
    assert [(e.action, e.community_id) for e in db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.id))] == [
        ("move", world.lassen.id), ("move", world.lassen_private.id), ("move", world.lassen_private.id),
        ("move", world.lassen.id)]


@pytest.mark.parametrize("value, status, field", [
    ("verspanen", 403, None),  # visible, but Coco does not coordinate it
    ("lassen", 422, "community"),  # where it is already
    ("nope", 422, "community"),
    ("LASSEN-PRIVE", 422, "community"),
    ("", 422, "community"),
    ("x" * 10_000, 422, "community"),
    ("lassen\x00", 422, "community"),
    (10 ** 40, 422, "community"),
    (-3, 422, "community"),
    (True, 422, "community"),
    (None, 422, None),
    ([1], 422, "community"),
    ({"slug": "lassen-prive"}, 422, "community"),
])
def test_move_refusals(world, value, status, field):
    response = world.clients["coordinator"].post(f"{API}/discussions/{world.discussion.id}/move",
                                                 json={"community": value})
    assert_error(response, status, field=field)
    db.session.refresh(world.discussion)
    assert world.discussion.community_id == world.lassen.id and count(AuditEntry) == 0


def test_move_a_private_community_the_caller_cannot_see_is_like_a_missing_one(world, factories, api):
    # Olga coordinates "verspanen" and is made coordinator of "lassen" too, not of "lassen-prive".
    membership = community_actions.join(world.other_coordinator, world.lassen)
    community_actions.set_role(world.admin, membership, "coordinator")
    client = world.clients["other_coordinator"]
    hidden = client.post(f"{API}/discussions/{world.discussion.id}/move", json={"community": "lassen-prive"})
    missing = client.post(f"{API}/discussions/{world.discussion.id}/move", json={"community": "bestaat-niet"})
    assert_error(hidden, 422, field="community")
    assert hidden.get_json() == missing.get_json()
    moved = client.post(f"{API}/discussions/{world.discussion.id}/move", json={"community": "verspanen"})
    assert moved.status_code == 200


def test_move_matrix_and_a_case_discussion_stays(world):
    refused = {"anonymous": 401, "outsider": 403, "member": 403, "author": 403, "other_coordinator": 403}
    assert_matrix(world.clients, [
        ("POST", f"{API}/discussions/{world.discussion.id}/move", refused, {"community": "lassen-prive"}),
        ("POST", f"{API}/discussions/{world.private_discussion.id}/move", {"outsider": 404, "member": 404},
         {"community": "lassen"}),
        ("POST", f"{API}/discussions/{world.case.discussion.id}/move", {"coordinator": 409, "admin": 409},
         {"community": "lassen-prive"}),
        ("POST", f"{API}/discussions/999999/move", {"coordinator": 404}, {"community": "lassen-prive"}),
    ])


# --- sanctions ----------------------------------------------------------------------------------------------

def sanction(world, who, user_id, kind="mute", ends_at="tomorrow", reason="Even afkoelen", slug="lassen"):
    payload = {"user_id": user_id, "kind": kind, "reason": reason}
    if ends_at == "tomorrow":
        payload["ends_at"] = iso(utcnow() + timedelta(days=1))
    elif ends_at is not ...:
        payload["ends_at"] = ends_at
    return world.clients[who].post(f"{API}/communities/{slug}/sanctions", json=payload)


def test_mute_list_and_lift(world):
    response = sanction(world, "coordinator", world.member.id)
    body = response.get_json()
    assert response.status_code == 201, body
    assert (body["kind"], body["user"]["id"], body["reason"], body["in_force"]) == ("mute", world.member.id,
                                                                                  "Even afkoelen", True)
    assert body["created_by"]["display_name"] == "Coco Coördinator" and body["lifted_by"] is None
    assert body["community"]["slug"] == "lassen"
    assert_error(sanction(world, "coordinator", world.member.id), 409, "conflict")
    listed = world.clients["coordinator"].get(f"{API}/communities/lassen/sanctions").get_json()
    assert [s["id"] for s in listed["items"]] == [body["id"]] and listed["total"] == 1
    lift = f"{API}/sanctions/{body['id']}/lift"
    assert_matrix(world.clients, [
        ("POST", lift, {"anonymous": 401, "outsider": 403, "member": 403, "author": 403, "other_coordinator": 403}),
        ("POST", f"{API}/sanctions/999999/lift", {"coordinator": 404, "admin": 404}),
        ("POST", f"{API}/sanctions/{10 ** 30}/lift", {"coordinator": 404}),
    ])
    lifted = world.clients["admin"].post(lift).get_json()
    assert lifted["in_force"] is False and lifted["lifted_by"]["display_name"] == "Platform Admin"
    assert_error(world.clients["coordinator"].post(lift), 409, "conflict")
    ended = world.clients["coordinator"].get(f"{API}/communities/lassen/sanctions?state=ended").get_json()
    assert [s["id"] for s in ended["items"]] == [body["id"]]
    assert world.clients["coordinator"].get(f"{API}/communities/lassen/sanctions?state=in_force").get_json()[
        "items"] == []
    assert_error(world.clients["coordinator"].get(f"{API}/communities/lassen/sanctions?state=bogus"), 422)


def test_ban_without_end_then_lift(world):
    response = sanction(world, "coordinator", world.member.id, kind="ban", ends_at=None, reason="Spam")
    assert response.status_code == 201 and response.get_json()["ends_at"] is None
    assert count(CommunityMembership, CommunityMembership.user_id == world.member.id,
                 CommunityMembership.community_id == world.lassen.id) == 0
    assert_error(world.clients["member"].post(f"{API}/communities/lassen/join"), 403)
    world.clients["coordinator"].post(f"{API}/sanctions/{response.get_json()['id']}/lift")
    assert world.clients["member"].post(f"{API}/communities/lassen/join").status_code == 200


def test_a_sanction_in_a_private_community_is_missing_for_outsiders(world):
    community_actions.invite_user(world.coordinator, world.lassen_private, world.member)
    community_actions.join(world.member, world.lassen_private)
    body = sanction(world, "coordinator", world.member.id, slug="lassen-prive").get_json()
    lift = f"{API}/sanctions/{body['id']}/lift"
    assert_matrix(world.clients, [("POST", lift, {"outsider": 404, "author": 404, "other_coordinator": 404,
                                                  "member": 403})])


@pytest.mark.parametrize("change, status, field", [
    ({"ends_at": ...}, 422, "ends_at"),  # a mute needs an end
    ({"ends_at": None}, 422, "ends_at"),
    ({"ends_at": "2030-01-01T10:00:00"}, 422, None),  # no time zone
    ({"ends_at": "2030-01-01"}, 422, None),
    ({"ends_at": "morgen"}, 422, None),
    ({"ends_at": "2020-01-01T10:00:00+00:00"}, 422, "ends_at"),  # past
    ({"ends_at": "PAST"}, 422, "ends_at"),
    ({"ends_at": "FAR"}, 422, "ends_at"),  # more than a year
    ({"ends_at": "9999-12-31T23:59:59-14:00"}, 422, None),  # cannot be held in UTC
    ({"ends_at": "0001-01-01T00:00:00+14:00"}, 422, None),
    ({"ends_at": "2030-01-01T10:00:00+25:00"}, 422, None),
    ({"ends_at": 1893456000}, 422, None),
    ({"kind": "kick"}, 422, None),
    ({"kind": None}, 422, None),
    ({"reason": ""}, 422, "reason"),
    ({"reason": "x" * 5000}, 422, None),
    ({"reason": "x" * 400}, 422, "reason"),
    ({"user_id": "COORDINATOR"}, 422, "user_id"),
    ({"user_id": "SELF"}, 422, "user_id"),
    ({"user_id": "ADMIN"}, 422, "user_id"),
    ({"user_id": 999999}, 422, "user_id"),
    ({"user_id": 10 ** 40}, 422, None),
    ({"user_id": "²"}, 422, None),
    ({"user_id": "OUTSIDER"}, 422, "user_id"),  # a mute is for members
])
def test_sanction_refusals_write_nothing(world, change, status, field):
    now = utcnow()
    special = {"PAST": iso(now - timedelta(minutes=1)), "FAR": iso(now + timedelta(days=400)),
               "COORDINATOR": world.coordinator.id, "SELF": world.coordinator.id, "ADMIN": world.admin.id,
               "OUTSIDER": world.outsider.id}
    payload = {"user_id": world.member.id, "kind": "mute", "ends_at": iso(now + timedelta(hours=2)), "reason": "Rust"}
    for key, value in change.items():
        if value is ...:
            payload.pop(key)
        else:
            payload[key] = special.get(value, value) if isinstance(value, str) else value
    response = world.clients["coordinator"].post(f"{API}/communities/lassen/sanctions", json=payload)
    assert_error(response, status, field=field)
    assert count(Sanction) == 0 and count(AuditEntry) == 0


def test_an_admin_cannot_ban_themself_and_a_ban_end_has_limits(world):
    client = world.clients["admin"]
    assert_error(client.post(f"{API}/communities/lassen/sanctions", json={
        "user_id": world.admin.id, "kind": "ban", "reason": "x"}), 422, field="user_id")
    for end in ("9000-01-01T00:00:00+00:00", iso(utcnow() - timedelta(seconds=5))):
        assert_error(client.post(f"{API}/communities/lassen/sanctions", json={
            "user_id": world.member.id, "kind": "ban", "ends_at": end, "reason": "x"}), 422, field="ends_at")
    assert count(Sanction) == 0
    response = client.post(f"{API}/communities/lassen/sanctions", json={
        "user_id": world.member.id, "kind": "ban", "ends_at": "2031-06-01T12:00:00+02:00", "reason": "x"})
    assert response.status_code == 201 and response.get_json()["ends_at"].startswith("2031-06-01T10:00:00")


def test_sanction_write_matrix(world):
    refused = {"anonymous": 401, "outsider": 403, "member": 403, "author": 403, "other_coordinator": 403}
    payload = {"user_id": "X", "kind": "mute", "ends_at": iso(utcnow() + timedelta(days=1)), "reason": "Rust"}
    assert_matrix(world.clients, [
        ("POST", f"{API}/communities/lassen/sanctions", refused, {**payload, "user_id": world.author.id}),
        ("POST", f"{API}/communities/lassen-prive/sanctions", {"outsider": 404, "member": 404},
         {**payload, "user_id": world.author.id}),
        ("POST", f"{API}/communities/lassen/sanctions", {"admin": 201}, {**payload, "user_id": world.author.id}),
    ])


# --- the audit log ----------------------------------------------------------------------------------------------

def test_audit_log_filters_and_order(world):
    actions.hide(world.coordinator, "reply", world.reply, "Grof")
    actions.mute(world.coordinator, world.lassen, world.member, utcnow() + timedelta(hours=1), "Rust")
    actions.restore(world.admin, "reply", world.reply)
    discussions.set_pinned(world.coordinator, world.private_discussion, True)
    account_actions.set_user_active(world.admin, world.outsider, False)
    client = world.clients["coordinator"]
    body = client.get(f"{API}/communities/lassen/audit").get_json()
    assert [(e["action"], e["actor"]["display_name"]) for e in body["items"]] == [
        ("restore", "Platform Admin"), ("mute", "Coco Coördinator"), ("hide", "Coco Coördinator")]
    hide = body["items"][2]
    assert (hide["target"], hide["target_id"], hide["member"]["id"], hide["reason"]) == (
        "reply", world.reply.id, world.author.id, "Grof")
    assert hide["community"] == {"id": world.lassen.id, "slug": "lassen", "name": "Lassen"}
    assert body["items"][0]["data"] == {"hidden_for": "Grof"}
    only = client.get(f"{API}/communities/lassen/audit?action=mute").get_json()["items"]
    assert [e["action"] for e in only] == ["mute"] and only[0]["member"]["id"] == world.member.id
    mine = client.get(f"{API}/communities/lassen/audit?member_id={world.author.id}").get_json()["items"]
    assert [e["action"] for e in mine] == ["restore", "hide"]
    assert client.get(f"{API}/communities/lassen/audit?member_id=999999&action=hide").get_json()["items"] == []
    for query in ("action=delete", "action=HIDE", "member_id=²", "member_id=" + "9" * 50, "member_id=-1",
                  "page=0", "page=abc", "page=" + "9" * 30, "action=" + "x" * 10_000):
        assert_error(client.get(f"{API}/communities/lassen/audit?{query}"), 422)
    platform = world.clients["admin"].get(f"{API}/audit").get_json()
    assert [e["action"] for e in platform["items"]] == ["disable_account", "pin", "restore", "mute", "hide"]
    assert platform["items"][0]["community"] is None and platform["items"][0]["member"]["id"] == world.outsider.id
    assert platform["items"][1]["community"]["slug"] == "lassen-prive"


# --- fixed query counts ---------------------------------------------------------------------------------------------

def _fill(world, factories, n, start):
    """n more reported items of each kind, each by a new reporter; mutes, bans and audit rows."""
    for i in range(start, start + n):
        reporter, second = factories.user(f"Melder {i}"), factories.user(f"Tweede melder {i}")
        community_actions.join(reporter, world.lassen)
        writer = factories.user(f"Schrijver {i}")
        community_actions.join(writer, world.lassen)
        d = discussions.start_discussion(writer, world.lassen, f"Onderwerp {i}", f"Tekst {i}")
        reply = discussions.post_reply(writer, d, f"Antwoord {i}")
        case = case_actions.create_case(writer, world.lassen, publish=True, title=f"Casus {i}", context=f"Context {i}")
        for target, item in (("discussion", d), ("reply", reply), ("case", case)):
            actions.report(reporter, target, item, "spam")
            actions.report(second, target, item, "other", "Zie boven")
        actions.mute(world.coordinator, world.lassen, reporter, utcnow() + timedelta(hours=1), "Rust")
        actions.ban(world.admin, world.lassen, writer, "Spam")
        if i % 2:
            actions.lift(world.coordinator,
                         db.session.scalar(sa.select(Sanction).where(Sanction.user_id == reporter.id)))


@pytest.mark.parametrize("url", [
    "/api/v1/communities/lassen/reports", "/api/v1/reports", "/api/v1/communities/lassen/sanctions",
    "/api/v1/communities/lassen/audit", "/api/v1/audit",
])
def test_lists_use_a_fixed_number_of_queries(world, factories, count_queries, url):
    client = world.clients["admin"]
    _fill(world, factories, 2, 0)
    small, body = counted_get(client, url, count_queries)
    assert len(body["items"]) >= 2
    _fill(world, factories, 7, 2)
    large, body = counted_get(client, url, count_queries)
    assert len(body["items"]) >= 9
    assert large.count == small.count, large.statements


# --- the OpenAPI document ---------------------------------------------------------------------------------------

def test_openapi_lists_the_moderation_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    expected = {
        "/api/v1/reports": {"get": {"401", "403"}, "post": {"401", "403", "404", "409", "422", "429"}},
        "/api/v1/communities/{slug}/reports": {"get": {"401", "403", "404"}},
        "/api/v1/moderation/{target}/{item_id}/hide": {"post": {"401", "403", "404", "409", "422"}},
        "/api/v1/moderation/{target}/{item_id}/restore": {"post": {"401", "403", "404", "409"}},
        "/api/v1/moderation/{target}/{item_id}/dismiss": {"post": {"401", "403", "404", "409", "422"}},
        "/api/v1/discussions/{discussion_id}/move": {"post": {"401", "403", "404", "409", "422"}},
        "/api/v1/communities/{slug}/sanctions": {"get": {"401", "403", "404"},
                                                 "post": {"401", "403", "404", "409", "422"}},
        "/api/v1/sanctions/{sanction_id}/lift": {"post": {"401", "403", "404", "409"}},
        "/api/v1/communities/{slug}/audit": {"get": {"401", "403", "404", "422"}},
        "/api/v1/audit": {"get": {"401", "403", "422"}},
    }
    for path, operations in expected.items():
        assert path in spec["paths"], path
        for method, statuses in operations.items():
            operation = spec["paths"][path][method]
            assert statuses <= set(operation["responses"]), (path, method, set(operation["responses"]))
            assert operation.get("summary") or operation.get("description")
    sanction = spec["components"]["schemas"]["SanctionArgs"]["properties"]
    assert sanction["ends_at"]["format"] == "date-time" and "time zone" in sanction["ends_at"]["description"]
    assert set(spec["components"]["schemas"]["Reply"]["properties"]) >= {"hidden", "hidden_reason"}


# --- hidden content in the existing API ------------------------------------------------------------------------

def test_hidden_reply_is_blank_in_the_reply_list_and_detail_except_for_author_and_moderators(world):
    quoting = discussions.post_reply(world.member, world.discussion, "Eens!", quote_of=world.reply)
    actions.hide(world.coordinator, "reply", world.reply, "Vertrouwelijk")
    for role in ("member", "outsider", "other_coordinator"):
        for body in (world.clients[role].get(f"{API}/discussions/{world.discussion.id}/replies").get_json()["items"][0],
                     world.clients[role].get(f"{API}/replies/{world.reply.id}").get_json()):
            assert body["hidden"] is True and body["number"] == 1, role
            assert (body["body"], body["body_html"], body["author"], body["hidden_reason"]) == (None, None, None, ""), \
                role
        text = world.clients[role].get(f"{API}/discussions/{world.discussion.id}/replies").get_data(as_text=True)
        assert "geheime recept" not in text and "Vertrouwelijk" not in text
        quoted = world.clients[role].get(f"{API}/replies/{quoting.id}").get_json()["quote_of"]
        assert quoted["number"] == 1 and "geheime" not in str(quoted)
    for role in ("author", "coordinator", "admin"):
        body = world.clients[role].get(f"{API}/replies/{world.reply.id}").get_json()
        assert (body["hidden"], body["body"], body["hidden_reason"]) == (True, "Het geheime recept is 42.",
                                                                         "Vertrouwelijk"), role
        assert body["author"]["id"] == world.author.id
    assert world.clients["member"].get(f"{API}/replies/{world.reply.id}").get_json()["can_mark_helpful"] is False


def test_hidden_discussion_and_case_are_gone_from_lists_and_detail_except_for_author_and_moderators(world):
    actions.hide(world.coordinator, "discussion", world.discussion, "Reclame")
    actions.hide(world.coordinator, "case", world.case, "Bedrijfsgeheim")
    for role in ("member", "outsider", "other_coordinator"):
        client = world.clients[role]
        assert [d["id"] for d in client.get(f"{API}/communities/lassen/discussions").get_json()["items"]] == [], role
        assert client.get(f"{API}/communities/lassen/discussions").get_json()["total"] == 0
        assert client.get(f"{API}/communities/lassen/cases").get_json()["items"] == []
        for url in (f"/discussions/{world.discussion.id}", f"/discussions/{world.discussion.id}/replies",
                    f"/replies/{world.reply.id}",
                    f"/cases/{world.case.id}", f"/discussions/{world.case.discussion.id}",
                    f"/cases/{world.case.id}/attachments"):
            assert_error(client.get(API + url), 404)
        feed = client.get(f"{API}/communities/lassen/feed").get_data(as_text=True)
        assert "Lasrook" not in feed and "Lascobot" not in feed
    for role in ("author", "coordinator", "admin"):
        client = world.clients[role]
        listed = client.get(f"{API}/communities/lassen/discussions").get_json()["items"]
        assert [(d["id"], d["hidden"]) for d in listed] == [(world.discussion.id, True)], role
        assert [(c["id"], c["hidden"]) for c in client.get(f"{API}/communities/lassen/cases").get_json()["items"]] \
            == [(world.case.id, True)]
        detail = client.get(f"{API}/discussions/{world.discussion.id}").get_json()
        assert (detail["hidden"], detail["hidden_reason"]) == (True, "Reclame")
        assert client.get(f"{API}/cases/{world.case.id}").get_json()["hidden_reason"] == "Bedrijfsgeheim"
    actions.restore(world.coordinator, "discussion", world.discussion)
    listed = world.clients["member"].get(f"{API}/communities/lassen/discussions").get_json()["items"]
    assert [(d["id"], d["hidden"]) for d in listed] == [(world.discussion.id, False)]


def test_moving_writes_nothing_when_refused_by_the_action(world):
    before = (count(Discussion, Discussion.community_id == world.lassen.id), count(AuditEntry))
    world.clients["coordinator"].post(f"{API}/discussions/{world.case.discussion.id}/move",
                                      json={"community": world.lassen_private.id})
    assert (count(Discussion, Discussion.community_id == world.lassen.id), count(AuditEntry)) == before
