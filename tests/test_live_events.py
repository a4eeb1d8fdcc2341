"""Live updates: which sockets receive which event, events only after commit, catch-up from the
event log, and revocation at once. Sockets log in over HTTP and connect with that session."""
import pytest

from community.actions import communities as community_actions, discussions
from community.extensions import db
from community.models import Event
from community.realtime.events import send_event_on_commit
from tests.helpers import LiveSocket

FRAGMENT_QUERIES = 9  # a live reply rendered for its reader (discussions.views, fragment=reply)


def connect(app, client):
    return LiveSocket(app, client)


def events(socket, name="event"):
    return socket.received(name)


@pytest.fixture
def private(factories, make_client, app):
    """A private community with a discussion; a member, a coordinator and an outsider, each with
    a signed-in socket."""
    coordinator = factories.user("Coco Coördinator")
    community = factories.community(visibility="private", join_policy="invite", coordinator=coordinator)
    member = factories.user("Mia Lid")
    factories.community_member(community, member)
    outsider = factories.user("Otto Buiten")
    discussion = discussions.start_discussion(coordinator, community, "Lasnaden", "Hoe controleren jullie?")
    people = {"coordinator": coordinator, "member": member, "outsider": outsider}
    clients = {name: make_client(user) for name, user in people.items()}
    sockets = {name: connect(app, clients[name]) for name in people}
    return dict(community=community, discussion=discussion, clients=clients, sockets=sockets, **people)


def follow(socket, kind, object_id):
    return socket.follow(kind, object_id)


def test_reply_reaches_followers_of_the_discussion_and_no_outsider(private):
    s, d = private["sockets"], private["discussion"]
    assert follow(s["member"], "discussion", d.id)["ok"]
    refused = follow(s["outsider"], "discussion", d.id)
    assert refused == {"ok": False, "error": "not_found"}
    assert follow(s["outsider"], "discussion", 999999) == refused  # missing looks the same
    for socket in s.values():
        socket.received("presence")

    response = private["clients"]["coordinator"].submit(f"/d/{d.id}/reply", {"body": "Met **ultrasoon**."},
                                                        page=f"/d/{d.id}")
    assert response.status_code == 302

    got = events(s["member"])
    replies = [e for e in got if e["type"] == "reply"]
    assert len(replies) == 1 and replies[0]["op"] == "new" and replies[0]["number"] == 1
    # The event names the reply; each page fetches it rendered for its reader.
    fragment = private["clients"]["member"].get(f"/d/{d.id}?fragment=reply&number={replies[0]['number']}")
    assert "<strong>ultrasoon</strong>" in fragment.get_data(as_text=True)
    assert "html" not in replies[0]
    assert replies[0]["stream"] == f"discussion:{d.id}" and replies[0]["seq"] >= 1
    assert events(s["outsider"]) == []
    assert [e for e in events(s["outsider"], "notification")] == []


def test_a_client_cannot_name_a_room(private):
    s = private["sockets"]
    for payload in ({"room": f"discussion:{private['discussion'].id}"}, "discussion:1",
                    {"kind": "discussion", "id": "1"}, {"kind": "user", "id": private["member"].id},
                    {"kind": "community", "id": 2 ** 40}, {"kind": "x" * 5000, "id": 1}, None, [1, 2]):
        assert s["outsider"].emit("follow", payload) == {"ok": False, "error": "not_found"}


def test_events_are_sent_only_after_commit_and_dropped_on_rollback(app, private):
    s = private["sockets"]
    follow(s["member"], "community", private["community"].id)
    s["member"].received()
    stream = f"community:{private['community'].id}"
    send_event_on_commit(stream, "test", "probe", note="rolled back")
    assert events(s["member"]) == []  # nothing before the commit
    db.session.rollback()
    assert events(s["member"]) == []
    assert db.session.query(Event).filter_by(type="test").count() == 0
    send_event_on_commit(stream, "test", "probe", note="kept")
    db.session.commit()
    got = events(s["member"])
    assert [e["note"] for e in got] == ["kept"]
    assert db.session.query(Event).filter_by(type="test").count() == 1


def test_catch_up_after_a_disconnect_gives_all_twenty_in_order(app, private, make_client):
    s, d = private["sockets"], private["discussion"]
    answer = follow(s["member"], "discussion", d.id)
    seen = answer["last"]
    s["member"].disconnect()
    for n in range(20):
        discussions.post_reply(private["coordinator"], d, f"Antwoord {n}")
    socket = connect(app, private["clients"]["member"])
    again = follow(socket, "discussion", d.id)
    assert again["last"] == seen + 20
    body = private["clients"]["member"].get(f"/api/v1/live/discussion/{d.id}/events?after={seen}").get_json()
    numbers = [e["seq"] for e in body["events"]]
    assert numbers == list(range(seen + 1, seen + 21))
    assert [e["number"] for e in body["events"] if e["type"] == "reply"] == list(range(1, 21))
    assert body["more"] is False and body["gap"] is False
    # Paged: 5 at a time, continuing after the last one, never a duplicate.
    got, after = [], seen
    while True:
        page = private["clients"]["member"].get(
            f"/api/v1/live/discussion/{d.id}/events?after={after}&limit=5").get_json()
        got += [e["seq"] for e in page["events"]]
        if not page["more"]:
            break
        after = page["events"][-1]["seq"]
    assert got == numbers


