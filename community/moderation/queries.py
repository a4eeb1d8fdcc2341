"""Reading for moderators: the review queue (open reports grouped by item, with the item in
context), hidden items, sanctions and the audit log. Each a fixed number of queries."""
import sqlalchemy as sa
import sqlalchemy.orm as so

from community.extensions import db
from community.models import AuditEntry, Case, Discussion, Report, Reply, Sanction, User, utcnow
from community.pagination import like_pattern, paginate

GROUPS_PER_PAGE = 20
HIDDEN_MAX = 50


def _scope(stmt, model, community):
    return stmt if community is None else stmt.where(model.community_id == community.id)


def queue(community=None, number=None):
    """(page of groups, {(target, id): [reports]}, {(target, id): item}). ``community`` None is
    the platform-wide queue (admins)."""
    grouped = _scope(sa.select(Report.target, Report.target_id, Report.community_id,
                               sa.func.count(Report.id).label("count"), sa.func.max(Report.created_at).label("latest"))
                     .where(Report.status == "open"), Report, community) \
        .group_by(Report.target, Report.target_id, Report.community_id) \
        .order_by(sa.func.max(Report.created_at).desc(), Report.target, Report.target_id)
    page = paginate(grouped, GROUPS_PER_PAGE, number=number)
    keys = [(row.target, row.target_id) for row in page.rows]
    reports, items = {}, {}
    if not keys:
        return page, reports, items
    wanted = {}
    for target, target_id in keys:
        wanted.setdefault(target, set()).add(target_id)
    condition = sa.or_(*[sa.and_(Report.target == target, Report.target_id.in_(sorted(ids)))
                         for target, ids in wanted.items()])
    for report in db.session.scalars(sa.select(Report).options(so.joinedload(Report.reporter))
                                     .where(Report.status == "open", condition).order_by(Report.id)):
        reports.setdefault((report.target, report.target_id), []).append(report)
    items.update(load_items(wanted))
    return page, reports, items


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


def sanctions(community):
    """(in force, ended) sanctions of the community, with the members (one query)."""
    now = utcnow()
    rows = db.session.scalars(sa.select(Sanction).options(so.joinedload(Sanction.user))
                              .where(Sanction.community_id == community.id)
                              .order_by(Sanction.created_at.desc()).limit(200)).all()
    active = [s for s in rows if s.in_force(now)]
    return active, [s for s in rows if not s.in_force(now)]


def audit_page(community=None, action="", person="", number=None, per_page=50):
    """The audit log, newest first, filtered by action and by a name (actor or member)."""
    actor = so.aliased(User)
    member = so.aliased(User)
    stmt = (sa.select(AuditEntry).outerjoin(actor, actor.id == AuditEntry.actor_id)
            .outerjoin(member, member.id == AuditEntry.member_id)
            .options(so.contains_eager(AuditEntry.actor.of_type(actor)),
                     so.contains_eager(AuditEntry.member.of_type(member)))
            .order_by(AuditEntry.id.desc()))
    stmt = _scope(stmt, AuditEntry, community)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if person:
        pattern = like_pattern(person)
        stmt = stmt.where(sa.or_(sa.func.lower(actor.display_name).like(pattern, escape="\\"),
                                 sa.func.lower(member.display_name).like(pattern, escape="\\")))
    return paginate(stmt, per_page, scalars=True, number=number)


def open_report_count(community):
    return db.session.scalar(sa.select(sa.func.count(Report.id)).where(
        Report.community_id == community.id, Report.status == "open")) or 0
