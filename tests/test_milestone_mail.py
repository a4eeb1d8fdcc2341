"""Milestone sign-offs by mail, a kind of their own (profile → E-mail): at once by default,
gathered over ten minutes, or in a daily or weekly digest of their own, or never; to the
trajectory's participants, followers and owners who may still see it when the job runs (a
confidential trajectory's participant taken off it gets nothing); never also in the activity
digest; one-click unsubscribe stops only this kind."""
import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from community import jobs
from community.actions import digests, notification_mail
from community.actions import trajectories as trajectory_actions
from community.extensions import db
from community.models import Mail, MailPreference
from tests import worlds
from tests.mailserver import smtp_server  # noqa: F401  (fixture)

KIND = "milestones"
MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=timezone.utc)  # 07:00 in Amsterdam
TUESDAY = datetime(2026, 12, 8, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def world():
    """The trajectories world with company A's confidential trajectory and its first milestone;
    the employee, the coach and the student take part, the owner is company A's manager."""
    world = worlds.trajectories()
    world.trajectory = worlds.trajectory(world, "confidential", roles=("employee", "coach", "student"))
    world.milestone = trajectory_actions.add_milestone(world.owner, world.trajectory, title="Eerste las")
    return world


def _mails():
    db.session.expire_all()
    return db.session.scalars(sa.select(Mail).order_by(Mail.id)).all()


def _batch(user):
    """What the scheduled job does ten minutes later."""
    return notification_mail.send_batch(user.id, KIND)


def test_participants_and_owners_get_one_mail_at_once_with_a_working_link(smtp_server, world, make_client):
    scheduled = jobs.queue.scheduled_count()
    trajectory_actions.sign_off_milestone(world.coach, world.milestone)
    assert jobs.queue.scheduled_count() == scheduled + 3  # employee, student, owner; not the coach
    for person in ("employee", "student", "owner", "coach", "teacher", "other_manager", "outsider", "coordinator"):
        _batch(world[person])
    messages = smtp_server.wait(3)
    assert sorted(msg["To"].addresses[0].addr_spec for msg in messages) == sorted(
        world[person].email for person in ("employee", "student", "owner"))
    msg = messages[0]
    assert msg["Subject"] == "1 nieuw op Leerkring: afgetekende mijlpalen"
    assert msg["List-Unsubscribe"].startswith("<http://leerkring.test/account/unsubscribe/")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = " ".join(msg.get_body(("plain",)).get_content().split())
    html = msg.get_body(("html",)).get_content()
    assert "Docent tekende de mijlpaal “Eerste las” van “Lascobot invoeren” af." in plain
    [link] = re.findall(r"http://leerkring\.test(/t/\d+)", plain)
    assert f'href="http://leerkring.test{link}"' in html and "<img" not in html
    reader = next(person for person in ("employee", "student", "owner")
                  if world[person].email == msg["To"].addresses[0].addr_spec)
    assert make_client(world[reader]).get(link).status_code == 200
    # Not in the activity digest as well.
    assert digests.queue_digests(TUESDAY) == [] and len(_mails()) == 3


def test_who_may_no_longer_see_the_trajectory_when_the_job_runs_gets_nothing(smtp_server, world):
    trajectory_actions.sign_off_milestone(world.coach, world.milestone)
    trajectory_actions.remove_participant(world.owner, world.trajectory, world.student)
    assert _batch(world.student) is None
    assert _batch(world.employee) is not None
    assert [mail.user_id for mail in _mails()] == [world.employee.id]


def test_a_daily_or_weekly_digest_of_their_own(smtp_server, world, make_client):
    client = make_client(world.employee)
    assert client.submit("/account/mail", {"milestones": "daily"}, page="/account/mail").status_code == 302
    notification_mail.set_choices(world.student, {KIND: "weekly"})
    notification_mail.set_choices(world.owner, {KIND: "never"})
    scheduled = jobs.queue.scheduled_count()
    trajectory_actions.sign_off_milestone(world.coach, world.milestone)
    assert jobs.queue.scheduled_count() == scheduled  # nobody wants it at once
    assert digests.queue_digests(TUESDAY) == [world.employee.id]
    [msg] = smtp_server.wait(1)
    assert msg["Subject"] == "Je dagelijkse overzicht van afgetekende mijlpalen op Leerkring: 1"
    plain = " ".join(msg.get_body(("plain",)).get_content().split())
    assert "Docent tekende de mijlpaal “Eerste las” van “Lascobot invoeren” af." in plain
    assert "== Lassen ==" in plain
    token = re.search(r"/account/unsubscribe/([^>\s]+)", msg["List-Unsubscribe"]).group(1)
    assert notification_mail.unsubscribe_target(token) == (world.employee, KIND)
    assert digests.queue_digests(TUESDAY) == [world.employee.id] and len(_mails()) == 1  # nothing new
    assert digests.queue_digests(MONDAY) == [world.employee.id, world.student.id]
    [weekly] = [m for m in _mails() if m.user_id == world.student.id]
    assert weekly.subject == "Je wekelijkse overzicht van afgetekende mijlpalen op Leerkring: 1"
    assert all(m.user_id != world.owner.id for m in _mails())


def test_the_profile_has_the_choice_and_one_click_unsubscribe_stops_only_this_kind(world, make_client):
    client = make_client(world.employee)
    page = client.get("/account/mail").get_data(as_text=True)
    assert "Afgetekende mijlpalen in je trajecten" in page and 'name="milestones"' in page
    assert client.submit("/account/mail", {"milestones": "sometimes"}, page="/account/mail").status_code == 400
    token = notification_mail.unsubscribe_token(world.employee, KIND)
    landing = make_client().get(f"/account/unsubscribe/{token}")
    assert landing.status_code == 200 and "afgetekende mijlpalen" in landing.get_data(as_text=True)
    response = make_client().post(f"/account/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert notification_mail.choices_of(world.employee) == {
        "mentions_replies": "instant", "join_requests": "instant", "activity": "daily", "milestones": "never"}
    trajectory_actions.sign_off_milestone(world.coach, world.milestone)
    assert db.session.get(MailPreference, (world.employee.id, KIND)).batch_due_at is None
    assert _batch(world.employee) is None and _mails() == []


def test_switched_to_a_digest_before_the_batch_ran_the_digest_has_it(smtp_server, world):
    trajectory_actions.sign_off_milestone(world.coach, world.milestone)
    notification_mail.set_choices(world.employee, {KIND: "daily"})
    assert _batch(world.employee) is None and _mails() == []
    assert world.employee.id in digests.queue_digests(TUESDAY)
    [mail] = _mails()
    assert mail.user_id == world.employee.id and "Eerste las" in mail.message
