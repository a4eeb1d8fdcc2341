"""What every topic stands on: who is signed in and an admin, who is a member or a coordinator
of a community (cached for the request), sanctions in force, and loading a row by id."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, g, has_app_context

import community.request_facts as request_facts
from community.extensions import db
from community.models import CommunityMembership, OrganisationMembership, Sanction, utcnow


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def is_admin(user):
    return _signed_in(user) and user.is_admin


# --- rows by id ----------------------------------------------------------------------------------

def valid_row_id(value):
    """An id a table can hold: ids typed into a URL can be far beyond SQLite's 64-bit and
    PostgreSQL's 32-bit integers, and looking those up is a database error, not a miss."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 31


def get_row(model, row_id):
    """The row with this id, or None; ids outside what a table holds are simply not found."""
    return db.session.get(model, row_id) if valid_row_id(row_id) else None


def row_or_404(model, row_id, may_see):
    """The row with this id if ``may_see(row)``; 404 for one that is missing and one the user may
    not see alike (the shape of every access_*_or_404 loader)."""
    row = get_row(model, row_id)
    if row is None or not may_see(row):
        abort(404)
    return row


def community_row_or_404(model, row_id, user, may_see, *options, organisation_id=None):
    """row_or_404 for a row of a community, loaded with its community, the reader's membership
    and (``options``) whatever else deciding or the page needs, in one query; with
    ``organisation_id`` (the column naming the row's company) the reader's membership of that
    company comes with it too."""
    row = None
    if valid_row_id(row_id):
        stmt = sa.select(model).where(model.id == row_id).options(so.joinedload(model.community), *options)
        row = first_with_membership(stmt, model.community_id, user, organisation_id)
    if row is None or not may_see(row):
        abort(404)
    return row


def first_with_membership(stmt, community_id, user, organisation_id=None):
    """The first entity ``stmt`` selects (or None) and, in the same query, the reader's membership
    of its community (``community_id``: the column naming it), which the membership cache then
    holds, so the predicates that follow need not ask; with ``organisation_id`` (a column naming a
    company) the reader's membership of that company too (remembered as organisation_membership
    would). ``stmt`` may eagerly join collections: the rows are made unique."""
    if not _signed_in(user):
        return db.session.scalars(stmt).unique().first()
    stmt = stmt.add_columns(community_id, CommunityMembership).outerjoin(
        CommunityMembership, sa.and_(CommunityMembership.community_id == community_id,
                                     CommunityMembership.user_id == user.id))
    if organisation_id is not None:
        stmt = stmt.add_columns(organisation_id, OrganisationMembership).outerjoin(
            OrganisationMembership, sa.and_(OrganisationMembership.organisation_id == organisation_id,
                                            OrganisationMembership.user_id == user.id))
    rows = db.session.execute(stmt).unique().all()
    if not rows:
        return None
    entity, loaded_community_id, membership, *company = rows[0]
    prime_memberships(user, {loaded_community_id: membership})
    if company:  # as permissions.organisations.prime_organisation_membership
        request_facts.remember("organisation_membership", (user.id, company[0]), company[1])
    return entity


def usable_or_403(row, may_use):
    """``row`` if ``may_use(row)``, else 403: the second step of a loader for a page the user may
    read but perhaps not use (coordinator pages, edit forms), after an access_*_or_404 that has
    answered 404 for what they may not read."""
    if not may_use(row):
        abort(403)
    return row


# --- community memberships, cached for the request -----------------------------------------------

def community_membership(user, community):
    """The user's membership row in the community (any state), or None. Cached for the rest of
    the request, so a page can ask many predicates cheaply; actions that change memberships call
    forget_memberships()."""
    if not _signed_in(user):
        return None
    cache = g.setdefault("_community_memberships", {}) if has_app_context() else {}
    key = (user.id, community.id)
    if key not in cache:
        cache[key] = db.session.scalar(sa.select(CommunityMembership).where(
            CommunityMembership.community_id == community.id,
            CommunityMembership.user_id == user.id))
    return cache[key]


def prime_memberships(user, memberships):
    """Tell the cache what a list query already loaded: {community id: membership or None}.
    Lets a list page ask predicates per row without a query per row."""
    if _signed_in(user) and has_app_context():
        cache = g.setdefault("_community_memberships", {})
        for community_id, membership in memberships.items():
            cache[(user.id, community_id)] = membership


def forget_memberships():
    if has_app_context():
        g.pop("_community_memberships", None)
        g.pop("_community_sanctions", None)


def is_community_member(user, community):
    membership = community_membership(user, community)
    return membership is not None and membership.is_active


def is_coordinator(user, community):
    membership = community_membership(user, community)
    return membership is not None and membership.is_coordinator


def can_coordinate(user, community):
    """Run the community: its members, requests, invitations and settings, pinning and locking,
    editing others' posts with a note, reports, hiding, sanctions and the audit log. Its
    coordinators and platform admins; the one rule for all of these."""
    return is_admin(user) or is_coordinator(user, community)


def is_author_while_member(user, item, community):
    """The author of ``item`` while they are an active member of its community: who may edit
    their own discussion, reply or case and accept an answer in their own discussion."""
    return _signed_in(user) and item.author_id == user.id and is_community_member(user, community)


def sanction_in_force(user, community, kind):
    """The mute or ban of the user in the community that is in force now, or None (cached for
    the request, like memberships)."""
    if not _signed_in(user):
        return None
    # All of the user's sanctions at once: a list page asks for many communities, one query.
    cache = g.setdefault("_community_sanctions", {}) if has_app_context() else {}
    if user.id not in cache:
        # The session load tells when there is none (community.request_facts).
        cache[user.id] = request_facts.recall("sanctions", user.id, None)
    if cache[user.id] is None:
        now = utcnow()
        found = {}
        for sanction in db.session.scalars(sa.select(Sanction).where(
                Sanction.user_id == user.id, Sanction.lifted_at.is_(None),
                sa.or_(Sanction.ends_at.is_(None), Sanction.ends_at > now)).order_by(Sanction.id)):
            found.setdefault(sanction.community_id, []).append(sanction)
        cache[user.id] = found
    return next((s for s in cache[user.id].get(community.id, ()) if s.kind == kind), None)
