"""Organisations (companies, schools, partners) and their members, and platform administration."""
import sqlalchemy as sa
from flask import abort

import community.request_facts as request_facts
from community.extensions import db
from community.models import Organisation, OrganisationMembership, User
from community.permissions.core import _signed_in, get_row, is_admin, row_or_404, usable_or_403


def organisation_membership(user, org):
    """The user's membership row in org (any state), or None. Remembered for the request until
    the next commit (community.request_facts): a page asks several predicates about one company."""
    if not _signed_in(user):
        return None
    key = (user.id, org.id)
    membership = request_facts.recall("organisation_membership", key)
    if request_facts.is_missing(membership):
        membership = db.session.scalar(sa.select(OrganisationMembership).where(
            OrganisationMembership.organisation_id == org.id,
            OrganisationMembership.user_id == user.id))
        request_facts.remember("organisation_membership", key, membership)
    return membership


def prime_organisation_membership(user, organisation_id, membership):
    """Tell the request what a bigger query already read: the user's membership row (or None)
    of this organisation, as organisation_membership would remember it."""
    if _signed_in(user):
        request_facts.remember("organisation_membership", (user.id, organisation_id), membership)


def is_organisation_manager(user, org):
    membership = organisation_membership(user, org)
    return membership is not None and membership.is_active and membership.role == "manager"


def can_view_organisation(user, org):
    if not _signed_in(user):
        return False
    if org.status == "active":
        return True
    return is_admin(user) or org.requested_by_id == user.id


def can_manage_organisation(user, org):
    if not _signed_in(user) or org.status != "active" and not is_admin(user):
        return False
    return is_admin(user) or is_organisation_manager(user, org)


def can_request_membership(user, org):
    return _signed_in(user) and org.status == "active" and organisation_membership(user, org) is None


def can_leave_organisation(user, org):
    membership = organisation_membership(user, org)
    return membership is not None


def access_organisation_or_404(org_id, user):
    return row_or_404(Organisation, org_id, lambda org: can_view_organisation(user, org))


def access_organisation_for_managing_or_404(org_id, user):
    """The edit page: 404 when the user may not see the organisation, 403 when they may see it
    but do not manage it."""
    return usable_or_403(access_organisation_or_404(org_id, user), lambda org: can_manage_organisation(user, org))


def access_membership_or_404(membership_id, user):
    """A membership row, for someone who may manage its organisation."""
    membership = row_or_404(OrganisationMembership, membership_id,
                            lambda row: can_view_organisation(user, row.organisation))
    if not can_manage_organisation(user, membership.organisation) and membership.user_id != user.id:
        abort(403)
    return membership


# --- platform administration ------------------------------------------------------------------------

def access_user_for_admin_or_404(user_id, actor):
    if not is_admin(actor):
        abort(404)
    user = get_row(User, user_id)
    if user is None:
        abort(404)
    return user
