"""The user's own data: downloading an export, deleting an account (one's own, or as an admin)."""
import sqlalchemy as sa
import sqlalchemy.orm as so

from community.extensions import db
from community.models import (
    Community, CommunityMembership, DataExport, Organisation, OrganisationMembership,
)
from community.permissions.core import _signed_in, is_admin, row_or_404


def access_export_or_404(export_id, user):
    """An export, for its owner only: anyone else (an admin too) gets 404, as for a missing one.
    Whether it can still be downloaded: is_export_available (410 when expired)."""
    return row_or_404(DataExport, export_id, lambda export: _signed_in(user) and export.user_id == user.id)


def is_export_available(export):
    return export.status == "ready" and not export.is_expired()


def can_delete_account(actor, user):
    """Delete an account: one's own, or any other as a platform admin. Once is enough."""
    if not _signed_in(actor) or user is None or user.is_deleted:
        return False
    return actor.id == user.id or is_admin(actor)


def handover_needed(user):
    """(communities, organisations) the user is the last active coordinator or manager of:
    they must hand those over before the account can go (else nobody could run them)."""
    return _last_in(user, Community, CommunityMembership, "community_id", "coordinator"), \
        _last_in(user, Organisation, OrganisationMembership, "organisation_id", "manager")


def _last_in(user, model, membership, key, role):
    column = getattr(membership, key)
    other = so.aliased(membership)
    others = sa.select(other.id).where(getattr(other, key) == model.id, other.role == role, other.state == "active",
                                       other.user_id != user.id).exists()
    return db.session.scalars(sa.select(model).join(membership, column == model.id).where(
        membership.user_id == user.id, membership.role == role, membership.state == "active", ~others)
        .order_by(model.name)).all()
