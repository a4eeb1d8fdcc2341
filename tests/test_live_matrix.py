"""Who may follow which stream live (socket) and catch up on it (HTTP): the same answer both
ways, and the same as reading the page. And which events each action sends, to which stream."""
import pytest

from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.actions import discussions
from community.actions import trajectories as trajectory_actions
from tests.helpers import LiveSocket
from tests.test_trajectories_actions import world  # noqa: F401  (fixture)

ROLES = ("admin", "coordinator", "owner", "employee", "coach", "other_manager", "outsider")


@pytest.fixture
def things(world, factories):  # noqa: F811
    """the world's community turned private, plus a public one; a discussion, a published case and a
    draft in the private one; the confidential trajectory and a community-visible one."""
    private = world.community
    community_actions.update_community(world.admin, private, name=private.name, visibility="private",
                                       join_policy="invite")
    public = factories.community(visibility="public")
    discussion = discussions.start_discussion(world.employee, private, "Lasrook", "Afzuiging?")
    case = case_actions.create_case(world.employee, private, publish=True, title="Cobot", context="Context",
                                    question="Vraag", approach="Aanpak", result="Resultaat", lessons="Lessen")
    draft = case_actions.create_case(world.employee, private, title="Concept")
    open_trajectory = trajectory_actions.create_trajectory(world.owner, world.company_a, private,
                                                           title="Open traject", visibility="community")
    return dict(private=private, public=public, discussion=discussion, case=case, draft=draft,
                confidential=world.trajectory, open_trajectory=open_trajectory)


def test_following_and_catching_up_agree_with_reading(app, world, things, make_client):  # noqa: F811
    yes = set(ROLES)
    members = yes - {"outsider"}
    insiders = {"admin", "owner", "employee", "coach"}
    table = [
        ("community", things["private"].id, members),
        ("community", things["public"].id, yes),
        ("discussion", things["discussion"].id, members),
        ("case", things["case"].id, members),
        ("case", things["draft"].id, {"employee"}),
        ("trajectory", things["confidential"].id, insiders),
        ("trajectory", things["open_trajectory"].id, members),
        ("user", world.employee.id, {"employee"}),
        ("moderation", things["private"].id, {"admin", "coordinator"}),  # a review queue
        ("moderation", 0, {"admin"}),  # the platform-wide queue
        ("discussion", 999999, set()),
        ("elsewhere", 1, set()),
    ]
    failures = []
    for role in ROLES:
        client = make_client(world[role])
        socket = LiveSocket(app, client)
        for kind, object_id, allowed in table:
            expect = role in allowed
            answer = socket.follow(kind, object_id)
            status = client.get(f"/api/v1/live/{kind}/{object_id}/events").status_code
            if answer["ok"] != expect or status != (200 if expect else 404):
                failures.append(f"{role:12} {kind}:{object_id} expected {expect}, socket {answer}, http {status}")
        socket.disconnect()
    assert not failures, "\n".join(failures)


def test_each_action_sends_its_events_to_the_right_streams(world, things, emitted):  # noqa: F811
    d, c, t = things["discussion"], things["case"], things["open_trajectory"]
    conf = things["confidential"]
    private = things["private"]
    steps = [
        (lambda: discussions.post_reply(world.coach, d, "Een"), {(f"discussion:{d.id}", "reply", "new")}),
        (lambda: discussions.edit_reply(world.coach, _reply(d, 1), "Een (bewerkt)"),
         {(f"discussion:{d.id}", "reply", "edited")}),
        (lambda: discussions.set_helpful(world.employee, _reply(d, 1)), {(f"discussion:{d.id}", "reaction",
                                                                           "changed")}),
        (lambda: discussions.accept_answer(world.employee, d, _reply(d, 1)), {(f"discussion:{d.id}", "discussion",
                                                                                "answer")}),
        (lambda: discussions.set_pinned(world.coordinator, d, True), {(f"discussion:{d.id}", "discussion", "pinned")}),
        (lambda: discussions.set_locked(world.coordinator, d, True, "Klaar"), {(f"discussion:{d.id}", "discussion",
                                                                                "locked")}),
        (lambda: discussions.edit_discussion(world.employee, d, "Lasrook 2", "Afzuiging!"),
         {(f"discussion:{d.id}", "discussion", "edited")}),
        (lambda: discussions.start_discussion(world.coach, private, "Nieuw", "Tekst"),
         {(f"community:{private.id}", "discussion", "new"), (f"community:{private.id}", "feed", "new")}),
        (lambda: case_actions.update_case(world.employee, c, title="Cobot 2", context="Context",
                                          question="Vraag", approach="Aanpak", result="Resultaat", lessons="Lessen"),
         {(f"case:{c.id}", "case", "updated")}),
        (lambda: trajectory_actions.change_status(world.owner, t, "active"), {(f"trajectory:{t.id}", "feed",
                                                                                  "new")}),
        (lambda: trajectory_actions.change_status(world.owner, conf, "active"),
         {(f"trajectory:{conf.id}", "feed", "new")}),
        (lambda: trajectory_actions.add_milestone(world.owner, conf, title="Eerste las"),
         {(f"trajectory:{conf.id}", "trajectory", "milestones")}),
        (lambda: trajectory_actions.sign_off_milestone(world.coach, conf.milestones[0]),
         {(f"trajectory:{conf.id}", "feed", "new")}),
        (lambda: trajectory_actions.add_entry_to_log(world.employee, conf, "Geleerd", "reflection", "applied"),
         {(f"trajectory:{conf.id}", "feed", "new")}),
        (lambda: trajectory_actions.link_evidence(world.employee, conf, c),
         {(f"trajectory:{conf.id}", "feed", "new")}),
        (lambda: discussions.remove_reply(world.coach, _reply(d, 1)), {(f"discussion:{d.id}", "reply", "removed")}),
        (lambda: community_actions.join(world.teacher, things["public"]),
         {(f"community:{things['public'].id}", "feed", "new"),
          (f"community:{things['public'].id}", "membership", "joined")}),
    ]
    for action, expected in steps:
        emitted.clear()
        action()
        got = {(room, message["type"], message["op"]) for room, message in emitted if not room.startswith("user:")}
        assert got == expected, (expected, got)
    # Each step's set is exact: a confidential trajectory's news never went to its community's
    # stream, and a draft's changes went nowhere.


def _reply(discussion, number):
    import sqlalchemy as sa

    from community.extensions import db
    from community.models import Reply

    return db.session.scalar(sa.select(Reply).where(Reply.discussion_id == discussion.id, Reply.number == number))
