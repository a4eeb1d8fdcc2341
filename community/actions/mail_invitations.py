"""Inviting someone to a community by e-mail address. An address with an account gets the
invitation as today (invite_user) and a mail about it; an address without one gets a mail with
a signed link, valid for INVITE_DAYS and once, that leads to a registration form with the
address filled in. Registering there makes an account (the address is trusted: the link could
only be read in its mailbox) and an active member of the community at once.

Both mails are essential (a person's direct, one-off action, not a notification): no
List-Unsubscribe; the daily limit per coordinator keeps the form from being a way to spam.
A stranger's mail is in the inviting coordinator's language (we know nothing of theirs)."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import permissions, signed_links
from community.actions import ActionError, Conflict, NotAllowed
from community.actions.accounts import _create_user, _clean_profile, check_privacy_accepted
from community.actions.communities import (
    _commit_membership, _membership_event, _not_archived, _not_banned, invite_user,
)
from community.actions.feed import add_entry
from community.actions.mail import queue_mail
from community.actions.validate import check_password, clean_email, clean_text
from community.extensions import db
from community.mail.links import absolute_url
from community.models import CommunityMembership, Invitation, utcnow
from community.queries.accounts import user_by_email
from community.security import digest, hash_password, new_secret

PURPOSE = "community-invite"
INVITE_DAYS = 14
NOTE_MAX = 500
PER_DAY = 50  # invitations by mail one coordinator may send in 24 hours


def invite_by_email(actor, community, email, note=""):
    """Returns ("invited", membership) for an address with an account, ("member", membership)
    when they had asked to join already (inviting approves), or ("mailed", invitation)."""
    if not permissions.can_invite_by_email(actor, community):
        raise NotAllowed(_l("Only coordinators can invite people."))
    _not_archived(community)
    email = clean_email(email)
    note = clean_text(note, "note", NOTE_MAX)
    _within_daily_limit(actor)
    user = user_by_email(email)
    if user is not None:
        membership = invite_user(actor, community, user)
        if membership.is_active:
            return "member", membership  # they had asked; the approval notifies them already
        queue_mail("community_invited", user.email, user.language,
                   _l("%(name)s invites you to %(community)s", name=actor.display_name, community=community.name),
                   dict(name=user.display_name, inviter=actor.display_name, community=community.name, note=note,
                        url=absolute_url("main.dashboard"),
                        reason=_l("You receive this mail because a coordinator invited you on Leerkring.")),
                   to_name=user.display_name, user=user)
        db.session.commit()
        return "invited", membership
    # Asking again replaces the earlier mail's link: only the newest works.
    db.session.execute(sa.update(Invitation).where(
        Invitation.community_id == community.id, Invitation.email == email, Invitation.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    invitation = Invitation(community_id=community.id, token_hash=digest(new_secret(24)), created_by_id=actor.id,
                            expires_at=utcnow() + timedelta(days=INVITE_DAYS), max_uses=1, email=email)
    db.session.add(invitation)
    db.session.flush()
    queue_mail("community_invitation", email, actor.language,
               _l("%(name)s invites you to %(community)s", name=actor.display_name, community=community.name),
               dict(inviter=actor.display_name, community=community.name, note=note, email=email,
                    days=INVITE_DAYS, url=absolute_url("communities.mail_invitation", token=link_token(invitation)),
                    reason=_l("You receive this mail because a coordinator on Leerkring entered this address to "
                              "invite you.")))
    db.session.commit()
    return "mailed", invitation


def _within_daily_limit(actor):
    since = utcnow() - timedelta(days=1)
    mailed = db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(
        Invitation.created_by_id == actor.id, Invitation.email.is_not(None), Invitation.created_at > since))
    invited = db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.decided_by_id == actor.id, CommunityMembership.state == "invited",
        CommunityMembership.created_at > since))
    if mailed + invited >= PER_DAY:
        raise ActionError(_l("You sent %(count)d invitations in the last 24 hours, the most allowed. Try again "
                             "tomorrow, or share an invitation link.", count=PER_DAY),
                          field="email", status=429, code="too_many")


def link_token(invitation):
    return signed_links.make(PURPOSE, {"i": invitation.id, "e": invitation.email})


PROBLEMS = {
    "unknown": _l("This invitation link does not work. Check that you opened the whole link from the mail."),
    "revoked": _l("This invitation has been withdrawn by a coordinator."),
    "expired": _l("This invitation has expired: it worked for %(days)d days. Ask the coordinator for a new one.",
                  days=INVITE_DAYS),
    "used_up": _l("This invitation has been used already. Log in with the account made with it."),
}


def invitation_for_link(token):
    """The mailed invitation of a valid link. Raises ActionError: 404 for a link that was never
    ours, 410 for one withdrawn, expired or used."""
    try:
        payload = signed_links.read(PURPOSE, token, INVITE_DAYS * 24 * 3600)
    except signed_links.LinkExpired:
        raise ActionError(PROBLEMS["expired"], status=410, code="invitation_expired")
    except signed_links.LinkInvalid:
        payload = None
    valid = isinstance(payload, dict) and isinstance(payload.get("i"), int) and 0 < payload["i"] < 2 ** 31 \
        and isinstance(payload.get("e"), str)
    invitation = db.session.get(Invitation, payload["i"]) if valid else None
    if invitation is None or invitation.email is None or invitation.email != payload["e"]:
        raise ActionError(PROBLEMS["unknown"], status=404, code="invitation_unknown")
    state = invitation.state()
    if state != "active":
        raise ActionError(PROBLEMS[state], status=410, code="invitation_" + state)
    return invitation


def register_by_invitation(token, display_name, password, kind="employee", language="nl", accepted_privacy=False):
    """Make the account of the invited address and its active membership. Returns (user,
    membership). An address that has an account by now is told to log in (the holder of the
    link owns the address, so this tells them nothing new). As on the registration page, the
    privacy statement must be accepted; the account records which version."""
    invitation = invitation_for_link(token)
    if user_by_email(invitation.email) is not None:
        raise Conflict(_l("This address has a Leerkring account already: log in, then open the link again."))
    display_name, kind, language = _clean_profile(display_name, kind, language)
    check_password(password)
    check_privacy_accepted(accepted_privacy)
    _not_archived(invitation.community)
    user = _create_user(invitation.email, display_name, hash_password(password), kind, language,
                        accepted_privacy=True)
    return user, accept(user, token)


def accept(user, token):
    """The invited address's account joins (one use of the invitation)."""
    invitation = invitation_for_link(token)
    if user.email != invitation.email:
        raise NotAllowed(_l("This invitation is for another e-mail address. Log out and open the link again."))
    community = invitation.community
    _not_archived(community)
    _not_banned(user, community)
    used = db.session.execute(sa.update(Invitation).where(
        Invitation.id == invitation.id, Invitation.revoked_at.is_(None), Invitation.uses < 1)
        .values(uses=Invitation.uses + 1)).rowcount
    if not used:
        db.session.rollback()
        raise ActionError(PROBLEMS["used_up"], status=410, code="invitation_used_up")
    membership = permissions.community_membership(user, community)
    if membership is None:
        membership = CommunityMembership(community_id=community.id, user_id=user.id, role="member")
        db.session.add(membership)
    if not membership.is_active:
        membership.state = "active"
        membership.decided_at = utcnow()
        membership.decided_by_id = invitation.created_by_id
        add_entry(community, "member_joined", actor=user, subject=user, via="invitation")
        _membership_event(community, "joined")
    _commit_membership()
    return membership