def test_catch_up_is_authorised_like_following(private, api):
    d = private["discussion"]
    outsider = private["clients"]["outsider"]
    assert outsider.get(f"/api/v1/live/discussion/{d.id}/events").status_code == 404
    assert outsider.get("/api/v1/live/discussion/999999/events").status_code == 404
    assert outsider.get(f"/api/v1/live/user/{private['member'].id}/events").status_code == 404
    assert outsider.get(f"/api/v1/live/nonsense/{d.id}/events").status_code == 404
    assert api().get(f"/api/v1/live/discussion/{d.id}/events").status_code == 401
    for bad in ("-1", "abc", "9" * 5000, "²"):
        response = private["clients"]["member"].get(f"/api/v1/live/discussion/{d.id}/events?after={bad}")
        assert response.status_code == 422 and "error" in response.get_json()


def test_removed_member_leaves_the_rooms_at_once(app, private):
    s, d = private["sockets"], private["discussion"]
    assert follow(s["member"], "discussion", d.id)["ok"]
    assert follow(s["member"], "community", private["community"].id)["ok"]
    s["member"].received("revoked")
    from community import permissions

    membership = permissions.community_membership(private["member"], private["community"])
    community_actions.remove_member(private["coordinator"], membership)
    # Still signed in (their other pages keep working), but out of both rooms, and told so.
    assert s["member"].is_connected()
    assert sorted(r["stream"] for r in s["member"].received("revoked")) == [
        f"community:{private['community'].id}", f"discussion:{d.id}"]
    s["member"].received()
    discussions.post_reply(private["coordinator"], d, "Na het verwijderen")
    assert events(s["member"]) == []
    assert follow(s["member"], "discussion", d.id) == {"ok": False, "error": "not_found"}


def test_member_who_leaves_stops_receiving(app, private):
    s = private["sockets"]
    follow(s["member"], "community", private["community"].id)
    s["member"].received()
    community_actions.leave(private["member"], private["community"])
    assert [r["stream"] for r in s["member"].received("revoked")] == [f"community:{private['community'].id}"]
    discussions.start_discussion(private["coordinator"], private["community"], "Daarna", "Niet voor oud-leden")
    assert events(s["member"]) == []


def test_logout_ends_the_socket_and_a_new_one_is_refused(app, private):
    s, client = private["sockets"], private["clients"]["member"]
    follow(s["member"], "discussion", private["discussion"].id)
    client.logout()
    assert not s["member"].is_connected()
    assert not connect(app, client).is_connected()
    discussions.post_reply(private["coordinator"], private["discussion"], "Na het uitloggen")
    assert events(s["member"]) == []


def test_disabled_user_loses_every_socket(app, private, factories):
    from community.actions import accounts

    second = connect(app, private["clients"]["member"])
    accounts.set_user_active(factories.admin(), private["member"], False)
    assert not private["sockets"]["member"].is_connected()
    assert not second.is_connected()


def test_typing_and_presence_reach_only_the_room_and_are_not_stored(app, private):
    s, d = private["sockets"], private["discussion"]
    follow(s["member"], "discussion", d.id)
    follow(s["coordinator"], "discussion", d.id)
    presence = events(s["member"], "presence")
    assert presence and sorted(p["name"] for p in presence[-1]["people"]) == ["Coco Coördinator", "Mia Lid"]
    for socket in s.values():
        socket.received("presence")
    before = db.session.query(Event).count()
    s["coordinator"].emit("typing", {"kind": "discussion", "id": d.id})
    s["coordinator"].emit("typing", {"kind": "discussion", "id": d.id})  # throttled
    typing = events(s["member"], "typing")
    assert [t["name"] for t in typing] == ["Coco Coördinator"]
    assert events(s["coordinator"], "typing") == []  # not to yourself
    s["outsider"].emit("typing", {"kind": "discussion", "id": d.id})  # not in the room: ignored
    assert events(s["member"], "typing") == []
    assert db.session.query(Event).count() == before


