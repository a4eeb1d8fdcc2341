"""Digests of what a member follows: one mail a day (or a week, on Mondays) grouped by
community, with titles, authors, plain-text excerpts and working links; only what the member
may still see when the job runs (a private community left, a hidden discussion, a confidential
trajectory); nothing twice; the choice and the unsubscribe link per kind."""
import re
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from community.actions import communities as community_actions
from community.actions import digests, discussions, moderation, notification_mail, notifications
from community.actions import trajectories as trajectory_actions
from community.extensions import db
from community.jobs.mail import digest
from community.models import Mail
from tests.mailserver import smtp_server  # noqa: F401  (fixture)

MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=timezone.utc)
TUESDAY = datetime(2026, 12, 8, 6, 0, tzinfo=timezone.utc)


def _mails():
    db.session.expire_all()
    return db.session.scalars(sa.select(Mail).order_by(Mail.id)).all()


def _following(factories, name, visibility="public"):
    community = factories.community(name=name, visibility=visibility,
                                    join_policy="invite" if visibility == "private" else "open")
    reader, author = factories.user(name="Lotte Lezer"), factories.user(name="Sem Schrijver")
    for user in (reader, author):
        factories.community_member(community, user)
    notifications.set_follow_level(reader, "community", community, "following")
    return community, reader, author


def _run(now=TUESDAY):
    """The morning job, then the digest jobs it queued (they run at once in the test queue)."""
    return digests.queue_digests(now)


def test_a_daily_digest_groups_by_community_with_excerpts_and_links(smtp_server, factories, make_client):
    lassen, reader, author = _following(factories, "Lassen Noord")
    factories.community_member(second := factories.community(name="Onderhoud Zuid"), reader)
    factories.community_member(second, author)
    notifications.set_follow_level(reader, "community", second, "following")
    discussions.start_discussion(author, lassen, "Robotlassen", "Wie heeft **ervaring** met [cobots](https://x.nl)?")
    discussions.start_discussion(author, second, "Smeerschema", "Hoe vaak smeren jullie?")
    assert _run() == [reader.id]
    [msg] = smtp_server.wait(1)
    assert msg["Subject"] == "Je dagelijkse Leerkring-overzicht: 2 nieuw"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = msg.get_body(("plain",)).get_content()
    assert plain.index("== Lassen Noord ==") < plain.index("== Onderhoud Zuid ==")
    assert "Sem Schrijver begon een discussie: “Robotlassen”." in plain
    assert "Wie heeft ervaring met cobots?" in " ".join(plain.split()) and "**" not in plain
    links = re.findall(r"http://leerkring\.test(/d/\d+)", plain)
    assert len(links) == 2 and all(make_client(reader).get(link).status_code == 200 for link in links)
    assert _run() == [reader.id] and len(_mails()) == 1  # nothing new: no second mail


def test_only_what_the_member_may_still_see(factories):
    private, reader, author = _following(factories, "Besloten kring", visibility="private")
    discussions.start_discussion(author, private, "Intern", "Alleen voor leden")
    community_actions.leave(reader, private)  # before the morning job
    public, reader2, author2 = _following(factories, "Open kring")
    hidden = discussions.start_discussion(author2, public, "Verborgen", "Weg ermee")
    discussions.start_discussion(author2, public, "Zichtbaar", "Blijft")
    moderation.hide(factories.admin(), "discussion", hidden, "spam")
    _run()
    [mail] = _mails()
    assert mail.user_id == reader2.id
    assert "Zichtbaar" in mail.message and "Verborgen" not in mail.message and "Intern" not in mail.message


def test_confidential_trajectory_activity_reaches_only_who_may_see_it(factories):
    """Both participants are notified; one is taken off the trajectory before the morning job,
    and the confidential trajectory's news no longer reaches them."""
    community = factories.community(name="Trajectkring")
    stays, leaves = factories.user(name="Piet Blijft"), factories.user(name="Gert Gaat")
    for user in (stays, leaves):
        factories.community_member(community, user)
    trajectory = factories.trajectory(community, title="Inwerken lassers", visibility="confidential",
                                      participants=[(stays, "employee"), (leaves, "employee")],
                                      milestones=["Eerste las"])
    owner = db.session.get(type(stays), trajectory.created_by_id)
    trajectory_actions.set_milestone_done(owner, trajectory.milestones[0])
    trajectory_actions.remove_participant(owner, trajectory, leaves)
    _run()
    [mail] = _mails()
    assert mail.user_id == stays.id
    assert "Eerste las" in mail.message and "Inwerken lassers" in mail.message


