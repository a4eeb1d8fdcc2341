"""Digests: activity in what a member follows (new discussions in followed communities,
trajectory updates), one mail a day or a week, grouped by community; milestone sign-offs in a
digest of their own for who chose them daily or weekly (at once is notification_mail's). A
periodic job picks the members with something new and queues one job each; that job mails what
is still unread and still visible to the member then, and notes the last notification it
covered, so a retried or repeated job never mails the same thing twice."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from community import permissions
from community.actions.mail import queue_mail
from community.actions.notification_mail import preference, unsubscribe_token
from community.extensions import db
from community.mail.links import absolute_url
from community.markup import plain_excerpt
from community.models import MAIL_DEFAULTS, MailPreference, Notification, User, utcnow
from community.queries.notifications import load_targets

KIND = "activity"
# Per mail kind with a digest: the notifications it gathers (a sign-off is in one kind only).
DIGEST_KINDS = {"activity": ("new_discussion", "trajectory"), "milestones": ("milestone_signed_off",)}
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
MAX_ITEMS = 50
# The hour digests go out is local time here (DIGEST_HOUR): 07:00 stays 07:00 in summer and winter.
LOCAL = ZoneInfo("Europe/Amsterdam")
TEXTS = {
    "activity": dict(
        daily=lambda count: _l("Your daily Leerkring digest: %(count)d new", count=count),
        weekly=lambda count: _l("Your weekly Leerkring digest: %(count)d new", count=count),
        intro=dict(daily=_l("New since yesterday in what you follow:"), weekly=_l("New this week in what you follow:")),
        reason=_l("You receive this mail because the digest of what you follow is switched on in your Leerkring "
                  "settings.")),
    "milestones": dict(
        daily=lambda count: _l("Your daily digest of milestones signed off on Leerkring: %(count)d", count=count),
        weekly=lambda count: _l("Your weekly digest of milestones signed off on Leerkring: %(count)d", count=count),
        intro=dict(daily=_l("Milestones signed off since yesterday in your trajectories:"),
                   weekly=_l("Milestones signed off this week in your trajectories:")),
        reason=_l("You receive this mail because the digest of milestones signed off is switched on in your "
                  "Leerkring settings.")),
}


def digest_hour_now(now=None):
    """Whether ``now`` (UTC) is the hour digests go out: DIGEST_HOUR o'clock in Amsterdam. The
    periodic job runs every hour and does its work only then; on the night the clocks go back,
    only the first of the two hours counts."""
    local = (now or utcnow()).astimezone(LOCAL)
    return local.hour == current_app.config["DIGEST_HOUR"] and not local.fold


def queue_digests(now=None):
    """The periodic job's part: one digest job per member and kind due today (daily ones every
    day, weekly ones on Mondays, Amsterdam time) with something unread in the last week."""
    from community.jobs import enqueue_on_commit
    from community.jobs.mail import digest, milestone_digest

    now = now or utcnow()
    monday = now.astimezone(LOCAL).weekday() == 0
    due = []
    for kind, job in ((KIND, digest), ("milestones", milestone_digest)):
        user_ids = set(db.session.scalars(sa.select(Notification.user_id).distinct().where(
            Notification.kind.in_(DIGEST_KINDS[kind]), Notification.read_at.is_(None),
            Notification.created_at >= now - PERIODS["weekly"])))
        chosen = dict(db.session.execute(sa.select(MailPreference.user_id, MailPreference.choice).where(
            MailPreference.kind == kind, MailPreference.user_id.in_(sorted(user_ids)))).all()) if user_ids else {}
        for user_id in sorted(user_ids):
            choice = chosen.get(user_id, MAIL_DEFAULTS[kind])
            if choice == "daily" or (choice == "weekly" and monday):
                due.append(user_id)
                enqueue_on_commit(job, user_id, choice)
    db.session.commit()
    return sorted(set(due))


def send_digest(user_id, period, kind=KIND):
    """One member's digest of ``kind``: what is new since the last one (at most one period back)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    row = preference(user_id, kind)
    if row.choice != period:
        db.session.commit()
        return None  # changed their mind since the job was queued
    rows = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user_id, Notification.kind.in_(DIGEST_KINDS[kind]),
        Notification.id > row.last_mailed_id, Notification.created_at >= utcnow() - PERIODS[period])
        .order_by(Notification.id)).all()
    if rows:
        row.last_mailed_id = rows[-1].id
    groups = _groups(user, [n for n in rows if n.read_at is None])
    mail = None
    if groups:
        count = sum(len(items) for _name, items in groups)
        texts = TEXTS[kind]
        mail = queue_mail("digest", user.email, user.language, texts[period](count),
                          dict(name=user.display_name, groups=groups, intro=texts["intro"][period],
                               settings_url=absolute_url("account.mail_settings"), reason=texts["reason"]),
                          to_name=user.display_name, user=user,
                          unsubscribe_url=absolute_url("account.unsubscribe", token=unsubscribe_token(user, kind)))
    db.session.commit()
    return mail


def _groups(user, notifications):
    """[(community name, [item, ...]), ...]: what the member may still see, by community."""
    targets = load_targets(user, notifications[:200])
    groups = {}
    for n in notifications[:200]:
        target = targets.get((n.object_type, n.object_id))
        if target is None or not permissions.can_see_notification(user, n, targets) \
                or getattr(target, "is_hidden", False):
            continue
        data = n.data or {}
        item = dict(kind=n.kind, what=data.get("what", ""), actor=n.actor.display_name if n.actor else "",
                    title=data.get("title", ""), milestone=data.get("milestone", ""), excerpt="")
        if n.object_type == "discussion":
            item.update(title=target.title, excerpt=plain_excerpt(target.body_html),
                        url=absolute_url("discussions.view", discussion_id=target.id))
        else:
            item.update(title=target.title, url=absolute_url("trajectories.view", trajectory_id=target.id))
        community = getattr(target, "community", None)
        groups.setdefault(community.name if community else "", []).append(item)
    kept, total = [], 0
    for name in sorted(groups):
        items = groups[name][:max(0, MAX_ITEMS - total)]
        total += len(items)
        if items:
            kept.append((name, items))
    return kept
