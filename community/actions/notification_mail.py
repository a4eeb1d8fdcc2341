"""Mentions and replies, join requests for coordinators, and milestone sign-offs (for who chose
them at once) by mail: at once, but gathered over ten minutes, so five replies make one mail.
The first notification of a quiet spell schedules the batch; the batch job then mails what is
still unread and still visible to the member at that moment (access may have ended, a reply may
have been hidden since). Members choose per kind (profile → E-mail); every such mail has a
one-click unsubscribe link that works without logging in."""
import sqlalchemy as sa
from datetime import timedelta
from flask_babel import lazy_gettext as _l

from community import permissions, signed_links
from community.actions import ActionError
from community.actions.mail import queue_mail
from community.actions.validate import check_choice
from community.extensions import db
from community.mail.links import absolute_url
from community.markup import plain_excerpt
from community.models import (
    KIND_CHOICES, MAIL_DEFAULTS, MAIL_PREFERENCE_KINDS, CommunityMembership, MailPreference, Notification, Reply,
    User, utcnow,
)
from community.queries.notifications import load_targets
from community.urls import page_of

BATCH_MINUTES = 10
BATCH_KINDS = {"reply": "mentions_replies", "mention": "mentions_replies", "join_request": "join_requests",
               "milestone_signed_off": "milestones"}
SUBJECTS = {
    "mentions_replies": lambda count: _l("%(count)d new on Leerkring: mentions and replies", count=count),
    "join_requests": lambda count: _l("%(count)d new on Leerkring: requests to join", count=count),
    "milestones": lambda count: _l("%(count)d new on Leerkring: milestones signed off", count=count),
}
REASONS = {
    "mentions_replies": _l("You receive this mail because mails about mentions and replies are switched on "
                           "in your Leerkring settings."),
    "join_requests": _l("You receive this mail because you coordinate a community and mails about requests "
                        "to join are switched on in your Leerkring settings."),
    "milestones": _l("You receive this mail because mails about milestones signed off in your trajectories are "
                     "switched on at once in your Leerkring settings."),
}
MAX_ITEMS = 30
UNSUBSCRIBE = "unsubscribe"


def choices_of(user):
    """{kind: choice} for every kind, defaults filled in."""
    chosen = dict(db.session.execute(sa.select(MailPreference.kind, MailPreference.choice)
                                     .where(MailPreference.user_id == user.id)).all())
    return {kind: chosen.get(kind, MAIL_DEFAULTS[kind]) for kind in MAIL_PREFERENCE_KINDS}


def preference(user_id, kind):
    row = db.session.get(MailPreference, (user_id, kind))
    if row is None:
        row = MailPreference(user_id=user_id, kind=kind, choice=MAIL_DEFAULTS[kind], last_mailed_id=0)
        db.session.add(row)
    return row


def set_choices(user, choices):
    """Save the member's choice per kind (``{kind: choice}``)."""
    for kind, choice in choices.items():
        check_choice(kind, MAIL_PREFERENCE_KINDS, "kind")
        preference(user.id, kind).choice = check_choice(choice, KIND_CHOICES[kind], kind)
    db.session.commit()


def unsubscribe_token(user, kind):
    return signed_links.make(UNSUBSCRIBE, {"u": user.id, "k": kind})


def unsubscribe_target(token):
    """(user, kind) of an unsubscribe link; ActionError (404) for one that is not ours. The
    links do not expire: a mail read weeks later must still be able to stop the next one."""
    try:
        payload = signed_links.read(UNSUBSCRIBE, token, None)
    except (signed_links.LinkInvalid, signed_links.LinkExpired):
        payload = None
    valid = isinstance(payload, dict) and payload.get("k") in MAIL_PREFERENCE_KINDS \
        and isinstance(payload.get("u"), int) and 0 < payload["u"] < 2 ** 31
    user = db.session.get(User, payload["u"]) if valid else None
    if user is None:
        raise ActionError(_l("This unsubscribe link is not valid."), status=404, code="invalid_link")
    return user, payload["k"]


def unsubscribe(token):
    """Stop one kind of mail for the link's member (nothing else changes). Returns (user, kind)."""
    user, kind = unsubscribe_target(token)
    row = preference(user.id, kind)
    row.choice, row.batch_due_at = "never", None
    db.session.commit()
    return user, kind


