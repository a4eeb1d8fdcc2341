"""The job queue, real: SQLite storage (the embedded default) and Redis storage (production),
each with a consumer running in this process. Per-recipient notifications and their live events
are made after the commit, by a job; a failing job is retried and then kept for admins; a
retried job does not notify anyone twice; a request's statements do not grow with the number
of followers."""
import os
import time
import uuid

import pytest
import sqlalchemy as sa
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from community import jobs
from community.actions import discussions, notifications
from community.extensions import db
from community.jobs import fanout, job
from community.models import JobFailure, Notification
from tests.helpers import LiveSocket


@job(retries=2, retry_delay=0)
def always_fails(value, key):
    raise RuntimeError(f"kapot {value}")


def _storage(kind, tmp_path):
    name = "test-" + uuid.uuid4().hex[:8]
    if kind == "sqlite":
        return SqliteStorage(name, filename=str(tmp_path / "jobs.db"), timeout=15)
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    return RedisStorage(name, url=url, blocking=True, read_timeout=1)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def real_queue(request, app, tmp_path):
    """The app's queue on a real storage; ``start()`` runs a consumer in this process."""
    jobs.queue.immediate = False
    jobs.queue.storage = _storage(request.param, tmp_path)
    consumers = []

    def start():
        consumers.append(jobs.start_consumer(app, workers=1))
    yield start
    for consumer in consumers:
        consumer.stop(graceful=True)
    jobs.queue.storage.flush_all()
    jobs.queue.immediate = True  # back to the suite's mode (in-memory, run at once)


def _wait(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh look at what the consumer committed
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    return predicate()


def _notifications(user):
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)).all()


def test_a_reply_notifies_followers_after_the_commit_through_the_queue(real_queue, factories, app, make_client):
    community = factories.community()
    author, replier = factories.user(), factories.user()
    factories.community_member(community, author)
    factories.community_member(community, replier)
    d = discussions.start_discussion(author, community, "Lasrobot", "Wie heeft ervaring?")
    socket = LiveSocket(app, make_client(author))
    socket.received("event")
    queued = jobs.queue.pending_count()

    discussions.post_reply(replier, d, "Wij sinds maart.")
    # Committed and answered; the notification is still a job in the queue.
    assert _notifications(author) == []
    assert jobs.queue.pending_count() == queued + 1

    started = time.monotonic()
    real_queue()
    made = _wait(lambda: _notifications(author))
    assert len(made) == 1 and made[0].kind == "reply" and made[0].data["number"] == 1
    live = _wait(lambda: [e for e in socket.received("event") if e["type"] == "notification"])
    assert live and live[0]["notification_id"] == made[0].id and live[0]["unread"] == 1
    assert time.monotonic() - started < 1.5  # on an idle machine well within a second
    socket.disconnect()


def test_a_job_that_keeps_failing_is_kept_for_admins_and_can_be_queued_again(real_queue, factories, make_client):
    real_queue()
    always_fails(7, "sleutel")
    failure = _wait(lambda: db.session.scalar(sa.select(JobFailure).where(JobFailure.name == "always_fails")))
    assert failure is not None and "kapot 7" in failure.error and failure.args == [7, "sleutel"]

    admin = make_client(factories.admin())
    page = admin.get("/admin/jobs")
    assert page.status_code == 200 and "always_fails" in page.get_data(as_text=True)
    assert admin.submit(f"/admin/jobs/{failure.id}/retry", {}, page="/admin/jobs").status_code == 302
    again = _wait(lambda: db.session.scalar(sa.select(sa.func.count(JobFailure.id))
                                            .where(JobFailure.name == "always_fails")) == 2)
    assert again
    assert make_client(factories.user()).get("/admin/jobs").status_code == 404


def test_a_retried_job_notifies_nobody_twice(factories):
    community = factories.community()
    author, replier = factories.user(), factories.user()
    factories.community_member(community, author)
    factories.community_member(community, replier)
    d = discussions.start_discussion(author, community, "Dubbel?", "Tekst")
    reply = discussions.post_reply(replier, d, "Eén keer")
    before = len(_notifications(author))
    fanout.reply_posted.call_local(replier.id, reply.id, [], "zelfde-sleutel")
    fanout.reply_posted.call_local(replier.id, reply.id, [], "zelfde-sleutel")
    assert len(_notifications(author)) == before + 1


