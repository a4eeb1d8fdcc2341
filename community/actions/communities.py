"""Communities: create and edit, archive, and everything about membership and invitations."""
import re
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import markup, permissions
from community.actions import ActionError, Conflict, NotAllowed
from community.actions.feed import add_entry
from community.actions.notifications import notify_join_request, notify_membership_approved
from community.realtime.access import recheck_on_commit
from community.realtime import payloads, streams
from community.realtime.events import send_event_on_commit
from community.actions.validate import check_choice, clean_line, clean_text
from community.extensions import db
from community.models import (
    COMMUNITY_ROLES, JOIN_POLICIES, VISIBILITIES, Community, CommunityMembership, Invitation, utcnow,
)
from community.security import digest, new_secret

DESCRIPTION_MAX = 5000
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
INVITE_DAYS_MAX = 90
INVITE_USES_MAX = 1000
# Tokens come from new_secret (URL-safe base64); anything else is unknown without hashing it.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{10,100}")


def _commit():
    db.session.commit()
    permissions.forget_memberships()


def _refuse(message, **kwargs):
    raise ActionError(message, **kwargs)


# --- the community itself -----------------------------------------------------------------------

def slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def _unique_slug(base, except_id=None):
    if len(base) < 3:  # the same minimum as a typed address ("AI" -> "leergemeenschap-ai")
        base = f"leergemeenschap-{base}".rstrip("-")
    candidate, n = base, 1
    while True:
        stmt = sa.select(Community.id).where(Community.slug == candidate)
        if except_id:
            stmt = stmt.where(Community.id != except_id)
        if db.session.scalar(stmt) is None:
            return candidate
        n += 1
        candidate = f"{base[:56].rstrip('-')}-{n}"  # a cut at a hyphen must not make "--"


def _clean_fields(name, description="", visibility="public", unlisted=False, join_policy="open",
                  sector="", topic=""):
    fields = dict(
        name=clean_line(name, "name", 120),
        description=clean_text(description, "description", DESCRIPTION_MAX),
        visibility=check_choice(visibility, VISIBILITIES, "visibility"),
        join_policy=check_choice(join_policy, JOIN_POLICIES, "join_policy"),
        sector=clean_line(sector, "sector", 80, required=False),
        topic=clean_line(topic, "topic", 80, required=False),
    )
    # Only a private community can hide from the discovery page.
    fields["unlisted"] = bool(unlisted) and fields["visibility"] == "private"
    fields["description_html"] = markup.render(fields["description"])
    fields["render_version"] = markup.RENDER_VERSION
    return fields


