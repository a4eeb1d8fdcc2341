"""Reading for moderators: the review queue (open reports grouped by item, with the item in
context), hidden items, sanctions and the audit log (pages and API alike). Each a fixed number
of queries."""
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from community.extensions import db
from community.models import AuditEntry, Case, Community, Discussion, Report, Reply, Sanction, User, utcnow
from community.pagination import Page, like_pattern, offset_page

GROUPS_PER_PAGE = 20
AUDIT_PER_PAGE = 50
SANCTIONS_PER_PAGE = 50
HIDDEN_MAX = 50


@dataclass
class QueueFilters:
    page: int = 1


@dataclass
class ReviewQueue:
    """A page of rows (target, target_id, community_id, count, latest), with the open reports of
    each item oldest first ``{(target, id): [report]}``, the items ``{(target, id): item}`` and
    their communities ``{id: community}``."""
    page: Page
    reports: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    communities: dict = field(default_factory=dict)


@dataclass
class SanctionFilters:
    """``state``: all, in_force or ended."""
    state: str = "all"
    page: int = 1


@dataclass
class AuditFilters:
    """``person``: part of the actor's or the member's name (the pages); ``member_id``: the
    member's id (the API)."""
    action: str = ""
    person: str = ""
    member_id: Optional[int] = None
    page: int = 1


def _scope(stmt, model, community):
    return stmt if community is None else stmt.where(model.community_id == community.id)


def queue(community, filters):
    """The review queue of a community, or of every community (``community`` None: admins)."""
    latest = sa.func.max(Report.created_at)
    grouped = _scope(sa.select(Report.target, Report.target_id, Report.community_id,
                               sa.func.count(Report.id).label("count"), latest.label("latest"))
                     .where(Report.status == "open"), Report, community) \
        .group_by(Report.target, Report.target_id, Report.community_id) \
        .order_by(latest.desc(), Report.target, Report.target_id)
    result = ReviewQueue(offset_page(grouped, number=filters.page, per_page=GROUPS_PER_PAGE))
    if not result.page.rows:
        return result
    wanted = {}
    for row in result.page.rows:
        wanted.setdefault(row.target, set()).add(row.target_id)
    condition = sa.or_(*[sa.and_(Report.target == target, Report.target_id.in_(sorted(ids)))
                         for target, ids in wanted.items()])
    for report in db.session.scalars(sa.select(Report).options(so.joinedload(Report.reporter))
                                     .where(Report.status == "open", condition).order_by(Report.id)):
        result.reports.setdefault((report.target, report.target_id), []).append(report)
    result.items.update(load_items(wanted))
    if community is not None:
        result.communities[community.id] = community
    else:
        result.communities.update((c.id, c) for c in db.session.scalars(sa.select(Community).where(
            Community.id.in_(sorted({row.community_id for row in result.page.rows})))))
    return result


def load_items(wanted):
    """{(target, id): item} with what the queue shows (authors, the reply's discussion)."""
    items = {}
    loaders = {
        "reply": sa.select(Reply).options(so.joinedload(Reply.author), so.joinedload(Reply.discussion)),
        "discussion": sa.select(Discussion).options(so.joinedload(Discussion.author)),
        "case": sa.select(Case).options(so.joinedload(Case.author)),
    }
    models = {"reply": Reply, "discussion": Discussion, "case": Case}
    for target, ids in wanted.items():
        model = models[target]
        for item in db.session.scalars(loaders[target].where(model.id.in_(sorted(ids)))).unique():
            items[(target, item.id)] = item
    return items


def hidden_items(community):
    """What is hidden in the community now, newest first (three queries)."""
    rows = []
    rows += [("reply", r) for r in db.session.scalars(
        sa.select(Reply).join(Discussion, Discussion.id == Reply.discussion_id)
        .options(so.joinedload(Reply.author), so.contains_eager(Reply.discussion))
        .where(Discussion.community_id == community.id, Reply.hidden_at.is_not(None))
        .order_by(Reply.hidden_at.desc()).limit(HIDDEN_MAX))]
    for target, model in (("discussion", Discussion), ("case", Case)):
        rows += [(target, item) for item in db.session.scalars(
            sa.select(model).options(so.joinedload(model.author))
            .where(model.community_id == community.id, model.hidden_at.is_not(None))
            .order_by(model.hidden_at.desc()).limit(HIDDEN_MAX))]
    return sorted(rows, key=lambda row: row[1].hidden_at, reverse=True)


def in_force_filter(now):
    return sa.and_(Sanction.lifted_at.is_(None), sa.or_(Sanction.ends_at.is_(None), Sanction.ends_at > now))


def sanction_page(community, filters, now=None, per_page=SANCTIONS_PER_PAGE):
    """Mutes and bans of the community as rows (sanction, created by, lifted by), with the
    member: those in force first, then the ended and lifted ones, newest first. One count, one
    page."""
    in_force = in_force_filter(now or utcnow())
    stmt = sa.select(Sanction.id).where(Sanction.community_id == community.id)
    if filters.state == "in_force":
        stmt = stmt.where(in_force)
    elif filters.state == "ended":
        stmt = stmt.where(sa.not_(in_force))
    creator, lifter = so.aliased(User), so.aliased(User)
    rows = (stmt.with_only_columns(Sanction, creator, lifter)
            .outerjoin(creator, creator.id == Sanction.created_by_id)
            .outerjoin(lifter, lifter.id == Sanction.lifted_by_id)
            .options(so.joinedload(Sanction.user))
            .order_by(sa.case((in_force, 0), else_=1), Sanction.created_at.desc(), Sanction.id.desc()))
    return offset_page(rows, number=filters.page, per_page=per_page, counted=stmt)


def audit_page(community, filters, per_page=AUDIT_PER_PAGE):
    """The audit log of a community (or of the platform: ``community`` None), newest first, as
    rows (entry, its community or None) with actor and member: one count, one page."""
    actor, member = so.aliased(User), so.aliased(User)
    stmt = _scope(sa.select(AuditEntry.id), AuditEntry, community)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.member_id is not None:
        stmt = stmt.where(AuditEntry.member_id == filters.member_id)
    if filters.person:
        pattern = like_pattern(filters.person)
        named = sa.select(User.id).where(sa.func.lower(User.display_name).like(pattern, escape="\\"))
        stmt = stmt.where(sa.or_(AuditEntry.actor_id.in_(named), AuditEntry.member_id.in_(named)))
    rows = (stmt.with_only_columns(AuditEntry, Community)
            .outerjoin(Community, Community.id == AuditEntry.community_id)
            .outerjoin(actor, actor.id == AuditEntry.actor_id)
            .outerjoin(member, member.id == AuditEntry.member_id)
            .options(so.contains_eager(AuditEntry.actor.of_type(actor)),
                     so.contains_eager(AuditEntry.member.of_type(member)))
            .order_by(AuditEntry.id.desc()))
    return offset_page(rows, number=filters.page, per_page=per_page, counted=stmt)


def open_report_count(community):
    return db.session.scalar(sa.select(sa.func.count(Report.id)).where(
        Report.community_id == community.id, Report.status == "open")) or 0