def test_a_job_checks_the_right_when_it_runs(factories):
    """Queued while the reader could see it, run after they left: nothing is made."""
    community = factories.community(visibility="private", join_policy="invite")
    author, replier = factories.user(), factories.user()
    factories.community_member(community, author)
    factories.community_member(community, replier)
    d = discussions.start_discussion(author, community, "Intern", "Tekst")
    jobs.queue.immediate = False
    jobs.queue.storage = MemoryStorage("held")
    try:
        reply = discussions.post_reply(replier, d, "Later gelezen")
        from community.actions import communities as community_actions

        community_actions.leave(author, community)
    finally:
        jobs.queue.immediate = True
    fanout.reply_posted.call_local(replier.id, reply.id, [], "k")
    assert [n for n in _notifications(author) if n.kind == "reply"] == []


@pytest.fixture
def held_queue():
    """Jobs are queued but not run: what the request itself does can be counted."""
    jobs.queue.immediate = False
    jobs.queue.storage = MemoryStorage("held-" + uuid.uuid4().hex[:6])
    yield jobs.queue
    jobs.queue.immediate = True


def _statements_for_a_reply(factories, count_queries, followers):
    community = factories.community()
    author, replier = factories.user(), factories.user()
    factories.community_member(community, author)
    factories.community_member(community, replier)
    d = discussions.start_discussion(author, community, "Drukte", "Veel volgers")
    for _ in range(followers):
        follower = factories.user()
        factories.community_member(community, follower)
        notifications.set_follow_level(follower, "discussion", d, "following")
    db.session.expire_all()
    queued = jobs.queue.pending_count()
    with count_queries() as counter:
        discussions.post_reply(replier, d, "Eén reactie")
    assert jobs.queue.pending_count() == queued + 1  # the fan-out, as one job
    return counter.statements


def test_statements_per_reply_do_not_grow_with_followers(factories, count_queries, held_queue):
    one = _statements_for_a_reply(factories, count_queries, 1)
    many = _statements_for_a_reply(factories, count_queries, 200)
    assert len(one) == len(many), "\n".join(many)
    assert len(many) <= 20


def test_a_job_queued_before_a_restart_runs_after_it(app, factories, tmp_path):
    """The embedded storage is a file: a job queued while no consumer ran (the server stopped
    right after the commit) is still there for the consumer of the next start."""
    path = str(tmp_path / "jobs.db")
    community = factories.community()
    author, replier = factories.user(), factories.user()
    factories.community_member(community, author)
    factories.community_member(community, replier)
    d = discussions.start_discussion(author, community, "Herstart", "Tekst")
    jobs.queue.immediate = False
    jobs.queue.storage = SqliteStorage("restart", filename=path, timeout=15)
    consumer = None
    try:
        discussions.post_reply(replier, d, "Vlak voor de herstart")
        jobs.queue.storage.close()
        jobs.queue.storage = SqliteStorage("restart", filename=path, timeout=15)  # a new process
        assert jobs.queue.pending_count() == 1
        consumer = jobs.start_consumer(app, workers=1)
        assert [n.kind for n in _wait(lambda: _notifications(author))] == ["reply"]
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        jobs.queue.immediate = True


def test_a_fan_out_numbers_every_stream_and_names_every_notification(factories, make_client):
    """Many recipients are numbered and rendered together: each still gets the next number of
    its own stream and an item that opens its own notification."""
    community = factories.community()
    author, replier = factories.user(), factories.user()
    for user in (author, replier):
        factories.community_member(community, user)
    d = discussions.start_discussion(author, community, "Samen", "Tekst")
    followers = [factories.user() for _ in range(6)]
    for follower in followers:
        factories.community_member(community, follower)
        notifications.set_follow_level(follower, "discussion", d, "following")
    discussions.post_reply(replier, d, "Eerste")
    discussions.post_reply(replier, d, "Tweede")
    for follower in followers + [author]:
        body = make_client(follower).get(f"/api/v1/live/user/{follower.id}/events?after=0").get_json()
        new = [e for e in body["events"] if e["type"] == "notification" and e["op"] == "new"]
        assert [e["seq"] for e in body["events"]] == list(range(1, len(body["events"]) + 1))
        assert len(new) == 2
        for event in new:
            assert f'id="notification-{event["notification_id"]}"' in event["html"]["nl"]
            assert f'/notifications/{event["notification_id"]}/open' in event["html"]["en"]