def schedule_batches(user_ids, notification_kind):
    """Called where notifications are made (a job): schedule each recipient's batch unless one
    is pending or they chose no mail. Part of the caller's transaction."""
    from community.jobs import enqueue_on_commit
    from community.jobs.mail import notification_batch

    kind = BATCH_KINDS.get(notification_kind)
    if kind is None or not user_ids:
        return
    now = utcnow()
    rows = {row.user_id: row for row in db.session.scalars(sa.select(MailPreference).where(
        MailPreference.kind == kind, MailPreference.user_id.in_(sorted(user_ids))))}
    for user_id in sorted(user_ids):
        row = rows.get(user_id) or preference(user_id, kind)
        if row.choice != "instant" or (row.batch_due_at is not None and row.batch_due_at > now - timedelta(hours=1)):
            continue  # not wanted at once, or a batch is on its way (one stuck for an hour is replaced)
        row.batch_due_at = now + timedelta(minutes=BATCH_MINUTES)
        enqueue_on_commit(notification_batch, user_id, kind, delay=BATCH_MINUTES * 60)


def send_batch(user_id, kind):
    """The batch job: one mail with what is unread and still visible, or none."""
    row = db.session.get(MailPreference, (user_id, kind))
    user = db.session.get(User, user_id)
    if row is None or user is None:
        return None
    row.batch_due_at = None
    if row.choice in ("daily", "weekly"):  # changed their mind since: the digest takes these
        db.session.commit()
        return None
    kinds = [k for k, v in BATCH_KINDS.items() if v == kind]
    rows = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user_id, Notification.kind.in_(kinds), Notification.id > row.last_mailed_id)
        .order_by(Notification.id).limit(200)).all()
    if rows:
        row.last_mailed_id = rows[-1].id
    items = _items(user, [n for n in rows if n.read_at is None]) if user.active and row.choice == "instant" else []
    mail = None
    if items:
        mail = queue_mail("notifications", user.email, user.language, SUBJECTS[kind](len(items)),
                          dict(name=user.display_name, items=items[:MAX_ITEMS], more=max(0, len(items) - MAX_ITEMS),
                               settings_url=absolute_url("account.mail_settings"), reason=REASONS[kind]),
                          to_name=user.display_name, user=user,
                          unsubscribe_url=absolute_url("account.unsubscribe", token=unsubscribe_token(user, kind)))
    db.session.commit()
    return mail


def _items(user, notifications):
    """What the mail lists: each notification the member may still see, about a reply that is
    still there and not hidden, with who, where, a plain-text excerpt and the link."""
    targets = load_targets(user, notifications)
    wanted = sorted({(n.object_id, n.data["number"]) for n in notifications
                     if n.object_type == "discussion" and (n.data or {}).get("number")})
    replies = {(r.discussion_id, r.number): r for r in db.session.scalars(sa.select(Reply).where(
        sa.tuple_(Reply.discussion_id, Reply.number).in_(wanted)))} if wanted else {}
    pending = _pending_requests(notifications)
    items = []
    for n in notifications:
        if not permissions.can_see_notification(user, n, targets):
            continue
        if n.kind == "join_request":
            community = targets[("community", n.object_id)]
            if (n.object_id, n.actor_id) in pending:  # not decided yet by another coordinator
                items.append(dict(kind="join_request", actor=n.actor.display_name, title=community.name,
                                  community=community.name, excerpt="",
                                  url=absolute_url("communities.requests", slug=community.slug)))
            continue
        if n.kind == "milestone_signed_off":
            trajectory = targets[("trajectory", n.object_id)]
            items.append(dict(kind=n.kind, actor=n.actor.display_name if n.actor else "", title=trajectory.title,
                              milestone=(n.data or {}).get("milestone", ""), community=trajectory.community.name,
                              excerpt="", url=absolute_url("trajectories.view", trajectory_id=trajectory.id)))
            continue
        if n.object_type != "discussion":
            continue
        discussion, number = targets[("discussion", n.object_id)], (n.data or {}).get("number") or 0
        if discussion.is_hidden:
            continue
        if number:
            reply = replies.get((discussion.id, number))
            if reply is None or reply.is_hidden or reply.is_deleted:
                continue
            excerpt = plain_excerpt(reply.body_html)
            page = page_of(number)
            url = absolute_url("discussions.view", discussion_id=discussion.id,
                               **({"page": page} if page > 1 else {})) + f"#reply-{number}"
        else:
            excerpt = plain_excerpt(discussion.body_html)
            url = absolute_url("discussions.view", discussion_id=discussion.id)
        items.append(dict(kind=n.kind, actor=n.actor.display_name if n.actor else "",
                          title=discussion.title, community=discussion.community.name, excerpt=excerpt, url=url))
    return items


def _pending_requests(notifications):
    """{(community id, user id)} of the join requests among these that still wait."""
    asked = {(n.object_id, n.actor_id) for n in notifications if n.kind == "join_request" and n.actor_id}
    if not asked:
        return set()
    return set(db.session.execute(sa.select(CommunityMembership.community_id, CommunityMembership.user_id).where(
        CommunityMembership.state == "pending",
        sa.tuple_(CommunityMembership.community_id, CommunityMembership.user_id).in_(sorted(asked)))).all())
