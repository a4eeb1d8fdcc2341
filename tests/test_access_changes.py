"""Access that changes takes effect at once on every live channel.

For each access change: sockets that followed a stream before the change and may no longer read
it are taken out of its room and told ("revoked"); whatever is written afterwards (with a unique
canary word) reaches none of their sockets, in any message; catching up on the stream over HTTP
answers 404; and those who keep their right keep receiving. Every case runs with the follow
register in this process (embedded default) and in Redis (production shape). The two-process
variant over Redis is in tests/test_scale_out.py.
"""
import os
import uuid

import pytest

from community import permissions
from community.actions import accounts, cases as case_actions, communities as community_actions
from community.actions import discussions, moderation, organisations
from community.actions import trajectories as trajectory_actions
from tests.helpers import LiveSocket
from tests.test_trajectories_actions import world  # noqa: F401  (fixture)

API = "/api/v1"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def register(request, app):
    """Where the follow register lives: this process, or Redis (a channel of its own)."""
    if request.param == "memory":
        yield "memory"
        return
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    saved = app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"]
    app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"] = url, "test-" + uuid.uuid4().hex[:8]
    yield "redis"
    app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"] = saved


class Reader:
    """A signed-in person with an HTTP client and a live socket."""

    def __init__(self, app, make_client, user):
        self.user, self.client = user, make_client(user)
        self.socket = LiveSocket(app, self.client)
        self.last = {}

    def follow(self, kind, object_id):
        answer = self.socket.follow(kind, object_id)
        assert answer["ok"], (kind, object_id, answer)
        self.last[f"{kind}:{object_id}"] = answer["last"]

    def everything(self):
        """Every message of any kind received since the last call, as (name, payload)."""
        if not self.socket.is_connected():
            return []
        return [(packet["name"], packet["args"][0] if packet["args"] else None)
                for packet in self.socket.client.get_received()]

    def revoked(self, received):
        return {payload["stream"] for name, payload in received if name == "revoked"}

    def catch_up_status(self, stream):
        kind, _, object_id = stream.partition(":")
        return self.client.get(f"{API}/live/{kind}/{object_id}/events?after={self.last[stream]}").status_code

    def close(self):
        if self.socket.is_connected():
            self.socket.disconnect()


@pytest.fixture
def readers(app, make_client):
    made = []

    def make(user):
        reader = Reader(app, make_client, user)
        made.append(reader)
        return reader
    yield make
    for reader in made:
        reader.close()


def canary():
    return "kanarie" + uuid.uuid4().hex[:10]


def assert_cut_off(reader, streams, change, writes):
    """``change`` ends the reader's right to ``streams``; afterwards ``writes`` (each given a
    canary word) must reach none of the reader's sockets and catch-up must refuse."""
    reader.everything()
    change()
    assert reader.revoked(reader.everything()) == set(streams)
    words = []
    for write in writes:
        words.append(canary())
        write(words[-1])
    received = reader.everything()
    assert [name for name, _ in received if name == "event"] == [], received
    for word in words:
        assert word not in str(received)
    for stream in streams:
        assert reader.catch_up_status(stream) == 404, stream
    return words


def test_community_made_private(world, register, readers):  # noqa: F811
    community = world.community
    d = discussions.start_discussion(world.employee, community, "Lasrook", "Afzuiging?")
    case = case_actions.create_case(world.employee, community, publish=True, title="Cobot", context="Context",
                                    question="Vraag", approach="Aanpak", result="Resultaat", lessons="Lessen")
    t = trajectory_actions.create_trajectory(world.owner, world.company_a, community, title="Open traject",
                                             visibility="community")
    outsider, member = readers(world.outsider), readers(world.employee)
    streams = [f"community:{community.id}", f"discussion:{d.id}", f"case:{case.id}"]
    for stream in streams:
        kind, _, object_id = stream.partition(":")
        outsider.follow(kind, int(object_id))
    member.follow("discussion", d.id)
    member.everything()

    assert_cut_off(outsider, streams, lambda: community_actions.update_community(
        world.coordinator, community, name=community.name, visibility="private", join_policy="invite"), [
        lambda word: discussions.post_reply(world.coordinator, d, f"Antwoord {word}"),
        lambda word: discussions.start_discussion(world.coordinator, community, f"Nieuw {word}", "Tekst"),
        lambda word: case_actions.update_case(world.employee, case, title=f"Cobot {word}", context="Context",
                                              question="Vraag", approach="Aanpak", result="Resultaat",
                                              lessons="Lessen"),
        lambda word: trajectory_actions.add_milestone(world.owner, t, title=f"Mijlpaal {word}"),
    ])
    assert member.socket.is_connected()
    reply = discussions.post_reply(world.coordinator, d, "Voor leden")
    arrived = [p for n, p in member.everything() if n == "event" and p["type"] == "reply"]
    assert reply.id in [p["reply_id"] for p in arrived]  # members keep it, and fetch it rendered:
    assert "Voor leden" in member.client.get(f"/d/{d.id}?fragment=reply&number={reply.number}").get_data(as_text=True)


