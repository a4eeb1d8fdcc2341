"""Reading notifications: a page of them, each still visible to its recipient, in a fixed
number of queries (the page, then one query per kind of thing it links to)."""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from flask_babel import to_user_timezone

from community import permissions, request_facts
from community.extensions import db
from community.models import (
    Case, Community, CommunityMembership, DataExport, Discussion, FollowLevel, Notification, OrganisationMembership,
    Trajectory, User, utcnow,
)
from community.pagination import offset_page

PER_PAGE = 30
MODELS = {"discussion": Discussion, "case": Case, "trajectory": Trajectory, "community": Community,
          "export": DataExport}


@dataclass
class NotificationFilters:
    unread_only: bool = False
    page: int = 1


def follow_choice_column(user, target, target_id):
    """SQL: the user's stored follow choice for one thing (NULL: none made), for a page that
    reads it with its other facts in one statement."""
    return sa.select(FollowLevel.level).where(
        FollowLevel.user_id == getattr(user, "id", None), FollowLevel.target == target,
        FollowLevel.target_id == target_id).scalar_subquery()


# Unread notifications are counted up to this many (the badge then shows "99+"), so the count
# costs the same whether someone left 100 or 10,000 unread (the partial index
# ix_notifications_unread holds the unread ones only).
UNREAD_COUNTED = 100


def unread_column(user_id):
    """SQL: the unread notifications of the user ``user_id`` (a column or a value), counted up
    to UNREAD_COUNTED: those from the UNREAD_COUNTED-th newest on (both read from the partial
    index, so at most UNREAD_COUNTED entries twice)."""
    newer = so.aliased(Notification)
    last_counted = (sa.select(newer.id).where(newer.user_id == user_id, newer.read_at.is_(None))
                    .order_by(newer.id.desc()).offset(UNREAD_COUNTED - 1).limit(1)
                    .correlate_except(newer).scalar_subquery())
    return (sa.select(sa.func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None),
                   Notification.id >= sa.func.coalesce(last_counted, 0))
            .scalar_subquery())


def unread_count(user):
    if not getattr(user, "is_authenticated", False):
        return 0
    known = request_facts.recall("unread", user.id)
    if not request_facts.is_missing(known):
        return known
    return db.session.scalar(sa.select(unread_column(user.id))) or 0


def unread_counts(user_ids):
    """{user id: unread count} for many users in one statement (each up to UNREAD_COUNTED)."""
    return dict(db.session.execute(
        sa.select(User.id, unread_column(User.id)).where(User.id.in_(sorted(user_ids)))).all())


def notification_page(user, filters):
    """(page, rows still visible). Rows whose thing the user may no longer see are left out of
    the list (and counted nowhere): a notification never outlives the right to see its thing."""
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if filters.unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    # With each row the user's membership of its community, for the checks below.
    rows = (stmt.add_columns(CommunityMembership)
            .outerjoin(CommunityMembership, sa.and_(CommunityMembership.community_id == Notification.community_id,
                                                    CommunityMembership.user_id == user.id))
            .options(so.joinedload(Notification.actor)).order_by(Notification.id.desc()))
    page = offset_page(rows, number=filters.page, per_page=PER_PAGE, counted=stmt)
    permissions.prime_memberships(user, {row.community_id: membership for row, membership in page.rows
                                         if row.community_id})
    page.rows = [row for row, _membership in page.rows]
    targets = load_targets(user, page.rows, memberships_known=True)
    return page, [row for row in page.rows if permissions.can_see_notification(user, row, targets)]


def load_targets(user, rows, memberships_known=False):
    """{(type, id): object} for the rows, with what the permission checks need, and the user's
    memberships of their communities primed (so the checks ask no more queries; not again when
    ``memberships_known``). One query per kind of thing among the rows."""
    targets = {}
    wanted = {}
    for row in rows:
        wanted.setdefault(row.object_type, set()).add(row.object_id)
    options = {
        "discussion": [so.joinedload(Discussion.community), so.joinedload(Discussion.case).lazyload(Case.tags)],
        "case": [so.joinedload(Case.community)],
        "trajectory": [so.joinedload(Trajectory.community), so.joinedload(Trajectory.organisation),
                       so.joinedload(Trajectory.participants)],
        "community": [],
        "export": [],
    }
    signed_in = getattr(user, "is_authenticated", False)
    for kind, ids in wanted.items():
        model = MODELS.get(kind)
        if model is None:
            continue
        stmt = sa.select(model).where(model.id.in_(sorted(ids))).options(*options[kind])
        if kind == "trajectory" and signed_in:
            # The reader's membership of each trajectory's company comes with it: whether they
            # manage it decides what they may see (permissions.can_view_trajectory).
            stmt = stmt.add_columns(Trajectory.organisation_id, OrganisationMembership).outerjoin(
                OrganisationMembership, sa.and_(OrganisationMembership.organisation_id == Trajectory.organisation_id,
                                                OrganisationMembership.user_id == user.id))
            for obj, organisation_id, membership in db.session.execute(stmt).unique():
                targets[(kind, obj.id)] = obj
                permissions.prime_organisation_membership(user, organisation_id, membership)
            continue
        for obj in db.session.scalars(stmt).unique():
            targets[(kind, obj.id)] = obj
    community_ids = {row.community_id for row in rows if row.community_id}
    if community_ids and not memberships_known and getattr(user, "is_authenticated", False):
        found = {m.community_id: m for m in db.session.scalars(sa.select(CommunityMembership).where(
            CommunityMembership.user_id == user.id, CommunityMembership.community_id.in_(sorted(community_ids))))}
        permissions.prime_memberships(user, {cid: found.get(cid) for cid in community_ids})
    return targets


# --- the centre's groups -------------------------------------------------------------------------

@dataclass
class Group:
    """The notifications of one day about one thing (a discussion, case, trajectory or
    community), newest first."""
    items: list = field(default_factory=list)

    @property
    def newest(self):
        return self.items[0]

    @property
    def unread(self):
        return any(item.read_at is None for item in self.items)

    @property
    def all_replies(self):
        return all(item.kind == "reply" for item in self.items)


@dataclass
class Day:
    day: date
    groups: list = field(default_factory=list)


def local_day(when):
    return to_user_timezone(when).date()


def group_by_day(rows):
    """(today, [Day]) for a page of notifications (newest first): by the reader's local day,
    and within a day by the thing they are about (in the order of each thing's newest)."""
    days = []
    for row in rows:
        day = local_day(row.created_at)
        if not days or days[-1].day != day:
            days.append(Day(day))
        groups = days[-1].groups
        key = (row.object_type, row.object_id)
        group = next((g for g in groups if (g.newest.object_type, g.newest.object_id) == key), None)
        if group is None:
            groups.append(Group([row]))
        else:
            group.items.append(row)
    return local_day(utcnow()), days


def yesterday_of(day):
    return day - timedelta(days=1)
