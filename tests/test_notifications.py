"""Notifications: who gets one for what, follow levels, the live badge event, the notification
centre (only what the recipient may still see, a fixed number of queries), and the API."""
import pytest
import sqlalchemy as sa

from community import permissions
from community.actions import communities as community_actions
from community.actions import discussions
from community.actions import notifications as actions
from community.actions import trajectories as trajectory_actions
from community.extensions import db
from community.models import Notification
from tests.helpers import LiveSocket
from tests.test_trajectories_actions import world  # noqa: F401  (fixture)


def notified(user, kind=None):
    stmt = sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt).all()


@pytest.fixture
def s(factories):
    """A private community: an author with a discussion, a replier, a reader, an outsider."""
    author = factories.user("Anna Auteur")
    community = factories.community(visibility="private", join_policy="invite", coordinator=author)
    replier, reader = factories.user("Bram"), factories.user("Cas")
    for person in (replier, reader):
        factories.community_member(community, person)
    outsider = factories.user("Otto")
    discussion = discussions.start_discussion(author, community, "Lasrook afzuigen", "Welke afzuiging?")
    return dict(author=author, community=community, replier=replier, reader=reader, outsider=outsider,
                discussion=discussion)


def test_a_reply_notifies_the_author_and_earlier_repliers_but_not_the_replier(s):
    discussions.post_reply(s["replier"], s["discussion"], "Een puntafzuiging.")
    assert [(n.kind, n.data["number"]) for n in notified(s["author"])] == [("reply", 1)]
    assert notified(s["replier"]) == [] and notified(s["reader"]) == []
    discussions.post_reply(s["author"], s["discussion"], "Dank je.")
    assert [n.kind for n in notified(s["replier"])] == ["reply"]  # replying made Bram follow it
    assert len(notified(s["author"])) == 1  # not about their own reply


def test_a_mention_replaces_the_reply_notification_and_outsiders_get_nothing(s):
    discussions.post_reply(s["replier"], s["discussion"], "@anna-auteur en @cas: kijk hier. @otto ook?")
    assert [n.kind for n in notified(s["author"])] == ["mention"]
    assert [n.kind for n in notified(s["reader"])] == ["mention"]
    assert notified(s["outsider"]) == []  # cannot read the private community


def test_muting_a_discussion_or_its_community_silences_it(s):
    actions.set_follow_level(s["author"], "discussion", s["discussion"], "muted")
    discussions.post_reply(s["replier"], s["discussion"], "Een")
    assert notified(s["author"]) == []
    actions.set_follow_level(s["author"], "discussion", s["discussion"], "following")
    actions.set_follow_level(s["author"], "community", s["community"], "muted")
    discussions.post_reply(s["replier"], s["discussion"], "Twee @anna-auteur")
    assert notified(s["author"]) == []
    actions.set_follow_level(s["author"], "community", s["community"], "normal")
    discussions.post_reply(s["replier"], s["discussion"], "Drie")
    assert [n.kind for n in notified(s["author"])] == ["reply"]


def test_following_a_community_notifies_of_new_discussions(s):
    actions.set_follow_level(s["reader"], "community", s["community"], "following")
    d = discussions.start_discussion(s["replier"], s["community"], "Nieuwe vraag", "Tekst")
    assert [(n.kind, n.object_id) for n in notified(s["reader"])] == [("new_discussion", d.id)]
    assert notified(s["author"]) == []


def test_follow_level_needs_read_access_and_a_known_level(s):
    with pytest.raises(Exception) as refused:
        actions.set_follow_level(s["outsider"], "discussion", s["discussion"], "following")
    assert refused.value.status == 404
    with pytest.raises(Exception) as bad:
        actions.set_follow_level(s["reader"], "discussion", s["discussion"], "loud")
    assert bad.value.status == 422


def test_join_requests_reach_coordinators_and_approval_reaches_the_member(factories):
    coordinator = factories.user("Coco")
    community = factories.community(join_policy="request", coordinator=coordinator)
    asker = factories.user("Vera Vraag")
    membership = community_actions.request_to_join(asker, community)
    assert [(n.kind, n.object_id) for n in notified(coordinator)] == [("join_request", community.id)]
    community_actions.decide_request(coordinator, membership, approve=True)
    assert [n.kind for n in notified(asker)] == ["membership_approved"]