def test_public_community_feed_reaches_readers_but_confidential_trajectory_lines_do_not(app, factories, make_client):
    community = factories.community(visibility="public")
    reader = factories.user("Rik Lezer")
    socket = connect(app, make_client(reader))
    assert follow(socket, "community", community.id)["ok"]
    socket.received()
    joiner = factories.user("Jet Nieuw")
    factories.community_member(community, joiner)
    got = events(socket)
    kinds = sorted((e["type"], e["op"]) for e in got)
    assert ("feed", "new") in kinds and ("membership", "joined") in kinds
    feed = [e for e in got if e["type"] == "feed"][0]
    assert "Jet Nieuw" in feed["html"]["nl"] and "Jet Nieuw" in feed["html"]["en"]
    membership = [e for e in got if e["type"] == "membership"][0]
    assert membership["member_count"] == 2


def test_prune_command_keeps_recent_events_and_the_numbering(app, private):
    from datetime import timedelta

    from community.models import utcnow

    d = private["discussion"]
    for n in range(3):
        discussions.post_reply(private["coordinator"], d, f"Oud {n}")
    stream = f"discussion:{d.id}"
    db.session.execute(Event.__table__.update().where(Event.stream == stream).values(
        created_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    discussions.post_reply(private["coordinator"], d, "Nieuw")
    result = app.test_cli_runner().invoke(args=["prune-events", "--days", "14"])
    assert result.exit_code == 0 and "Deleted" in result.output
    remaining = db.session.query(Event).filter(Event.stream == stream).all()
    assert [e.type for e in remaining] == ["reply"] and remaining[0].seq > 3  # numbers never repeat
    # A client that was away longer than the log reaches is told to reload (gap), not misled.
    body = private["clients"]["member"].get(f"/api/v1/live/discussion/{d.id}/events?after=1").get_json()
    assert body["gap"] is True and [e["seq"] for e in body["events"]] == [remaining[0].seq]
    assert app.test_cli_runner().invoke(args=["prune-events", "--days", "0"]).exit_code != 0


def test_still_here_answers_the_latest_number_for_followed_streams_only(private):
    s, d = private["sockets"], private["discussion"]
    follow(s["member"], "discussion", d.id)
    discussions.post_reply(private["coordinator"], d, "Een")
    assert s["member"].emit("here", {"kind": "discussion", "id": d.id}) == {"last": 1}
    assert not s["outsider"].emit("here", {"kind": "discussion", "id": d.id})  # not following: no answer
    assert s["member"].emit("here", {"kind": "user", "id": private["member"].id})["last"] >= 0


# --- a live reply, fetched rendered for its reader ------------------------------------------------------

def test_a_live_reply_is_fetched_with_the_readers_own_buttons(private, make_client):
    """The event carries no HTML; the page fetches the reply (the thread's own partial) rendered
    for its reader: Edit for the author, Edit and Moderate for a coordinator, Helpful and Report
    for another member."""
    d = private["discussion"]
    reply = discussions.post_reply(private["member"], d, "Met **ultrasoon**.")
    other = make_client(private["coordinator"])  # the coordinator, on a second page

    def fetched(name, number=reply.number):
        client = other if name == "coordinator" else private["clients"][name]
        return client.get(f"/d/{d.id}?fragment=reply&number={number}")

    author = fetched("member")
    html = author.get_data(as_text=True)
    assert author.status_code == 200 and html.lstrip().startswith("<li") and f'id="reply-{reply.number}"' in html
    assert f"/replies/{reply.id}/edit" in html and "Moderate" not in html and "moderate-menu" not in html
    assert "<strong>ultrasoon</strong>" in html
    coordinator = fetched("coordinator").get_data(as_text=True)
    assert f"/replies/{reply.id}/edit" in coordinator and "moderate-menu" in coordinator
    assert f"/replies/{reply.id}/helpful" in coordinator and "report-link" in coordinator
    assert f"/replies/{reply.id}/helpful" not in html and "report-link" not in html  # not on your own

    # Without access to the discussion it is missing, like the thread; a reply that does not
    # exist (or a number that cannot be one) too.
    assert fetched("outsider").status_code == 404
    assert fetched("member", 99).status_code == 404
    for bad in ("0", "-1", "abc", "9" * 20, "²", ""):
        assert private["clients"]["member"].get(f"/d/{d.id}?fragment=reply&number={bad}").status_code == 404
    assert make_client().get(f"/d/{d.id}?fragment=reply&number={reply.number}").status_code == 302  # sign in


def test_fetching_a_live_reply_takes_a_fixed_number_of_queries(private, make_client, count_queries):
    """Whatever the length of the thread, and whether the reply quotes another or not."""
    d = private["discussion"]
    first = discussions.post_reply(private["member"], d, "Eerste")
    client = make_client(private["coordinator"])

    def measure(reply):
        with count_queries() as counter:
            response = client.get(f"/d/{d.id}?fragment=reply&number={reply.number}")
            assert response.status_code == 200
        return counter.count

    few = measure(first)
    for n in range(20):
        discussions.post_reply(private["member"], d, f"Antwoord {n}")
    quoting = discussions.post_reply(private["member"], d, "Precies", quote_of=first)
    assert measure(quoting) == few <= FRAGMENT_QUERIES, few
