"""Every event type has a schema (community.realtime.schemas), and every event sent fits it.

tests/conftest.py checks each event any test sends; here every type and op is sent through the
real actions, so a type without a schema, or a schema nobody sends any more, is noticed. What a
reader catches up on from the log (redacted and withheld events included) fits too.
"""
from datetime import date

import sqlalchemy as sa

from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions, moderation, notifications
from community.actions import trajectories as trajectory_actions
from community.extensions import db
from community.models import Event, Reply, TrajectoryLink
from community.realtime import schemas
from tests.test_live_matrix import things  # noqa: F401  (fixture)
from tests.test_trajectories_actions import world  # noqa: F401  (fixture)


def _reply(discussion, number):
    return db.session.scalar(sa.select(Reply).where(Reply.discussion_id == discussion.id, Reply.number == number))


def test_every_event_type_is_sent_by_an_action_and_fits_its_schema(world, things, factories, emitted):  # noqa: F811
    d, c, t = things["discussion"], things["case"], things["open_trajectory"]
    private, coordinator = things["private"], world.coordinator
    elsewhere = factories.community(coordinator=coordinator)
    emitted.clear()
    # Discussions and replies.
    discussions.start_discussion(world.coach, private, "Nieuw", "Tekst")
    discussions.post_reply(world.coach, d, "Een @" + world.employee.handle)
    discussions.edit_reply(world.coach, _reply(d, 1), "Een (bewerkt)")
    discussions.set_helpful(world.employee, _reply(d, 1))
    discussions.accept_answer(world.employee, d, _reply(d, 1))
    discussions.set_pinned(coordinator, d, True)
    discussions.set_locked(coordinator, d, True, "Klaar")
    discussions.edit_discussion(world.employee, d, "Lasrook 2", "Afzuiging!")
    # Reports, hiding and restoring (the review queues hear of each).
    moderation.report(world.employee, "reply", _reply(d, 1), "spam")
    moderation.dismiss_reports(coordinator, "reply", _reply(d, 1))
    moderation.hide(coordinator, "reply", _reply(d, 1), "Geheim")
    moderation.restore(coordinator, "reply", _reply(d, 1))
    discussions.remove_reply(world.coach, _reply(d, 1))
    other = discussions.start_discussion(world.coach, private, "Weg ermee", "Tekst")
    moderation.hide(coordinator, "discussion", other, "Reclame")
    moderation.restore(coordinator, "discussion", other)
    case = case_actions.create_case(world.employee, private, publish=True, title="Cobot", context="Context",
                                    question="Vraag", approach="Aanpak", result="Resultaat", lessons="Lessen")
    case_actions.update_case(world.employee, case, title="Cobot 2", context="Context", question="Vraag",
                             approach="Aanpak", result="Resultaat", lessons="Lessen")
    moderation.hide(coordinator, "case", case, "Vertrouwelijk")
    moderation.restore(coordinator, "case", case)
    moderation.move_discussion(coordinator, other, elsewhere)
    # Trajectories and memberships.
    trajectory_actions.update_trajectory(world.owner, t, title="Open traject 2", visibility="community",
                                         planned_start=date(2026, 9, 1), planned_end=date(2027, 6, 30))
    trajectory_actions.add_participant(world.owner, t, world.employee, "employee")
    trajectory_actions.add_milestone(world.owner, t, title="Eerste las")
    trajectory_actions.link_evidence(world.employee, t, c)
    trajectory_actions.unlink_evidence(world.employee, db.session.scalar(sa.select(TrajectoryLink)))
    community_actions.join(world.teacher, things["public"])
    community_actions.leave(world.teacher, things["public"])
    # Notifications (the jobs run inline in tests) and reading them.
    notifications.mark_read(world.employee)

    sent = {(message["type"], message["op"]) for _room, message in emitted}
    assert set(schemas.EVENTS) - sent == set()  # every type and op is sent by some action
    assert sent - set(schemas.EVENTS) == set()  # and none goes without a schema
    assert [schemas.problems(message) for _room, message in emitted if schemas.problems(message)] == []


def test_what_a_reader_catches_up_on_fits_too(world, things, make_client):  # noqa: F811
    """Redacted events (hidden since) and withheld ones (no longer readable) have their shapes."""
    d = things["discussion"]
    reply = discussions.post_reply(world.coach, d, "Geheim recept")
    moderation.hide(world.coordinator, "reply", reply, "Geheim")
    for client, must in ((make_client(world.coordinator), "redacted"), (make_client(world.employee), "withheld")):
        log = client.get(f"/api/v1/live/discussion/{d.id}/events").get_json()["events"]
        assert [schemas.problems(message) for message in log if schemas.problems(message)] == []
        assert any(message.get("redacted") if must == "redacted" else message["type"] == "withheld"
                   for message in log), log
    everything = [row.as_message() for row in db.session.scalars(sa.select(Event))]
    assert everything and [schemas.problems(m) for m in everything if schemas.problems(m)] == []


def test_the_schemas_refuse_what_does_not_fit():
    good = {"stream": "discussion:1", "seq": 3, "type": "reaction", "op": "changed", "at": "2026-01-01T00:00:00",
            "reply_id": 5, "number": 2, "helpful_count": 1}
    assert schemas.problems(good) == []
    assert schemas.problems(dict(good, html="<p>x</p>")) == ["html is not in the schema"]
    assert schemas.problems({k: v for k, v in good.items() if k != "number"}) == ["number is missing"]
    assert schemas.problems(dict(good, helpful_count="1")) == ["helpful_count is str, not int"]
    assert schemas.problems(dict(good, helpful_count=True)) == ["helpful_count is bool, not int"]
    assert schemas.problems(dict(good, op="exploded")) == ["no schema for reaction/exploded"]
    assert schemas.problems({k: v for k, v in good.items() if k != "seq"}) == ["seq is missing"]
    reply = dict(good, type="reply", op="new", discussion_id=1, removed=False, reply_count=2,
                 author={"id": 1, "name": "Anna", "handle": 5})
    assert schemas.problems(reply) == ["author is {'id': 1, 'name': 'Anna', 'handle': 5}, not one of the allowed types"]
    assert schemas.problems(dict(reply, author=None)) == []
    redacted = {key: good[key] for key in schemas.ENVELOPE} | {"reply_id": 5, "number": 2, "redacted": True}
    assert schemas.problems(redacted) == []
    assert schemas.problems(dict(redacted, title="Geheim")) == ["title is not in the schema"]
