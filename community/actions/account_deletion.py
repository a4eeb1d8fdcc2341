"""Deleting an account (by its owner, with their password, or by an admin): the person goes,
what they wrote stays readable under a stable pseudonym ("Voormalig lid 7F3A").

Removed: address (freed for a new registration), name, handle, profile photo, password, API tokens, login
sessions and live connections, memberships and participations, follows, mail choices, read
marks, notifications (and their own event stream), mails, draft cases (with their files) and
data exports. Kept, under the pseudonym: discussions, replies, published cases, log entries,
reports and the audit trail. Mentions of the person are rewritten to the pseudonym's handle, and
the name is replaced in the event log, feed lines, notifications and mails to others that
copied it."""
import hashlib
import hmac
import html
import json
import re
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from community import markup, permissions
from community.actions import ActionError, NotAllowed, attachments, avatars
from community.actions.accounts import end_all_sessions, unique_handle
from community.actions.content import render, users_for_mentions
from community.actions.moderation import audit
from community.actions.privacy import drop_exports
from community.extensions import db
from community.search import index as search_index
from community.mail import message as mail_message
from community.models import (
    ApiToken, AuditEntry, Case, CommunityMembership, Discussion, Event, EventStream, FeedEntry, FollowLevel, Mail,
    MailPreference, Mention, Notification, OrganisationMembership, ReadMark, Reply, Revision, TrajectoryFollow,
    TrajectoryParticipant, utcnow,
)
from community.models.content import CASE_SECTIONS
from community.realtime import streams
from community.security import hash_password, new_secret, verify_password

PSEUDONYM = "Voormalig lid"
DELETED_DOMAIN = "deleted.invalid"  # RFC 2606: never a real address


def pseudonym(user):
    """The same four characters for the same account on every run (a keyed hash of its id)."""
    code = hmac.new(current_app.config["SECRET_KEY"].encode(), f"pseudonym:{user.id}".encode(),
                    hashlib.sha256).hexdigest()[:4].upper()
    return f"{PSEUDONYM} {code}"


def delete_account(actor, user, password=None):
    """Anonymise ``user``. Their own: needs their password. Another's: platform admins only.
    Refused (409) while they are the last coordinator of a community or the last manager of an
    organisation."""
    if not permissions.can_delete_account(actor, user):
        raise NotAllowed(_l("Only platform administrators can delete another member's account."))
    if actor.id == user.id and not verify_password(user.password_hash, password or ""):
        raise ActionError(_l("Your password is not correct."), field="password")
    communities, organisations = permissions.handover_needed(user)
    if communities or organisations:
        names = ", ".join([c.name for c in communities] + [o.name for o in organisations])
        raise ActionError(_l("First hand over what only this account runs: appoint another coordinator or manager "
                             "in %(names)s.", names=names), status=409, code="handover_needed")
    audit(actor, "delete_account", None, "member", user.id, user, reason="self" if actor.id == user.id else "")
    old_name, old_handle = user.display_name, user.handle
    user.display_name = pseudonym(user)
    user.handle = unique_handle(user.display_name)
    # Random too: someone may have registered "deleted-<id>@..." beforehand.
    user.email = f"deleted-{user.id}-{secrets.token_hex(6)}@{DELETED_DOMAIN}"
    user.password_hash = hash_password(new_secret())  # nobody knows it: no login, no reset (inactive)
    user.kind, user.is_admin, user.active, user.last_login_at = "other", False, False, None
    user.deleted_at = utcnow()
    photo = avatars.path_of(user)
    user.avatar_name = None  # the photo goes too (the file after the commit)
    db.session.flush()
    _rewrite_mentions(user, old_handle)
    _replace_name(old_name, old_handle, user.display_name, user.handle)
    files = _remove_personal_rows(user)
    db.session.commit()
    end_all_sessions(user)  # every session row goes and every live connection ends
    attachments.remove_files(files + ([photo] if photo else []))
    return user