def test_weekly_on_mondays_and_never_means_never(factories, make_client):
    community, reader, author = _following(factories, "Weekkring")
    client = make_client(reader)
    assert client.submit("/account/mail", {"mentions_replies": "instant", "join_requests": "instant",
                                           "activity": "weekly"}, page="/account/mail").status_code == 302
    assert client.submit("/account/mail", {"mentions_replies": "daily", "join_requests": "instant",
                                           "activity": "weekly"}, page="/account/mail").status_code == 400
    discussions.start_discussion(author, community, "Weekonderwerp", "Tekst")
    assert _run(TUESDAY) == [] and _mails() == []
    assert _run(MONDAY) == [reader.id]
    assert "wekelijkse" in _mails()[0].subject
    notification_mail.unsubscribe(notification_mail.unsubscribe_token(reader, "activity"))
    assert notification_mail.choices_of(reader) == {"mentions_replies": "instant", "join_requests": "instant",
                                                   "activity": "never", "milestones": "instant"}
    discussions.start_discussion(author, community, "Nog een", "Tekst")
    assert _run(MONDAY) == []


def test_a_digest_job_for_a_changed_choice_sends_nothing(factories):
    community, reader, author = _following(factories, "Wisselkring")
    discussions.start_discussion(author, community, "Onderwerp", "Tekst")
    notification_mail.set_choices(reader, {"activity": "never"})
    digest.call_local(reader.id, "daily", "k")
    assert _mails() == []


def test_digests_go_out_at_the_hour_set_in_amsterdam_time_summer_and_winter(factories, app, monkeypatch):
    """DIGEST_HOUR (default 7) is Amsterdam time: 06:00 UTC in winter, 05:00 UTC in summer. The
    periodic job runs every hour and does its work only at that hour (with a fixed clock here)."""
    from community.jobs.mail import digests as morning_job
    from tests.helpers import settings

    def at(*when):
        return datetime(*when, tzinfo=timezone.utc)

    assert app.config["DIGEST_HOUR"] == 7
    assert digests.digest_hour_now(at(2026, 12, 8, 6, 0)) and not digests.digest_hour_now(at(2026, 12, 8, 5, 0))
    assert digests.digest_hour_now(at(2026, 7, 7, 5, 0)) and not digests.digest_hour_now(at(2026, 7, 7, 6, 0))
    with settings(app, DIGEST_HOUR=2):  # the night the clocks go back, 02:00 comes twice: once counts
        assert digests.digest_hour_now(at(2026, 10, 25, 0, 30)) and not digests.digest_hour_now(at(2026, 10, 25, 1, 30))
    with settings(app, DIGEST_HOUR=18):
        assert digests.digest_hour_now(at(2026, 12, 8, 17, 59)) and not digests.digest_hour_now(at(2026, 12, 8, 6, 0))
    assert morning_job.task_class().validate_datetime(datetime(2026, 12, 8, 5, 0))  # hourly
    assert not morning_job.task_class().validate_datetime(datetime(2026, 12, 8, 5, 1))

    community, reader, author = _following(factories, "Klokkring")
    discussions.start_discussion(author, community, "Onderwerp", "Tekst")
    # The next 07:00 in Amsterdam (today's before seven in the morning): the digest covers the
    # day since the previous one, so the discussion just started falls in it at any hour.
    local_now = datetime.now(digests.LOCAL)
    day = local_now.date() + timedelta(days=0 if local_now.time() < time(7, 0) else 1)
    seven = datetime.combine(day, time(7, 0, 5), tzinfo=digests.LOCAL).astimezone(timezone.utc)
    for hours in (2, 1):  # 05:00 and 06:00 in Amsterdam: not yet
        monkeypatch.setattr(digests, "utcnow", lambda hours=hours: seven - timedelta(hours=hours))
        morning_job.call_local()
        assert _mails() == []
    monkeypatch.setattr(digests, "utcnow", lambda: seven)
    morning_job.call_local()
    assert [mail.user_id for mail in _mails()] == [reader.id]
