"""Organisations: the directory (pages and API alike), in a fixed number of queries."""
from dataclasses import dataclass

import sqlalchemy as sa

from community.models import Organisation, OrganisationMembership
from community.pagination import like_pattern, offset_page

PER_PAGE = 25


@dataclass
class OrganisationFilters:
    """``q``: part of the name, city or sector; ``kind``: company, school or partner."""
    q: str = ""
    kind: str = ""
    page: int = 1


def organisation_page(user, filters, per_page=PER_PAGE):
    """Active organisations by name, as rows (organisation, active member count, the user's
    membership state or None): one count, one page."""
    stmt = sa.select(Organisation.id).where(Organisation.status == "active")
    if filters.q:
        like = like_pattern(filters.q)
        stmt = stmt.where(sa.or_(Organisation.name_key.like(like, escape="\\"),
                                 sa.func.lower(Organisation.city).like(like, escape="\\"),
                                 sa.func.lower(Organisation.sector).like(like, escape="\\")))
    if filters.kind:
        stmt = stmt.where(Organisation.kind == filters.kind)
    member_count = (sa.select(sa.func.count(OrganisationMembership.id))
                    .where(OrganisationMembership.organisation_id == Organisation.id,
                           OrganisationMembership.state == "active")
                    .correlate(Organisation).scalar_subquery())
    my_state = (sa.select(OrganisationMembership.state)
                .where(OrganisationMembership.organisation_id == Organisation.id,
                       OrganisationMembership.user_id == user.id)
                .correlate(Organisation).scalar_subquery())
    rows = (stmt.with_only_columns(Organisation, member_count.label("members"), my_state.label("my_state"))
            .order_by(Organisation.name_key, Organisation.id))
    return offset_page(rows, number=filters.page, per_page=per_page, counted=stmt)
