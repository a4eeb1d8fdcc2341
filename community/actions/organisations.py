"""Organisations and their members: create, propose, join, approve, roles."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import permissions
from community.actions import ActionError, Conflict, NotAllowed
from community.actions.validate import check_choice, clean_line, clean_text
from community.extensions import db
from community.realtime.access import recheck_on_commit
from community.models import (
    ORG_KINDS, ORG_ROLES, SCHOOL_LEVELS, SIZE_BANDS, Organisation, OrganisationMembership, utcnow,
)


def _clean_fields(name, kind, sector="", city="", size_band=None, level=None, description=""):
    kind = check_choice(kind, ORG_KINDS, "kind")
    fields = dict(
        name=clean_line(name, "name", 120),
        kind=kind,
        sector=clean_line(sector, "sector", 80, required=False),
        city=clean_line(city, "city", 80, required=False),
        size_band=check_choice(size_band, SIZE_BANDS, "size_band") if kind == "company" and size_band else None,
        level=check_choice(level, SCHOOL_LEVELS, "level") if kind == "school" and level else None,
        description=clean_text(description, "description", 2000),
    )
    fields["name_key"] = fields["name"].casefold()
    return fields


def _check_name_free(name_key, except_id=None):
    stmt = sa.select(Organisation.id).where(Organisation.name_key == name_key)
    if except_id:
        stmt = stmt.where(Organisation.id != except_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(_l("An organisation with this name already exists."), field="name")


def _commit_or_name_conflict():
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict(_l("An organisation with this name already exists."), field="name")


def create_organisation(actor, **data):
    """Admins add organisations directly (active at once)."""
    if not permissions.is_admin(actor):
        raise NotAllowed(_l("Only platform administrators can do this."))
    fields = _clean_fields(**data)
    _check_name_free(fields["name_key"])
    org = Organisation(status="active", **fields)
    db.session.add(org)
    _commit_or_name_conflict()
    return org


def propose_organisation(user, **data):
    """A user asks for an organisation that is not listed yet. It stays pending until an admin
    approves it; the proposer then becomes its first manager."""
    fields = _clean_fields(**data)
    _check_name_free(fields["name_key"])
    org = Organisation(status="pending", requested_by_id=user.id, **fields)
    org.memberships.append(OrganisationMembership(user_id=user.id, role="manager", state="pending"))
    db.session.add(org)
    _commit_or_name_conflict()
    return org


def update_organisation(actor, org, **data):
    if not permissions.can_manage_organisation(actor, org):
        raise NotAllowed(_l("You cannot change this organisation."))
    fields = _clean_fields(**data)
    _check_name_free(fields["name_key"], except_id=org.id)
    for key, value in fields.items():
        setattr(org, key, value)
    _commit_or_name_conflict()
    return org


def decide_organisation(actor, org, approve):
    """Admins approve or reject a proposed organisation."""
    if not permissions.is_admin(actor):
        raise NotAllowed(_l("Only platform administrators can do this."))
    if org.status != "pending":
        raise ActionError(_l("This organisation is already active."), status=409, code="conflict")
    if approve:
        org.status = "active"
        for membership in org.memberships:
            _approve(membership, actor)
    else:
        db.session.delete(org)
    db.session.commit()
    return org if approve else None


def request_membership(user, org, message=""):
    if not permissions.can_request_membership(user, org):
        raise Conflict(_l("You are already a member of this organisation or have asked to join."))
    membership = OrganisationMembership(
        organisation_id=org.id, user_id=user.id, role="member", state="pending",
        message=clean_text(message, "message", 500))
    db.session.add(membership)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict(_l("You are already a member of this organisation or have asked to join."))
    return membership


def decide_membership(actor, membership, approve):
    """Managers of the organisation (or admins) approve or decline a request."""
    if not permissions.can_manage_organisation(actor, membership.organisation):
        raise NotAllowed(_l("You cannot manage the members of this organisation."))
    if membership.state != "pending":
        raise ActionError(_l("This request has already been handled."), status=409, code="conflict")
    if approve:
        _approve(membership, actor)
    else:
        db.session.delete(membership)
    db.session.commit()
    return membership if approve else None


def _approve(membership, actor):
    """A pending membership becomes active, noting who decided and when."""
    membership.state = "active"
    membership.decided_at = utcnow()
    membership.decided_by_id = actor.id


def _active_managers(org):
    return db.session.scalar(sa.select(sa.func.count(OrganisationMembership.id)).where(
        OrganisationMembership.organisation_id == org.id,
        OrganisationMembership.role == "manager",
        OrganisationMembership.state == "active"))


def set_member_role(actor, membership, role):
    if not permissions.can_manage_organisation(actor, membership.organisation):
        raise NotAllowed(_l("You cannot manage the members of this organisation."))
    role = check_choice(role, ORG_ROLES, "role")
    if membership.state != "active":
        raise ActionError(_l("Approve the request first."))
    if membership.role == "manager" and role != "manager" and _active_managers(membership.organisation) <= 1:
        raise ActionError(_l("An organisation keeps at least one manager. Appoint another one first."))
    membership.role = role
    recheck_on_commit(user=membership.user)  # a former manager stops seeing confidential work
    db.session.commit()
    return membership


def remove_membership(actor, membership):
    """A manager removes a member, or a user leaves (actor is the member)."""
    org = membership.organisation
    if actor.id != membership.user_id and not permissions.can_manage_organisation(actor, org):
        raise NotAllowed(_l("You cannot manage the members of this organisation."))
    if (membership.role == "manager" and membership.state == "active"
            and _active_managers(org) <= 1 and not permissions.is_admin(actor)):
        raise ActionError(_l("An organisation keeps at least one manager. Appoint another one first."))
    db.session.delete(membership)
    recheck_on_commit(user=membership.user)
    db.session.commit()


def check_proposal(**data):
    """Validate a proposed organisation without writing (used before an account exists)."""
    fields = _clean_fields(**data)
    _check_name_free(fields["name_key"])