def test_trajectory_activity_reaches_participants_and_followers_only(world):  # noqa: F811
    t = world.trajectory
    milestone = trajectory_actions.add_milestone(world.owner, t, title="Eerste las")
    trajectory_actions.sign_off_milestone(world.coach, milestone)
    for person in ("employee", "student"):
        assert [n.kind for n in notified(world[person])] == ["milestone_signed_off"]
    assert notified(world.coach) == []  # their own action
    for person in ("other_manager", "teacher", "outsider", "coordinator"):
        assert notified(world[person]) == []  # confidential: not insiders
    trajectory_actions.remove_participant(world.owner, t, world.student)
    trajectory_actions.add_entry_to_log(world.employee, t, "Geleerd: lasnaad controleren", "reflection",
                                        "applied")
    assert len(notified(world.student)) == 1  # no longer in it: nothing new


def test_notification_event_goes_to_the_recipient_only_with_the_unread_count(app, s, make_client):
    author_socket = LiveSocket(app, make_client(s["author"]))
    reader_socket = LiveSocket(app, make_client(s["reader"]))
    discussions.post_reply(s["replier"], s["discussion"], "Een")
    discussions.post_reply(s["replier"], s["discussion"], "Twee")
    got = author_socket.received("event")
    notes = [e for e in got if e["type"] == "notification"]
    assert [(e["op"], e["unread"]) for e in notes] == [("new", 1), ("new", 2)]
    assert "Bram" in notes[0]["html"]["nl"] and "reageerde" in notes[0]["html"]["nl"]
    assert "replied" in notes[0]["html"]["en"]
    assert all(e["stream"] == f"user:{s['author'].id}" for e in notes)
    assert reader_socket.received("event") == []
    actions.mark_read(s["author"])
    assert [(e["op"], e["unread"]) for e in author_socket.received("event")] == [("read", 0)]


def test_notification_centre_lists_only_what_is_still_visible(s, make_client):
    discussions.post_reply(s["author"], s["discussion"], "@bram kijk")
    client = make_client(s["replier"])
    page = client.get("/notifications").get_data(as_text=True)
    assert "noemde je in" in page and "Lasrook afzuigen" in page
    assert 'class="count" id="notification-count">1<' in page
    membership = permissions.community_membership(s["replier"], s["community"])
    community_actions.remove_member(s["author"], membership)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Lasrook afzuigen" not in page and "Nog geen meldingen" in page
    assert client.get("/api/v1/notifications").get_json()["items"] == []
    note = notified(s["replier"])[0]
    assert client.submit(f"/notifications/{note.id}/open", page="/notifications").status_code == 404


def test_opening_marks_read_and_leads_to_the_reply(s, make_client):
    discussions.post_reply(s["replier"], s["discussion"], "Een")
    client = make_client(s["author"])
    note = notified(s["author"])[0]
    client.get("/notifications")
    assert notified(s["author"])[0].read_at is None  # looking is not reading (GET never writes)
    response = client.submit(f"/notifications/{note.id}/open", page="/notifications")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/d/{s['discussion'].id}#reply-1")
    db.session.expire_all()
    assert notified(s["author"])[0].read_at is not None
    # Someone else's notification does not exist for you.
    other = make_client(s["reader"])
    assert other.submit(f"/notifications/{note.id}/open", page="/notifications").status_code == 404
    assert other.submit("/notifications/999999999999/open", page="/notifications").status_code == 404


def test_mark_all_read_and_unread_filter(s, make_client):
    for n in range(3):
        discussions.post_reply(s["replier"], s["discussion"], f"Reactie {n}")
    client = make_client(s["author"])
    assert client.get("/notifications?show=unread").get_data(as_text=True).count('class="notification unread"') == 3
    response = client.submit("/notifications/read", page="/notifications", follow_redirects=True)
    assert "Alle meldingen zijn als gelezen gemarkeerd" in response.get_data(as_text=True)
    assert "Geen ongelezen meldingen" in client.get("/notifications?show=unread").get_data(as_text=True)
    # Ids that are not numbers, or someone else's, change nothing and do not fail.
    assert client.submit("/notifications/read", {"id": ["x", "²", "9" * 400]}, page="/notifications").status_code == 302


