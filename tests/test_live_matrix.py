"""Who may follow which stream live (socket) and catch up on it (HTTP): the same answer both
ways, and the same as reading the page. And which events each action sends, to which stream."""
import pytest

from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions
from community.actions import trajectories as trajectory_actions
from community.realtime import events as live_events
from tests.helpers import LiveSocket
from tests.test_trajectories_actions import w  # noqa: F401  (fixture)

ROLES = ("admin", "coordinator", "manager_a", "employee_a", "coach", "manager_b", "outsider")


@pytest.fixture
def things(w, factories):  # noqa: F811
    """w's community turned private, plus a public one; a discussion, a published case and a
    draft in the private one; the confidential trajectory and a community-visible one."""
    private = w["community"]
    community_actions.update_community(w["admin"], private, name=private.name, visibility="private",
                                       join_policy="invite")
    public = factories.community(visibility="public")
    discussion = discussions.start_discussion(w["employee_a"], private, "Lasrook", "Afzuiging?")
    case = case_actions.create_case(w["employee_a"], private, publish=True, title="Cobot", context="Context",
                                    question="Vraag", approach="Aanpak", result="Resultaat", lessons="Lessen")
    draft = case_actions.create_case(w["employee_a"], private, title="Concept")
    open_trajectory = trajectory_actions.create_trajectory(w["manager_a"], w["company_a"], private,
                                                           title="Open traject", visibility="community")
    return dict(private=private, public=public, discussion=discussion, case=case, draft=draft,
                confidential=w["trajectory"], open_trajectory=open_trajectory)


def test_following_and_catching_up_agree_with_reading(app, w, things, make_client):  # noqa: F811
    yes = set(ROLES)
    members = yes - {"outsider"}
    insiders = {"admin", "manager_a", "employee_a", "coach"}
    table = [
        ("community", things["private"].id, members),
        ("community", things["public"].id, yes),
        ("discussion", things["discussion"].id, members),
        ("case", things["case"].id, members),
        ("case", things["draft"].id, {"employee_a"}),
        ("trajectory", things["confidential"].id, insiders),
        ("trajectory", things["open_trajectory"].id, members),
        ("user", w["employee_a"].id, {"employee_a"}),
        ("moderation", things["private"].id, {"admin", "coordinator"}),  # a review queue
        ("moderation", 0, {"admin"}),  # the platform-wide queue
        ("discussion", 999999, set()),
        ("elsewhere", 1, set()),
    ]
    failures = []
    for role in ROLES:
        client = make_client(w[role])
        socket = LiveSocket(app, client)
        for kind, object_id, allowed in table:
            expect = role in allowed
            answer = socket.follow(kind, object_id)
            status = client.get(f"/api/v1/live/{kind}/{object_id}/events").status_code
            if answer["ok"] != expect or status != (200 if expect else 404):
                failures.append(f"{role:12} {kind}:{object_id} expected {expect}, socket {answer}, http {status}")
        socket.disconnect()
    assert not failures, "\n".join(failures)


@pytest.fixture
def captured(monkeypatch):
    """(room, type, op) of every event the actions emit, recorded by wrapping events.emit."""
    got = []
    emit = live_events.emit

    def recording_emit(room, message, event="event"):
        got.append((room, message.get("type"), message.get("op")))
        return emit(room, message, event)
    monkeypatch.setattr(live_events, "emit", recording_emit)
    return got


def test_each_action_sends_its_events_to_the_right_streams(w, things, captured):  # noqa: F811
    d, c, t = things["discussion"], things["case"], things["open_trajectory"]
    conf = things["confidential"]
    private = things["private"]
    steps = [
        (lambda: discussions.post_reply(w["coach"], d, "Een"), {(f"discussion:{d.id}", "reply", "new")}),
        (lambda: discussions.edit_reply(w["coach"], _reply(d, 1), "Een (bewerkt)"),
         {(f"discussion:{d.id}", "reply", "edited")}),
        (lambda: discussions.set_helpful(w["employee_a"], _reply(d, 1)), {(f"discussion:{d.id}", "reaction",
                                                                           "changed")}),
        (lambda: discussions.accept_answer(w["employee_a"], d, _reply(d, 1)), {(f"discussion:{d.id}", "discussion",
                                                                                "answer")}),
        (lambda: discussions.set_pinned(w["coordinator"], d, True), {(f"discussion:{d.id}", "discussion", "pinned")}),
        (lambda: discussions.set_locked(w["coordinator"], d, True, "Klaar"), {(f"discussion:{d.id}", "discussion",
                                                                               "locked")}),
        (lambda: discussions.edit_discussion(w["employee_a"], d, "Lasrook 2", "Afzuiging!"),
         {(f"discussion:{d.id}", "discussion", "edited")}),
        (lambda: discussions.start_discussion(w["coach"], private, "Nieuw", "Tekst"),
         {(f"community:{private.id}", "discussion", "new"), (f"community:{private.id}", "feed", "new")}),
        (lambda: case_actions.update_case(w["employee_a"], c, title="Cobot 2", context="Context",
                                          question="Vraag", approach="Aanpak", result="Resultaat", lessons="Lessen"),
         {(f"case:{c.id}", "case", "updated")}),
        (lambda: trajectory_actions.change_status(w["manager_a"], t, "active"), {(f"trajectory:{t.id}", "feed",
                                                                                  "new")}),
        (lambda: trajectory_actions.change_status(w["manager_a"], conf, "active"),
         {(f"trajectory:{conf.id}", "feed", "new")}),
        (lambda: trajectory_actions.add_milestone(w["manager_a"], conf, title="Eerste las"),
         {(f"trajectory:{conf.id}", "trajectory", "milestones")}),
        (lambda: trajectory_actions.sign_off_milestone(w["coach"], conf.milestones[0]),
         {(f"trajectory:{conf.id}", "feed", "new")}),
        (lambda: trajectory_actions.add_entry_to_log(w["employee_a"], conf, "Geleerd", "reflection", "applied"),
         {(f"trajectory:{conf.id}", "feed", "new")}),
        (lambda: trajectory_actions.link_evidence(w["employee_a"], conf, c),
         {(f"trajectory:{conf.id}", "feed", "new")}),
        (lambda: discussions.remove_reply(w["coach"], _reply(d, 1)), {(f"discussion:{d.id}", "reply", "removed")}),
        (lambda: community_actions.join(w["other_teacher"], things["public"]),
         {(f"community:{things['public'].id}", "feed", "new"),
          (f"community:{things['public'].id}", "membership", "joined")}),
    ]
    for action, expected in steps:
        captured.clear()
        action()
        got = {item for item in captured if not item[0].startswith("user:")}
        assert got == expected, (expected, got)
    # Each step's set is exact: a confidential trajectory's news never went to its community's
    # stream, and a draft's changes went nowhere.


def _reply(discussion, number):
    import sqlalchemy as sa

    from community.extensions import db
    from community.models import Reply

    return db.session.scalar(sa.select(Reply).where(Reply.discussion_id == discussion.id, Reply.number == number))
