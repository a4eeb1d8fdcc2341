"""Communities and membership: reading, joining, leaving, running one, and posting in it."""
import re

import sqlalchemy as sa
from flask import abort

from community.extensions import db
from community.models import Community, CommunityMembership, Invitation, User
from community.permissions.core import (
    _signed_in, can_coordinate, community_membership, first_with_membership, get_row, is_admin, is_community_member,
    row_or_404, sanction_in_force, usable_or_403,
)


def can_view_community(user, community):
    """Read the community's pages (home, feed, members, and later its content)."""
    if not _signed_in(user):
        return False
    if is_admin(user) or community.visibility == "public":
        return True
    return is_community_member(user, community)


def can_see_community_listing(user, community):
    """See its name and description on the discovery page (outsiders of a private, listed
    community), or reach it through an invitation."""
    if can_view_community(user, community):
        return True
    if not _signed_in(user):
        return False
    membership = community_membership(user, community)
    return not community.unlisted or (membership is not None and membership.state in ("pending", "invited"))


def can_join(user, community):
    """Become a member at once: open communities, or when a coordinator invited you."""
    if not _signed_in(user) or community.archived or sanction_in_force(user, community, "ban"):
        return False
    membership = community_membership(user, community)
    if membership is not None:
        return membership.state == "invited"
    return community.join_policy == "open" and can_see_community_listing(user, community)


def can_request_to_join(user, community):
    if not _signed_in(user) or community.archived or community.join_policy != "request":
        return False
    if sanction_in_force(user, community, "ban"):
        return False
    return community_membership(user, community) is None and can_see_community_listing(user, community)


def can_leave_community(user, community):
    """Leave as an active member (a request or an invitation is withdrawn or declined with the
    join controls). The last coordinator stays until they appoint another one: the leave action
    refuses them too. Asks one query, for coordinators only."""
    membership = community_membership(user, community)
    if membership is None or not membership.is_active:
        return False
    if not membership.is_coordinator:
        return True
    return db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.community_id == community.id, CommunityMembership.role == "coordinator",
        CommunityMembership.state == "active")) > 1


def can_create_community(user):
    return is_admin(user)


def can_post_in_community(user, community):
    """Start discussions, reply, write cases: active members of a community that is not archived,
    unless a coordinator muted them for now."""
    return not community.archived and is_community_member(user, community) \
        and sanction_in_force(user, community, "mute") is None


def can_open_post_form(user, community):
    """Reach a posting form: active members of a community that is not archived. A muted member
    gets the form too, and sending it tells them until when and why they cannot post (their
    text stays), rather than a bare refusal."""
    return not community.archived and is_community_member(user, community)


# --- loaders -------------------------------------------------------------------------------------

def access_community_or_404(slug, user):
    """A community the user may read. Private ones do not exist for outsiders (404)."""
    community = _community_by_slug(slug, user)
    if community is None or not can_view_community(user, community):
        abort(404)
    return community


def access_community_listing_or_404(slug, user):
    """A community whose listing the user may see (to ask to join or accept an invitation)."""
    community = _community_by_slug(slug, user)
    if community is None or not can_see_community_listing(user, community):
        abort(404)
    return community


def access_community_for_managing_or_404(slug, user):
    """Coordinator pages: 404 when the user may not read it at all, 403 when they may read it
    but do not run it."""
    return usable_or_403(access_community_or_404(slug, user), lambda community: can_coordinate(user, community))


def access_community_for_posting_or_404(slug, user):
    """Pages with a form for a new post: 404 when the user may not read the community, 403 when
    they may read it but not post (refused before the form is shown)."""
    return usable_or_403(access_community_or_404(slug, user), lambda community: can_open_post_form(user, community))


def access_community_membership_or_404(community, membership_id, user):
    """A membership row of this community, for someone who runs it (or the member themself)."""
    membership = row_or_404(CommunityMembership, membership_id, lambda row: row.community_id == community.id)
    if membership.user_id != user.id and not can_coordinate(user, community):
        abort(403)
    return membership


def access_managed_membership_or_404(slug, membership_id, user):
    """A membership row of a community the user runs (coordinator pages and API)."""
    community = access_community_for_managing_or_404(slug, user)
    return access_community_membership_or_404(community, membership_id, user)


def access_invitation_or_404(community, invitation_id, user):
    """An invitation link of this community, for someone who runs it."""
    if not can_coordinate(user, community):
        abort(403)
    return row_or_404(Invitation, invitation_id, lambda invitation: invitation.community_id == community.id)


def can_invite_by_email(user, community):
    """Invite an e-mail address (with or without an account): whoever runs the community."""
    return can_coordinate(user, community)


def invitable_user(user_id):
    """An active account that may be invited to a community or appointed its coordinator, or
    None. Any active account qualifies: coordinators invite people from outside their circle."""
    user = get_row(User, user_id)
    return user if user is not None and user.active else None


# Every slug the actions make matches this; anything else (NUL bytes, which PostgreSQL refuses
# in a query, upper case, very long text) cannot name a community and is not looked up.
_SLUG_SHAPE = re.compile(r"[a-z0-9-]{1,60}")


def _community_by_slug(slug, user):
    """The community with the reader's membership in one query (the membership cache holds it)."""
    if not isinstance(slug, str) or not _SLUG_SHAPE.fullmatch(slug):
        return None
    return first_with_membership(sa.select(Community).where(Community.slug == slug), Community.id, user)


# --- the same rules as SQL, for lists --------------------------------------------------------------

def visible_communities_filter(user):
    """A SQL condition selecting the communities whose listing the user may see (for lists and
    search): everything for admins; public, listed private, and any the user belongs to."""
    if is_admin(user):
        return sa.true()
    mine = sa.select(CommunityMembership.community_id).where(CommunityMembership.user_id == user.id)
    return sa.or_(Community.visibility == "public", Community.unlisted.is_(False), Community.id.in_(mine))


def readable_communities_filter(user):
    """A SQL condition selecting the communities whose content the user may read."""
    if is_admin(user):
        return sa.true()
    mine = sa.select(CommunityMembership.community_id).where(
        CommunityMembership.user_id == user.id, CommunityMembership.state == "active")
    return sa.or_(Community.visibility == "public", Community.id.in_(mine))


def coordinated_communities_filter(user, column=Community.id):
    """A SQL condition on ``column`` (a community id) matching can_coordinate: everything for
    admins, else the communities the user is an active coordinator of."""
    if is_admin(user):
        return sa.true()
    if not _signed_in(user):
        return sa.false()
    coordinated = sa.select(CommunityMembership.community_id).where(
        CommunityMembership.user_id == user.id, CommunityMembership.role == "coordinator",
        CommunityMembership.state == "active")
    return column.in_(coordinated)
