"""Who may do what: the only place for authorisation.

``can_*`` predicates answer yes/no (and are Jinja globals, so templates show buttons by the same
rule that guards the endpoint). ``access_*_or_404`` loaders fetch an object by id and authorise
it in one step; when the existence of something is private, they answer 404, never 403.
"""
import sqlalchemy as sa
from flask import abort

from community.extensions import db
from community.models import Organisation, OrganisationMembership, User


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def is_admin(user):
    return _signed_in(user) and user.is_admin


def organisation_membership(user, org):
    """The user's membership row in org (any state), or None."""
    if not _signed_in(user):
        return None
    return db.session.scalar(sa.select(OrganisationMembership).where(
        OrganisationMembership.organisation_id == org.id,
        OrganisationMembership.user_id == user.id))


def is_organisation_manager(user, org):
    membership = organisation_membership(user, org)
    return membership is not None and membership.is_active and membership.role == "manager"


# --- organisations -----------------------------------------------------------------------------

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
    org = db.session.get(Organisation, org_id) if isinstance(org_id, int) else None
    if org is None or not can_view_organisation(user, org):
        abort(404)
    return org


def access_membership_or_404(membership_id, user):
    """A membership row, for someone who may manage its organisation."""
    membership = db.session.get(OrganisationMembership, membership_id) if isinstance(membership_id, int) else None
    if membership is None or not can_view_organisation(user, membership.organisation):
        abort(404)
    if not can_manage_organisation(user, membership.organisation) and membership.user_id != user.id:
        abort(403)
    return membership


# --- administration ----------------------------------------------------------------------------

def can_administer(user):
    return is_admin(user)


def access_user_for_admin_or_404(user_id, actor):
    if not is_admin(actor):
        abort(404)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        abort(404)
    return user


JINJA_GLOBALS = {
    name: obj for name, obj in dict(globals()).items()
    if name.startswith(("can_", "is_")) and callable(obj)
}