def _clean_slug(slug, name, except_id=None):
    slug = (slug or "").strip().lower()
    if not slug:
        return _unique_slug(slugify(name), except_id)
    if len(slug) < 3 or len(slug) > 60 or not SLUG_RE.match(slug):
        _refuse(_l("Use 3 to 60 lower-case letters, digits and hyphens, e.g. 'smart-maintenance'."),
                field="slug")
    stmt = sa.select(Community.id).where(Community.slug == slug)
    if except_id:
        stmt = stmt.where(Community.id != except_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(_l("This web address is already taken; choose another one."), field="slug")
    return slug


def create_community(actor, name, slug="", coordinator=None, **data):
    """Admins create communities and appoint the first coordinator (themselves by default)."""
    if not permissions.can_create_community(actor):
        raise NotAllowed(_l("Only platform administrators can create communities."))
    fields = _clean_fields(name, **data)
    fields["slug"] = _clean_slug(slug, fields["name"])
    community = Community(created_by_id=actor.id, **fields)
    db.session.add(community)
    db.session.flush()
    first = coordinator or actor
    db.session.add(CommunityMembership(community_id=community.id, user_id=first.id, role="coordinator",
                                       state="active", decided_at=utcnow(), decided_by_id=actor.id))
    add_entry(community, "community_created", actor=actor)
    try:
        _commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict(_l("This web address is already taken; choose another one."), field="slug")
    return community


def update_community(actor, community, name, slug=None, **data):
    if not permissions.can_coordinate(actor, community):
        raise NotAllowed(_l("Only coordinators can change this community."))
    fields = _clean_fields(name, **data)
    if slug is not None and slug != community.slug:
        fields["slug"] = _clean_slug(slug, fields["name"], except_id=community.id)
    who_reads = (community.visibility, community.join_policy)
    for key, value in fields.items():
        setattr(community, key, value)
    if (community.visibility, community.join_policy) != who_reads:
        recheck_on_commit(community=community)  # made private: outsiders' open pages stop now
    _commit()
    return community


def set_archived(actor, community, archived):
    """Archived communities stay readable but nobody can join or post."""
    if not permissions.can_coordinate(actor, community):
        raise NotAllowed(_l("Only coordinators can change this community."))
    if community.archived != bool(archived):
        community.archived = bool(archived)
        add_entry(community, "community_archived" if archived else "community_reopened", actor=actor)
        _commit()
    return community


def rerender_descriptions():
    """Re-render descriptions made by an older renderer. Returns how many changed."""
    count = 0
    for community in db.session.scalars(sa.select(Community).where(
            Community.render_version < markup.RENDER_VERSION)):
        community.description_html = markup.render(community.description)
        community.render_version = markup.RENDER_VERSION
        count += 1
    _commit()
    return count


# --- joining and leaving ------------------------------------------------------------------------

def _not_archived(community):
    if community.archived:
        _refuse(_l("This community is archived: you can read it, but nobody can join."), status=409,
                code="archived")


def _not_banned(user, community):
    if permissions.sanction_in_force(user, community, "ban") is not None:
        raise NotAllowed(_l("A coordinator banned you from this community; you cannot join it again for now."))


def join(user, community):
    """Join an open community, or accept a coordinator's invitation."""
    _not_archived(community)
    _not_banned(user, community)
    membership = permissions.community_membership(user, community)
    if membership is not None and membership.is_active:
        raise Conflict(_l("You are already a member of this community."))
    if not permissions.can_join(user, community):
        if community.join_policy == "request":
            raise NotAllowed(_l("Ask to join: a coordinator approves new members of this community."))
        raise NotAllowed(_l("You can join this community only with an invitation."))
    if membership is None:
        membership = CommunityMembership(community_id=community.id, user_id=user.id, role="member")
        db.session.add(membership)
    membership.state = "active"
    membership.decided_at = utcnow()
    add_entry(community, "member_joined", actor=user, subject=user)
    _membership_event(community, "joined")
    _commit_membership()
    return membership


def _membership_event(community, op):
    """Counters on open pages follow joins and leaves (the count is taken just before commit)."""
    send_event_on_commit(streams.community(community.id), "membership", op,
                         build=lambda: payloads.membership_data(community))


def _commit_membership():
    try:
        _commit()
    except sa.exc.IntegrityError:  # a double click: the first request already did it
        db.session.rollback()
        raise Conflict(_l("You are already a member of this community or have asked to join."))


def request_to_join(user, community, message=""):
    _not_archived(community)
    _not_banned(user, community)
    if not permissions.can_request_to_join(user, community):
        if permissions.community_membership(user, community) is not None:
            raise Conflict(_l("You are already a member of this community or have asked to join."))
        raise NotAllowed(_l("This community does not take requests to join."))
    membership = CommunityMembership(community_id=community.id, user_id=user.id, role="member",
                                     state="pending", message=clean_text(message, "message", 500))
    db.session.add(membership)
    notify_join_request(user, community)
    _commit_membership()
    return membership


def _coordinators_left(community, without=None):
    stmt = sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.community_id == community.id,
        CommunityMembership.role == "coordinator", CommunityMembership.state == "active")
    if without is not None:
        stmt = stmt.where(CommunityMembership.id != without.id)
    return db.session.scalar(stmt)


def _keep_a_coordinator(membership):
    if membership.is_coordinator and _coordinators_left(membership.community, without=membership) == 0:
        _refuse(_l("A community always keeps at least one coordinator. Appoint another coordinator first."),
                status=409, code="last_coordinator")


def leave(user, community):
    """Leave, withdraw a request, or decline an invitation."""
    membership = permissions.community_membership(user, community)
    if membership is None:
        raise ActionError(_l("You are not a member of this community."), status=409, code="conflict")
    _keep_a_coordinator(membership)
    if membership.is_active:
        add_entry(community, "member_left", actor=user, subject=user)
        _membership_event(community, "left")
    db.session.delete(membership)
    recheck_on_commit(user=user)  # live updates of what they may no longer read stop now
    _commit()


def decide_request(actor, membership, approve):
    community = membership.community
    if not permissions.can_coordinate(actor, community):
        raise NotAllowed(_l("Only coordinators can handle requests to join."))
    if membership.state != "pending":
        raise ActionError(_l("This request has already been handled."), status=409, code="conflict")
    if approve:
        _not_archived(community)
        membership.state = "active"
        membership.decided_at = utcnow()
        membership.decided_by_id = actor.id
        add_entry(community, "member_joined", actor=actor, subject=membership.user)
        _membership_event(community, "joined")
        notify_membership_approved(actor, membership.user, community)
    else:
        db.session.delete(membership)
    _commit()
    return membership if approve else None


