"""Digests: activity in what a member follows (new discussions in followed communities,
trajectory updates, milestone sign-offs), one mail a day or a week, grouped by community. A
periodic job picks the members with something new and queues one job each; that job mails what
is still unread and still visible to the member then, and notes the last notification it
covered, so a retried or repeated job never mails the same thing twice."""
from datetime import timedelta

import sqlalchemy as sa
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
DIGEST_NOTIFICATIONS = ("new_discussion", "trajectory", "milestone_signed_off")
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
MAX_ITEMS = 50


def queue_digests(now=None):
    """The periodic job's part: one digest job per member due today (daily ones every day,
    weekly ones on Mondays) with something unread in the last week."""
    from community.jobs import enqueue_on_commit
    from community.jobs.mail import digest

    now = now or utcnow()
    user_ids = set(db.session.scalars(sa.select(Notification.user_id).distinct().where(
        Notification.kind.in_(DIGEST_NOTIFICATIONS), Notification.read_at.is_(None),
        Notification.created_at >= now - PERIODS["weekly"])))
    chosen = dict(db.session.execute(sa.select(MailPreference.user_id, MailPreference.choice).where(
        MailPreference.kind == KIND, MailPreference.user_id.in_(sorted(user_ids)))).all()) if user_ids else {}
    due = []
    for user_id in sorted(user_ids):
        choice = chosen.get(user_id, MAIL_DEFAULTS[KIND])
        if choice == "daily" or (choice == "weekly" and now.weekday() == 0):
            due.append(user_id)
            enqueue_on_commit(digest, user_id, choice)
    db.session.commit()
    return due


def send_digest(user_id, period):
    """One member's digest: what is new since the last one (at most one period back)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    row = preference(user_id, KIND)
    if row.choice != period:
        db.session.commit()
        return None  # changed their mind since the job was queued
    rows = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user_id, Notification.kind.in_(DIGEST_NOTIFICATIONS),
        Notification.id > row.last_mailed_id, Notification.created_at >= utcnow() - PERIODS[period])
        .order_by(Notification.id)).all()
    if rows:
        row.last_mailed_id = rows[-1].id
    groups = _groups(user, [n for n in rows if n.read_at is None])
    mail = None
    if groups:
        count = sum(len(items) for _name, items in groups)
        subject = (_l("Your daily Leerkring digest: %(count)d new", count=count) if period == "daily"
                   else _l("Your weekly Leerkring digest: %(count)d new", count=count))
        mail = queue_mail("digest", user.email, user.language, subject,
                          dict(name=user.display_name, groups=groups, daily=period == "daily",
                               settings_url=absolute_url("account.mail_settings"),
                               reason=_l("You receive this mail because the digest of what you follow is switched "
                                         "on in your Leerkring settings.")),
                          to_name=user.display_name, user=user,
                          unsubscribe_url=absolute_url("account.unsubscribe", token=unsubscribe_token(user, KIND)))
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
