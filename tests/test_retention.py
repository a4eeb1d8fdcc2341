"""Retention (README "Retention"): the hourly job removes exactly what has outlived its period,
nothing newer, and a second run removes nothing more. Runs on SQLite and PostgreSQL."""
import os
import time
from datetime import datetime, timedelta

import sqlalchemy as sa

from community import jobs
from community.actions import communities as community_actions, discussions, retention
from community.extensions import db, limiter
from community.models import Event, Invitation, Notification, utcnow

DAY = timedelta(days=1)


def _notification(user, created, read=None):
    row = Notification(user_id=user.id, kind="reply", object_type="discussion", object_id=1,
                       data={}, created_at=created, read_at=read)
    db.session.add(row)
    db.session.commit()
    return row.id


def test_the_retention_job_runs_every_hour_and_removes_all_kinds(app, factories):
    from community.jobs.retention import retention as retention_job

    assert "retention" in [t.name for t in jobs.queue._registry.periodic_tasks]
    assert retention_job.s().validate_datetime(datetime(2026, 1, 5, 4, 37))
    assert retention_job.s().validate_datetime(datetime(2026, 1, 5, 13, 37))
    assert not retention_job.s().validate_datetime(datetime(2026, 1, 5, 13, 0))
    user = factories.user()
    now = utcnow()
    old = _notification(user, now - 200 * DAY, read=now - 100 * DAY)
    kept = _notification(user, now - 200 * DAY, read=now - 80 * DAY)
    retention_job.call_local()
    assert db.session.scalars(sa.select(Notification.id)).all() == [kept]
    assert old != kept


def test_event_log_rows_older_than_the_period_go_and_the_numbering_stays(app, factories):
    community = factories.community(visibility="private")
    d = factories.discussion(community)
    stream = f"discussion:{d.id}"
    for n in range(3):
        discussions.post_reply(d.author, d, f"Oud {n}")
    db.session.execute(sa.update(Event).where(Event.stream == stream).values(
        created_at=utcnow() - (app.config["EVENT_RETENTION_DAYS"] * DAY + timedelta(minutes=1))))
    db.session.commit()
    discussions.post_reply(d.author, d, "Bijna te oud")
    db.session.execute(sa.update(Event).where(Event.stream == stream, Event.created_at > utcnow() - DAY).values(
        created_at=utcnow() - (app.config["EVENT_RETENTION_DAYS"] * DAY - timedelta(minutes=1))))
    db.session.commit()
    assert retention.prune_events() == 3
    remaining = db.session.scalars(sa.select(Event).where(Event.stream == stream)).all()
    assert len(remaining) == 1 and remaining[0].seq == 4
    assert retention.prune_events() == 0


def test_notifications_go_once_read_for_the_period_and_unread_ones_after_the_longer_one(app, factories):
    user = factories.user()
    now = utcnow()
    read_days, unread_days = app.config["NOTIFICATION_RETENTION_DAYS"], app.config["UNREAD_NOTIFICATION_RETENTION_DAYS"]
    assert (read_days, unread_days) == (90, 365)
    minute = timedelta(minutes=1)
    read_old = _notification(user, now - 400 * DAY, read=now - read_days * DAY - minute)
    read_recent = _notification(user, now - 400 * DAY, read=now - read_days * DAY + minute)
    unread_old = _notification(user, now - unread_days * DAY - minute)
    unread_recent = _notification(user, now - unread_days * DAY + minute)
    assert retention.prune_notifications() == 2
    left = set(db.session.scalars(sa.select(Notification.id)))
    assert left == {read_recent, unread_recent} and not left & {read_old, unread_old}
    assert retention.prune_notifications() == 0


def test_invitations_go_a_period_after_they_expired_or_were_revoked(app, factories):
    coordinator = factories.user(kind="teacher")
    community = factories.community(coordinator=coordinator)
    days = app.config["INVITATION_RETENTION_DAYS"]
    minute = timedelta(minutes=1)
    made = [community_actions.create_invite_link(coordinator, community)[0] for _ in range(5)]
    expired_long_ago, expired_lately, revoked_long_ago, revoked_lately, active = made
    now = utcnow()
    for invitation, expires, revoked in (
            (expired_long_ago, now - days * DAY - minute, None), (expired_lately, now - days * DAY + minute, None),
            (revoked_long_ago, now + DAY, now - days * DAY - minute), (revoked_lately, now + DAY, now - DAY)):
        invitation.expires_at, invitation.revoked_at = expires, revoked
    db.session.commit()
    ids = {i.id for i in made}
    assert retention.prune_invitations() == 2
    left = set(db.session.scalars(sa.select(Invitation.id)))
    assert left == ids - {expired_long_ago.id, revoked_long_ago.id}
    assert retention.prune_invitations() == 0


def test_export_files_older_than_seven_days_are_deleted(app):
    assert retention.prune_exports() == 0  # no folder yet: nothing to do
    folder = retention.exports_folder()
    os.makedirs(os.path.join(folder, "7"), exist_ok=True)
    period = app.config["EXPORT_RETENTION_DAYS"] * 24 * 3600
    assert period == 7 * 24 * 3600
    files = {name: os.path.join(folder, *name.split("/")) for name in ("old.zip", "new.zip", "7/old.zip", "7/new.zip")}
    for name, path in files.items():
        with open(path, "wb") as f:
            f.write(b"PK")
        age = period + 60 if "old" in name else period - 60
        os.utime(path, (time.time() - age, time.time() - age))
    try:
        assert retention.prune_exports() == 2
        assert sorted(n for n, p in files.items() if os.path.exists(p)) == ["7/new.zip", "new.zip"]
        assert retention.prune_exports() == 0
    finally:
        for path in files.values():
            if os.path.exists(path):
                os.remove(path)


def test_expired_rate_limit_counters_with_addresses_are_removed(app, client, monkeypatch):
    from limits.storage import MemoryStorage

    store = limiter.storage
    assert isinstance(store, MemoryStorage)  # the tests' storage, as in the embedded default
    store.incr("LIMITER/192.0.2.7/auth.login/20/10/minute", 600)
    store.incr("LIMITER/192.0.2.8/auth.login/20/10/minute", 600)
    monkeypatch.setitem(store.expirations, "LIMITER/192.0.2.7/auth.login/20/10/minute", time.time() - 1)
    assert retention.prune_rate_limits() == 1
    assert "LIMITER/192.0.2.7/auth.login/20/10/minute" not in store.storage
    assert store.get("LIMITER/192.0.2.8/auth.login/20/10/minute") == 1
    assert retention.prune_rate_limits() == 0


def test_prune_events_lives_in_the_retention_actions_and_does_not_commit_elsewhere():
    from community.realtime import events

    assert not hasattr(events, "prune_events")