def invite_user(actor, community, user):
    """A coordinator picks an existing user; they join when they accept."""
    if not permissions.can_coordinate(actor, community):
        raise NotAllowed(_l("Only coordinators can invite people."))
    _not_archived(community)
    if not user.active:
        raise ActionError(_l("This account is disabled."), field="user")
    if permissions.sanction_in_force(user, community, "ban") is not None:
        raise ActionError(_l("%(name)s is banned from this community; lift the ban first.", name=user.display_name),
                          field="user", status=409, code="banned")
    membership = permissions.community_membership(user, community)
    if membership is not None and membership.is_active:
        raise Conflict(_l("%(name)s is already a member.", name=user.display_name), field="user")
    if membership is not None and membership.state == "pending":
        # They asked already: inviting them is the same as approving.
        return decide_request(actor, membership, approve=True)
    if membership is None:
        membership = CommunityMembership(community_id=community.id, user_id=user.id, role="member",
                                         state="invited", decided_by_id=actor.id)
        db.session.add(membership)
        _commit_membership()
    return membership


def set_role(actor, membership, role):
    community = membership.community
    if not permissions.can_coordinate(actor, community):
        raise NotAllowed(_l("Only coordinators can change roles."))
    role = check_choice(role, COMMUNITY_ROLES, "role")
    if not membership.is_active:
        _refuse(_l("Only active members can get a role."), status=409, code="conflict")
    if role == membership.role:
        return membership
    if role == "member":
        _keep_a_coordinator(membership)
    membership.role = role
    add_entry(community, "role_changed", actor=actor, subject=membership.user, role=role)
    recheck_on_commit(user=membership.user)  # a former coordinator leaves the review queue
    _commit()
    return membership


def remove_member(actor, membership):
    community = membership.community
    if not permissions.can_coordinate(actor, community):
        raise NotAllowed(_l("Only coordinators can remove members."))
    _keep_a_coordinator(membership)
    if membership.is_active:
        _membership_event(community, "left")
    db.session.delete(membership)
    recheck_on_commit(user=membership.user)
    _commit()


# --- invitation links ---------------------------------------------------------------------------

def create_invite_link(actor, community, days=14, max_uses=None, note=""):
    """Returns (invitation, token). Only the token's hash is stored; the link is shown once."""
    if not permissions.can_coordinate(actor, community):
        raise NotAllowed(_l("Only coordinators can invite people."))
    _not_archived(community)
    if not _is_int(days) or not 1 <= days <= INVITE_DAYS_MAX:
        _refuse(_l("Choose a validity between 1 and %(max)d days.", max=INVITE_DAYS_MAX), field="days")
    if max_uses is not None and (not _is_int(max_uses) or not 1 <= max_uses <= INVITE_USES_MAX):
        _refuse(_l("Choose a use limit between 1 and %(max)d, or leave it empty.", max=INVITE_USES_MAX),
                field="max_uses")
    token = new_secret(24)
    invitation = Invitation(community_id=community.id, token_hash=digest(token), created_by_id=actor.id,
                            expires_at=utcnow() + timedelta(days=days), max_uses=max_uses,
                            note=clean_line(note, "note", 120, required=False))
    db.session.add(invitation)
    _commit()
    return invitation, token


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1 day


def revoke_invite_link(actor, invitation):
    if not permissions.can_coordinate(actor, invitation.community):
        raise NotAllowed(_l("Only coordinators can revoke invitations."))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        _commit()
    return invitation


INVITATION_PROBLEMS = {
    "unknown": _l("This invitation link is not valid. Check that you copied the whole link."),
    "revoked": _l("This invitation has been withdrawn by a coordinator."),
    "expired": _l("This invitation has expired. Ask a coordinator for a new link."),
    "used_up": _l("This invitation has been used as often as allowed. Ask a coordinator for a new link."),
}


def find_invitation(token):
    """(invitation, problem): problem is None when the link can be used."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None, "unknown"
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == digest(token)))
    if invitation is None:
        return None, "unknown"
    state = invitation.state()
    return invitation, None if state == "active" else state


def use_invite_link(user, token):
    """Join through a link. Counts one use; members who follow it again change nothing."""
    invitation, problem = find_invitation(token)
    membership = permissions.community_membership(user, invitation.community) if invitation else None
    if membership is not None and membership.is_active:
        # Already in (a double click, a bookmark, or they took the last use themselves).
        return membership
    if problem:
        raise ActionError(INVITATION_PROBLEMS[problem], status=404 if problem == "unknown" else 410,
                          code="invitation_" + problem)
    community = invitation.community
    _not_archived(community)
    _not_banned(user, community)
    # Count the use atomically, so two people cannot both take the last use.
    used = db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation.id, Invitation.revoked_at.is_(None),
                                    sa.or_(Invitation.max_uses.is_(None), Invitation.uses < Invitation.max_uses))
        .values(uses=Invitation.uses + 1)).rowcount
    if not used:
        db.session.rollback()
        raise ActionError(INVITATION_PROBLEMS["used_up"], status=410, code="invitation_used_up")
    if membership is None:
        membership = CommunityMembership(community_id=community.id, user_id=user.id, role="member")
        db.session.add(membership)
    membership.state = "active"
    membership.decided_at = utcnow()
    add_entry(community, "member_joined", actor=user, subject=user, via="invitation")
    _membership_event(community, "joined")
    _commit_membership()
    return membership