def test_notification_centre_groups_by_day_and_by_thing(s, make_client):
    """Issue 18: "Vandaag", "Gisteren", then dates; three replies in one discussion on one day
    are one line ("3 nieuwe reacties in …") with the separate ones behind a disclosure."""
    import re
    from datetime import timedelta

    from community.models import utcnow

    older = discussions.start_discussion(s["reader"], s["community"], "Oude vraag", "@anna-auteur oud")
    other = discussions.start_discussion(s["reader"], s["community"], "Tweede vraag", "@anna-auteur kijk")
    for n in range(3):
        discussions.post_reply(s["replier"], s["discussion"], f"Reactie {n}")
    moved = {"Tweede vraag": timedelta(days=1), "Oude vraag": timedelta(days=9)}
    for note in notified(s["author"]):
        if note.data.get("title") in moved:
            note.created_at = utcnow() - moved[note.data["title"]]
    db.session.commit()
    html = make_client(s["author"]).get("/notifications").get_data(as_text=True)
    days = re.findall(r'<h2 id="day-[^"]+" class="h3">([^<]+)</h2>', html)
    assert days[:2] == ["Vandaag", "Gisteren"] and re.fullmatch(r"\d{1,2} \w+ \d{4}", days[2]), days
    today = html.split('id="day-today"')[1].split("</section>")[0]
    assert "3 nieuwe reacties in “Lasrook afzuigen”" in today
    assert today.count('class="notification unread"') == 3  # one by one, behind the disclosure
    assert "Tweede vraag" not in today and "Tweede vraag" in html and "Oude vraag" in html
    assert other.id and older.id


def test_reading_the_discussion_marks_its_notifications_read(s, make_client):
    """Issue 18: what the reader has seen on the page is read in the centre too (the page's read
    path); a reply written after what they saw stays unread. Opening a grouped line marks the
    group read."""
    for n in range(2):
        discussions.post_reply(s["replier"], s["discussion"], f"Reactie {n}")
    client = make_client(s["author"])
    d = s["discussion"]
    assert client.post(f"/d/{d.id}/read", json={"number": 1},
                       headers={"X-CSRFToken": client.csrf_token(f"/d/{d.id}")}).status_code == 204
    db.session.expire_all()
    assert [(n.data["number"], n.read_at is not None) for n in notified(s["author"], "reply")] == [(1, True), (2, False)]
    assert client.post(f"/d/{d.id}/read", json={"number": 2},
                       headers={"X-CSRFToken": client.csrf_token(f"/d/{d.id}")}).status_code == 204
    db.session.expire_all()
    assert all(n.read_at is not None for n in notified(s["author"]))

    for n in range(2):
        discussions.post_reply(s["replier"], s["discussion"], f"Later {n}")
    newest = notified(s["author"], "reply")[-1]
    assert client.submit(f"/notifications/{newest.id}/open", page="/notifications").status_code == 302
    db.session.expire_all()
    assert all(n.read_at is not None for n in notified(s["author"]))


def test_case_and_trajectory_pages_ask_to_mark_their_notifications_read(world, make_client):  # noqa: F811
    """The page carries the read marker only while the reader has unread notifications; the
    POST changes only the reader's own notifications about that thing."""
    t = world.trajectory
    actions.mark_read(world["coach"])
    trajectory_actions.add_entry_to_log(world["owner"], t, "Iets nieuws", "reflection", "applied")
    coach = make_client(world["coach"])
    marker = f'data-read-on-open="/notifications/read/trajectory/{t.id}"'
    assert marker in coach.get(f"/t/{t.id}").get_data(as_text=True)
    assert notified(world["coach"])[0].read_at is None  # GET never writes
    other = make_client(world["owner"])
    assert other.submit(f"/notifications/read/trajectory/{t.id}", page=f"/t/{t.id}").status_code == 204
    db.session.expire_all()
    assert notified(world["coach"])[0].read_at is None  # someone else's stay as they are
    assert coach.submit(f"/notifications/read/trajectory/{t.id}", page=f"/t/{t.id}").status_code == 204
    db.session.expire_all()
    assert notified(world["coach"])[0].read_at is not None
    assert marker not in coach.get(f"/t/{t.id}").get_data(as_text=True)
    assert coach.submit("/notifications/read/discussion/1", page="/notifications").status_code == 404


def test_notification_centre_query_count_is_constant(s, make_client, count_queries):
    client = make_client(s["author"])
    discussions.post_reply(s["replier"], s["discussion"], "Een")
    client.get("/notifications")
    with count_queries() as few:
        client.get("/notifications")
    for n in range(12):
        d = discussions.start_discussion(s["reader"], s["community"], f"Vraag {n}", f"@anna-auteur {n}")
        discussions.post_reply(s["replier"], d, "Antwoord")
    with count_queries() as many:
        assert client.get("/notifications").status_code == 200
    assert many.count == few.count


