"""The research area (community/research): researchers and admins only. What it may show is
decided in community.research.disclosure (aggregates over at least five companies); who may
open it is decided here."""
import sqlalchemy as sa

from community.extensions import db
from community.models import Organisation, OrganisationMembership
from community.permissions.core import _signed_in, is_admin

RESEARCH_ORGANISATION_KINDS = ("school", "partner")


def can_use_research(user):
    return _signed_in(user) and (is_admin(user) or bool(user.is_researcher))


def can_become_researcher(user):
    """An admin grants the role to active members of an active school or partner organisation
    (universities of applied sciences, a university's research group, a branch organisation)."""
    return db.session.scalar(sa.select(sa.exists().where(
        OrganisationMembership.user_id == user.id, OrganisationMembership.state == "active",
        OrganisationMembership.organisation_id == Organisation.id, Organisation.status == "active",
        Organisation.kind.in_(RESEARCH_ORGANISATION_KINDS))))