def test_trajectory_made_confidential(world, register, readers):  # noqa: F811
    t = trajectory_actions.create_trajectory(world.owner, world.company_a, world.community, title="Open traject",
                                             visibility="community")
    other_company, owner = readers(world.other_manager), readers(world.owner)
    other_company.follow("trajectory", t.id)
    owner.follow("trajectory", t.id)
    owner.everything()
    assert_cut_off(other_company, [f"trajectory:{t.id}"], lambda: trajectory_actions.update_trajectory(
        world.owner, t, title=t.title, visibility="confidential"), [
        lambda word: trajectory_actions.update_trajectory(world.owner, t, title=f"Geheim {word}",
                                                          visibility="confidential"),
        lambda word: trajectory_actions.add_milestone(world.owner, t, title=f"Mijlpaal {word}"),
        lambda word: trajectory_actions.add_entry_to_log(world.owner, t, f"Log {word}", "reflection", "applied"),
    ])
    assert owner.revoked(owner.everything()) == set()
    trajectory_actions.add_milestone(world.owner, t, title="Voor de eigenaar")
    assert any(n == "event" for n, _ in owner.everything())


def test_participant_removed_from_a_confidential_trajectory(world, register, readers):  # noqa: F811
    t = world.trajectory
    coach = readers(world.coach)
    coach.follow("trajectory", t.id)
    assert_cut_off(coach, [f"trajectory:{t.id}"],
                   lambda: trajectory_actions.remove_participant(world.owner, t, world.coach),
                   [lambda word: trajectory_actions.add_milestone(world.owner, t, title=f"Mijlpaal {word}")])


def test_discussion_moved_to_a_community_the_reader_cannot_see(world, factories, register, readers):  # noqa: F811
    target = factories.community(visibility="private", join_policy="invite", coordinator=world.coordinator,
                                 actor=world.admin)
    d = discussions.start_discussion(world.employee, world.community, "Verkeerde plek", "Tekst")
    reader = readers(world.employee)  # the author, not a member of the target community
    reader.follow("discussion", d.id)
    assert_cut_off(reader, [f"discussion:{d.id}"],
                   lambda: moderation.move_discussion(world.coordinator, d, target, "Hoort daar"),
                   [lambda word: discussions.post_reply(world.coordinator, d, f"Daar {word}")])
    # The follow that stayed (the coordinator's) is now filed under the new community: making
    # that one public-and-back still finds it.
    coordinator = readers(world.coordinator)
    coordinator.follow("discussion", d.id)
    member_of_target = factories.user()
    factories.community_member(target, member_of_target)
    follower = readers(member_of_target)
    follower.follow("discussion", d.id)
    membership = permissions.community_membership(member_of_target, target)
    assert_cut_off(follower, [f"discussion:{d.id}"],
                   lambda: community_actions.remove_member(world.coordinator, membership),
                   [lambda word: discussions.post_reply(world.coordinator, d, f"Later {word}")])


def test_hidden_discussion(world, register, readers):  # noqa: F811
    d = discussions.start_discussion(world.employee, world.community, "Reclame", "Koop nu")
    member, coordinator = readers(world.student), readers(world.coordinator)
    member.follow("discussion", d.id)
    coordinator.follow("discussion", d.id)
    coordinator.everything()
    assert_cut_off(member, [f"discussion:{d.id}"],
                   lambda: moderation.hide(world.coordinator, "discussion", d, "Reclame"),
                   [lambda word: discussions.edit_discussion(world.coordinator, d, "Reclame", f"Weg {word}",
                                                             edit_note="Opgeschoond")])
    got = coordinator.everything()
    assert not coordinator.revoked(got)  # moderators keep following it
    assert any(p.get("op") == "hidden" for n, p in got if n == "event")


