"""Practice cases: the list (page and API alike), its filter options and the form's choices.
Each a fixed number of SQL statements."""
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community import permissions
from community.extensions import db
from community.forms import row_id
from community.models import (
    CASE_LEVELS, CASE_SECTIONS, Attachment, Case, CaseTag, Organisation, OrganisationMembership,
)
from community.pagination import offset_page, page_number

FILTER_TEXT_MAX = 100
PER_PAGE = 20


@dataclass
class CaseFilters:
    """The list's filters: ``tag`` lower case, ``domain`` matched without regard to case, ``page``
    from 1. ``from_args`` reads the page's ?tag=&domain=&level=&organisation=&page=; a value that
    cannot match anything (a level that does not exist, an organisation that is not a number) is
    dropped there (the API refuses it with a 422 instead)."""

    tag: str = ""
    domain: str = ""
    level: str = ""
    organisation: Optional[int] = None
    page: int = 1

    @classmethod
    def from_args(cls, args):
        def text(name):
            return " ".join((args.get(name) or "").split())[:FILTER_TEXT_MAX]

        level = text("level")
        organisation = text("organisation")
        return cls(tag=text("tag").lower(), domain=text("domain"),
                   level=level if level in CASE_LEVELS else "",
                   organisation=row_id(organisation), page=page_number(args))

    @property
    def active(self):
        return bool(self.tag or self.domain or self.level or self.organisation)

    def args(self, **changes):
        """The filters as URL arguments (for links that keep them), with changes applied."""
        values = dict(tag=self.tag, domain=self.domain, level=self.level, organisation=self.organisation)
        values.update(changes)
        return {name: value for name, value in values.items() if value}


def _readable(user, community):
    return sa.and_(Case.community_id == community.id, permissions.readable_cases_filter(user))


def _attachment_count_column():
    return (sa.select(sa.func.count(Attachment.id)).where(Attachment.case_id == Case.id)
            .correlate(Case).scalar_subquery())


def case_page(user, community, filters, per_page=PER_PAGE):
    """Published cases of the community and the user's own drafts, newest first (a draft by its
    last change), as rows (case, attachment count). Three queries: the count, the page with
    author, organisation and discussion joined in, and the page's tags. The sections (up to
    50,000 characters a case) stay in the database: raiseload turns an accidental read into an
    error instead of a query per row."""
    stmt = sa.select(Case.id).where(_readable(user, community))
    if filters.tag:
        stmt = stmt.where(Case.id.in_(sa.select(CaseTag.case_id).where(CaseTag.tag == filters.tag)))
    if filters.domain:
        # lower() on both sides: the database's own idea of case (SQLite's covers ASCII only).
        stmt = stmt.where(sa.func.lower(Case.domain) == sa.func.lower(filters.domain))
    if filters.level:
        stmt = stmt.where(Case.level == filters.level)
    if filters.organisation:
        stmt = stmt.where(Case.organisation_id == filters.organisation)
    newest = sa.func.coalesce(Case.published_at, Case.updated_at)
    sections = [getattr(Case, name + suffix) for name in CASE_SECTIONS for suffix in ("", "_html")]
    rows = (stmt.with_only_columns(Case, _attachment_count_column())
            .options(so.joinedload(Case.author), so.joinedload(Case.organisation), so.joinedload(Case.discussion),
                     *[so.defer(column, raiseload=True) for column in sections])
            .order_by(newest.desc(), Case.id.desc()))
    return offset_page(rows, number=filters.page, per_page=per_page, counted=stmt)


@dataclass
class FilterOptions:
    tags: list
    domains: list
    levels: list
    organisations: list  # [(id, name)]


def filter_options(user, community, max_tags=60):
    """The values present among the cases the user can see here, in one query: the distinct
    (domain, level, organisation) rows and, after them, the most used tags (a community can
    gather many; shown alphabetically)."""
    readable = _readable(user, community)
    facets = (sa.select(sa.literal("facet").label("kind"), Case.domain.label("value"), Case.level,
                        Organisation.id, Organisation.name)
              .outerjoin(Organisation, Organisation.id == Case.organisation_id).where(readable).distinct())
    most_used = (sa.select(CaseTag.tag).join(Case, Case.id == CaseTag.case_id).where(readable)
                 .group_by(CaseTag.tag).order_by(sa.func.count(CaseTag.id).desc(), CaseTag.tag)
                 .limit(max_tags).subquery())
    tags = sa.select(sa.literal("tag"), most_used.c.tag, sa.null(), sa.null(), sa.null())
    rows = db.session.execute(sa.union_all(facets, tags)).all()
    found = [row for row in rows if row[0] == "facet"]
    domains = sorted({r[1] for r in found if r[1]}, key=str.casefold)
    present = {r[2] for r in found}
    levels = [level for level in CASE_LEVELS if level in present]
    organisations = sorted({(r[3], r[4]) for r in found if r[3] is not None}, key=lambda o: o[1].casefold())
    return FilterOptions(tags=sorted(r[1] for r in rows if r[0] == "tag"), domains=domains, levels=levels,
                         organisations=organisations)


def domains_in(community):
    """Domains of the community's published cases, as suggestions in the form."""
    return db.session.scalars(
        sa.select(Case.domain).where(Case.community_id == community.id, Case.status == "published",
                                     Case.domain != "")
        .distinct().order_by(Case.domain).limit(100)).all()


def organisation_choices(user, current=None):
    """[(id, name)] of the user's active organisations, plus the case's current one (which may
    belong to its author rather than to a coordinator who edits it)."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .join(OrganisationMembership, OrganisationMembership.organisation_id == Organisation.id)
        .where(OrganisationMembership.user_id == user.id, OrganisationMembership.state == "active",
               Organisation.status == "active")
        .order_by(Organisation.name)).all()
    result = [(row.id, row.name) for row in rows]
    if current is not None and current.id not in {org_id for org_id, _ in result}:
        result.append((current.id, current.name))
    return result