def _remove_personal_rows(user):
    """Delete what is only about the person (the caller commits). Returns files to remove."""
    drafts = db.session.scalars(sa.select(Case).where(Case.author_id == user.id, Case.status == "draft")).all()
    files = [attachments.path_of(a) for case in drafts for a in case.attachments]
    for case in drafts:
        db.session.delete(case)
    files += drop_exports(user.id)
    for model, column in ((ApiToken, ApiToken.user_id), (FollowLevel, FollowLevel.user_id),
                          (TrajectoryFollow, TrajectoryFollow.user_id), (Notification, Notification.user_id),
                          (MailPreference, MailPreference.user_id), (ReadMark, ReadMark.user_id),
                          (Mail, Mail.user_id), (Mention, Mention.user_id),
                          (CommunityMembership, CommunityMembership.user_id),
                          (OrganisationMembership, OrganisationMembership.user_id),
                          (TrajectoryParticipant, TrajectoryParticipant.user_id)):
        db.session.execute(sa.delete(model).where(column == user.id), execution_options={"synchronize_session": False})
    # Their own stream (their notifications as they were sent): nobody else reads it.
    stream = streams.user(user.id)
    db.session.execute(sa.delete(Event).where(Event.stream == stream), execution_options={"synchronize_session": False})
    db.session.execute(sa.delete(EventStream).where(EventStream.name == stream),
                       execution_options={"synchronize_session": False})
    db.session.expire(user, ["memberships"])
    return files


def _handle_pattern(handle):
    # The handle as a whole word: not inside a longer handle ("jan" in "jan-de-vries").
    return re.compile(r"(?<![a-z0-9._-])" + re.escape(handle) + r"(?![a-z0-9_-]|\.[a-z0-9])", re.IGNORECASE)


def _rewrite_mentions(user, old_handle):
    """Where the person was @mentioned, the source names the pseudonym's handle and the HTML is
    made again from it (earlier versions too)."""
    pattern = _handle_pattern(old_handle)
    mentions = db.session.execute(sa.select(Mention.target, Mention.target_id).where(Mention.user_id == user.id)).all()
    for target, target_id in mentions:
        item = db.session.get({"discussion": Discussion, "reply": Reply, "case": Case}[target], target_id)
        if item is None:
            continue
        fields = CASE_SECTIONS if target == "case" else ("body",)
        sources = [pattern.sub(user.handle, getattr(item, name)) for name in fields]
        users = users_for_mentions(*sources)
        for name, source in zip(fields, sources):
            setattr(item, name, source)
            setattr(item, name + "_html", render(source, users)[0])
        item.render_version = markup.RENDER_VERSION
        if target == "discussion":  # search finds the pseudonym, not the old handle
            search_index.discussion_changed(item)
        elif target == "reply":
            search_index.reply_changed(item, item.discussion.community_id)
        else:
            search_index.case_changed(item)
        for revision in db.session.scalars(sa.select(Revision).where(Revision.target == target,
                                                                     Revision.target_id == target_id)):
            revision.body = pattern.sub(user.handle, revision.body)


def _replace_name(old_name, old_handle, new_name, new_handle):
    """The logged copies of the name (events for catching up, feed lines, notifications, audit
    data, mails to others in the outbox): where a row holds the old name or handle, it is
    replaced by the pseudonym."""
    names = [(re.compile(r"(?<!\w)" + re.escape(variant) + r"(?!\w)"), replacement)
             for variant, replacement in ((old_name, new_name), (html.escape(old_name), html.escape(new_name)))]
    handle = _handle_pattern(old_handle)

    def scrub(value):
        if isinstance(value, str):
            for pattern, replacement in names:
                value = pattern.sub(replacement, value)
            return handle.sub(new_handle, value)
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        return value

    # Stored JSON may escape non-ASCII ("\\u00eb"): look for each form the text can take.
    needles = {old_handle}
    for text in (old_name, html.escape(old_name)):
        needles |= {text, _json_inner(text)}
    for model in (Event, FeedEntry, Notification, AuditEntry):
        as_text = sa.cast(model.data, sa.Text)
        for row in db.session.scalars(sa.select(model).where(sa.or_(*[as_text.contains(n, autoescape=True)
                                                                       for n in needles]))):
            cleaned = scrub(row.data)
            if cleaned != row.data:
                row.data = cleaned
    # Mail to others that named the person (a notification mail, a digest), kept in the outbox.
    encoded = set()
    for text in (old_name, html.escape(old_name)):
        encoded |= mail_message.encoded_forms(text)
    for mail in db.session.scalars(sa.select(Mail).where(sa.or_(
            Mail.subject.contains(old_name, autoescape=True),
            *[Mail.message.contains(n, autoescape=True) for n in encoded]))):
        mail.subject = scrub(mail.subject)
        mail.message = mail_message.replace_text(mail.message, scrub)


def _json_inner(text):
    return json.dumps(text)[1:-1]