@pytest.fixture
def private(factories, world):  # noqa: F811
    community = factories.community(visibility="private", join_policy="invite", coordinator=world.coordinator,
                                    actor=world.admin)
    factories.community_member(community, world.student)
    d = discussions.start_discussion(world.coordinator, community, "Intern", "Alleen voor leden")
    return community, d


@pytest.mark.parametrize("how", ["leave", "remove", "ban"])
def test_membership_ends(world, private, register, readers, how):  # noqa: F811
    community, d = private
    member = readers(world.student)
    member.follow("community", community.id)
    member.follow("discussion", d.id)
    membership = permissions.community_membership(world.student, community)
    change = {"leave": lambda: community_actions.leave(world.student, community),
              "remove": lambda: community_actions.remove_member(world.coordinator, membership),
              "ban": lambda: moderation.ban(world.coordinator, community, world.student, "Lekt")}[how]
    assert_cut_off(member, [f"community:{community.id}", f"discussion:{d.id}"], change, [
        lambda word: discussions.post_reply(world.coordinator, d, f"Antwoord {word}"),
        lambda word: discussions.start_discussion(world.coordinator, community, f"Nieuw {word}", "Tekst"),
    ])
    assert member.socket.is_connected()  # signed in still: their other pages keep working


def test_banned_member_catches_up_on_no_old_notification(world, private, register, readers):  # noqa: F811
    """Their own stream stays theirs, but a notification about what they may no longer see is
    withheld when they catch up (the number stays, the content goes)."""
    community, d = private
    word = canary()
    discussions.post_reply(world.coordinator, d, f"@{world.student.handle} kijk even")
    discussions.edit_discussion(world.coordinator, d, f"Intern {word}", "Alleen voor leden")
    discussions.post_reply(world.coordinator, d, f"Nog eens @{world.student.handle}, over {word}")
    client = readers(world.student).client
    before = client.get(f"{API}/live/user/{world.student.id}/events?after=0").get_json()
    assert word in str(before)
    moderation.ban(world.coordinator, community, world.student, "Lekt")
    after = client.get(f"{API}/live/user/{world.student.id}/events?after=0").get_json()
    assert word not in str(after) and community.name not in str(after)
    assert [e["seq"] for e in after["events"]] == [e["seq"] for e in before["events"]]
    assert {e["type"] for e in after["events"] if e["seq"] in
            {b["seq"] for b in before["events"] if b["type"] == "notification" and b["op"] == "new"}} == {"withheld"}


def test_coordinator_made_member_leaves_the_review_queue(world, factories, register, readers):  # noqa: F811
    second = factories.user(name="Tweede coördinator")
    membership = factories.community_member(world.community, second, role="coordinator")
    reader = readers(second)
    reader.follow("moderation", world.community.id)
    reader.follow("community", world.community.id)
    reader.everything()
    community_actions.set_role(world.coordinator, membership, "member")
    assert reader.revoked(reader.everything()) == {f"moderation:{world.community.id}"}  # still a member
    d = discussions.start_discussion(world.employee, world.community, "Spam?", "Tekst")
    moderation.report(world.student, "discussion", d, "spam")
    assert [p for n, p in reader.everything() if n == "event" and p["type"] == "queue"] == []


def test_manager_made_employee_loses_the_confidential_trajectory(world, factories, register, readers):  # noqa: F811
    second = factories.member(world.company_a, factories.user(name="HR A twee"), role="manager")
    community_actions.join(second, world.community)
    reader = readers(second)
    reader.follow("trajectory", world.trajectory.id)
    membership = permissions.organisation_membership(second, world.company_a)
    assert_cut_off(reader, [f"trajectory:{world.trajectory.id}"],
                   lambda: organisations.set_member_role(world.owner, membership, "member"),
                   [lambda word: trajectory_actions.add_milestone(world.owner, world.trajectory,
                                                                  title=f"Mijlpaal {word}")])


def test_former_admin_leaves_the_platform_queue(world, factories, register, readers):  # noqa: F811
    second = factories.admin()
    reader = readers(second)
    reader.follow("moderation", 0)
    reader.everything()
    accounts.set_user_admin(world.admin, second, False)
    assert reader.revoked(reader.everything()) == {"moderation:0"}


def test_disabled_user_loses_every_socket(world, register, readers):  # noqa: F811
    reader = readers(world.student)
    reader.follow("community", world.community.id)
    accounts.set_user_active(world.admin, world.student, False)
    assert not reader.socket.is_connected()