def test_follow_level_page_and_api(s, make_client, api):
    client = make_client(s["reader"])
    response = client.submit(f"/follow/discussion/{s['discussion'].id}", {"level": "following",
                             "next": f"/d/{s['discussion'].id}"}, page=f"/d/{s['discussion'].id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/d/{s['discussion'].id}")
    discussions.post_reply(s["replier"], s["discussion"], "Een")
    assert [n.kind for n in notified(s["reader"])] == ["reply"]
    page = client.get(f"/d/{s['discussion'].id}").get_data(as_text=True)
    assert '<option value="following" selected' in page
    outsider = make_client(s["outsider"])
    assert outsider.submit(f"/follow/discussion/{s['discussion'].id}", {"level": "following"}).status_code == 404
    assert outsider.submit(f"/follow/community/{s['community'].id}", {"level": "following"}).status_code == 404
    assert client.submit(f"/follow/case/{s['discussion'].id}", {"level": "following"}).status_code == 404
    # Over the API
    reader_api = api(s["reader"])
    url = f"/api/v1/follow/community/{s['community'].id}"
    assert reader_api.put(url, json={"level": "muted"}).get_json() == {"level": "muted"}
    assert reader_api.put(url, json={"level": "loud"}).status_code == 422
    assert reader_api.put(url, json={"level": "x" * 100000}).status_code == 422
    assert reader_api.put("/api/v1/follow/elsewhere/1", json={"level": "muted"}).status_code == 404
    assert api(s["outsider"]).put(url, json={"level": "muted"}).status_code == 404
    assert api().put(url, json={"level": "muted"}).status_code == 401
    listing = reader_api.get("/api/v1/notifications").get_json()
    assert listing["unread"] == 1 and listing["items"][0]["kind"] == "reply"
    assert listing["items"][0]["url"].endswith("#reply-1")
    read = reader_api.post("/api/v1/notifications/read", json={"ids": [listing["items"][0]["id"]]}).get_json()
    assert read == {"marked": 1, "unread": 0}
    assert reader_api.post("/api/v1/notifications/read", json={"ids": ["a"]}).status_code == 422
    assert reader_api.post("/api/v1/notifications/read", json={"ids": list(range(501))}).status_code == 422


def test_disabled_recipients_get_nothing(s, factories):
    from community.actions import accounts

    accounts.set_user_active(factories.admin(), s["author"], False)
    discussions.post_reply(s["replier"], s["discussion"], "Een")
    assert notified(s["author"]) == []


def test_unread_is_counted_up_to_a_hundred_from_the_unread_index_only(s, make_client, api):
    """The badge's count reads the partial index of unread notifications and stops at 100: a
    member who left thousands unread costs the same on every page and in every reply's job."""
    from community.models import utcnow
    from community.queries import notifications as queries

    def add(user, count, read=False):
        db.session.execute(sa.insert(Notification.__table__), [
            dict(user_id=user.id, kind="reply", object_type="discussion", object_id=s["discussion"].id,
                 data={"title": "t", "number": 1}, created_at=utcnow(), read_at=utcnow() if read else None)
            for _ in range(count)])
        db.session.commit()

    add(s["author"], 40, read=True)
    add(s["author"], 99)
    assert queries.unread_count(s["author"]) == 99
    assert queries.unread_counts([s["author"].id, s["reader"].id]) == {s["author"].id: 99, s["reader"].id: 0}
    client = make_client(s["author"])
    assert 'id="notification-count">99<' in client.get("/notifications").get_data(as_text=True)
    add(s["author"], 150)
    assert queries.unread_count(s["author"]) == queries.UNREAD_COUNTED == 100
    page = client.get("/notifications").get_data(as_text=True)
    assert 'id="notification-count">99+<' in page and "Meldingen, 99+ ongelezen" in page
    assert api(s["author"]).get("/api/v1/notifications").get_json()["unread"] == 100
    actions.mark_read(s["author"])
    assert queries.unread_count(s["author"]) == 0
    # The plan: the unread index, on both databases (no read of the table's other rows).
    statement = sa.select(queries.unread_column(s["author"].id))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert plan.count("ix_notifications_unread") == 2 and "SCAN notifications" not in plan
    else:
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(sa.text(f"EXPLAIN {compiled}")))
        assert plan.count("ix_notifications_unread") == 2 and "Seq Scan" not in plan
