"""Communities: the list, members and requests, the feed (pages and API alike), coordinators and
counts. Each a fixed number of SQL statements."""
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from community import permissions, request_facts
from community.extensions import db
from community.models import (
    Case, Community, CommunityMembership, Discussion, FeedEntry, Invitation, Organisation,
    OrganisationMembership, User,
)
from community.queries.notifications import follow_choice_column
from community.realtime import streams
from community.realtime.events import seq_column
from community.pagination import like_pattern, offset_page


@dataclass
class CommunityFilters:
    q: str = ""
    sector: str = ""
    topic: str = ""
    page: int = 1


@dataclass
class MemberFilters:
    """``state``: active (the members), pending (requests) or invited."""
    state: str = "active"
    q: str = ""
    page: int = 1


@dataclass
class FeedFilters:
    page: int = 1


@dataclass
class InvitationFilters:
    page: int = 1


def member_count_column():
    return (sa.select(sa.func.count(CommunityMembership.id))
            .where(CommunityMembership.community_id == Community.id, CommunityMembership.state == "active")
            .correlate(Community).scalar_subquery())


def community_page(user, filters, per_page=20):
    """Communities whose listing the user may see, as rows (community, member count, the user's
    membership or None): the user's own first, then by name. One count, one page."""
    stmt = sa.select(Community.id).where(permissions.visible_communities_filter(user))
    if filters.q:
        pattern = like_pattern(filters.q)
        stmt = stmt.where(sa.or_(sa.func.lower(Community.name).like(pattern, escape="\\"),
                                 sa.func.lower(Community.description).like(pattern, escape="\\")))
    if filters.sector:
        stmt = stmt.where(Community.sector == filters.sector)
    if filters.topic:
        stmt = stmt.where(Community.topic == filters.topic)
    # The count needs neither the member counts nor the user's memberships.
    mine = so.aliased(CommunityMembership)
    rows = (stmt.with_only_columns(Community, member_count_column().label("members"), mine)
            .outerjoin(mine, sa.and_(mine.community_id == Community.id, mine.user_id == user.id))
            .order_by(mine.id.is_(None), sa.func.lower(Community.name), Community.id))
    page = offset_page(rows, number=filters.page, per_page=per_page, counted=stmt)
    permissions.prime_memberships(user, {community.id: membership for community, _n, membership in page.rows})
    return page


def filter_options(user):
    """Distinct sectors and topics among communities the user can see (for the filters)."""
    rows = db.session.execute(sa.select(Community.sector, Community.topic)
                              .where(permissions.visible_communities_filter(user)).distinct()).all()
    return (sorted({r.sector for r in rows if r.sector}, key=str.casefold),
            sorted({r.topic for r in rows if r.topic}, key=str.casefold))


@dataclass
class HomeFacts:
    """What the community's home shows beside the feed and the pinned discussions."""
    live_last: int          # the number of the community's live stream
    follow_level: str       # the level the reader's follow select shows
    members: int            # active members
    pending: int            # requests to join (shown to those who run it)
    coordinators: list      # [User], by name


def home_facts(user, community):
    """HomeFacts in one query: the coordinators as rows, each carrying the stream number, the
    reader's follow choice and the two counts (one row of counts and no user when there is no
    coordinator). The stream number is remembered for the request (community.request_facts)."""
    stream = streams.community(community.id)
    counts = [
        seq_column(stream), follow_choice_column(user, "community", community.id),
        _member_count(community, "active"), _member_count(community, "pending")]
    coordinator_ids = sa.select(CommunityMembership.user_id).where(
        CommunityMembership.community_id == community.id, CommunityMembership.role == "coordinator",
        CommunityMembership.state == "active")
    one_row = sa.select(sa.literal(1).label("one")).subquery()
    rows = db.session.execute(
        sa.select(User, *counts).select_from(one_row).outerjoin(User, User.id.in_(coordinator_ids))
        .order_by(User.display_name, User.id)).all()
    _user, live_last, level, members, pending = rows[0]
    request_facts.remember("stream", stream, live_last or 0)
    return HomeFacts(live_last=live_last or 0, follow_level=level or "normal", members=members, pending=pending,
                     coordinators=[row[0] for row in rows if row[0] is not None])


def _member_count(community, state):
    return sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.community_id == community.id, CommunityMembership.state == state).scalar_subquery()


def coordinators(community):
    return db.session.scalars(
        sa.select(User).join(CommunityMembership, CommunityMembership.user_id == User.id)
        .where(CommunityMembership.community_id == community.id, CommunityMembership.role == "coordinator",
               CommunityMembership.state == "active").order_by(User.display_name, User.id)).all()


def count_members(community, state="active"):
    return db.session.scalar(sa.select(_member_count(community, state)))


def feed_filter(user, community):
    """Feed entries of the community the user may see: everything without an audience, plus
    the updates of confidential trajectories they are an insider of."""
    visible = sa.or_(FeedEntry.audience.is_(None),
                     FeedEntry.audience.in_(permissions.visible_feed_audiences(user, community)))
    condition = sa.and_(FeedEntry.community_id == community.id, visible)
    if not permissions.can_coordinate(user, community):
        # Lines about a hidden discussion or case go for everyone but moderators.
        for object_type, model in (("discussion", Discussion), ("case", Case)):
            hidden = sa.select(model.id).where(model.community_id == community.id, model.hidden_at.is_not(None))
            condition = sa.and_(condition, sa.not_(sa.and_(FeedEntry.object_type == object_type,
                                                           FeedEntry.object_id.in_(hidden))))
    return condition


def feed_page(user, community, filters, per_page=30):
    """What happened in the community, newest first, with who did it and to whom."""
    stmt = (sa.select(FeedEntry).where(feed_filter(user, community))
            .options(so.joinedload(FeedEntry.actor), so.joinedload(FeedEntry.subject))
            .order_by(FeedEntry.id.desc()))
    return offset_page(stmt, number=filters.page, per_page=per_page, scalars=True)


def member_page(community, filters, per_page=50):
    """Memberships in one state as rows (membership, user): members coordinators first, then by
    name; requests and invitations oldest first, so nobody waits longest. One count, one page;
    their organisations come from organisations_of (one query)."""
    stmt = (sa.select(CommunityMembership, User).join(User, User.id == CommunityMembership.user_id)
            .where(CommunityMembership.community_id == community.id, CommunityMembership.state == filters.state)
            .options(so.contains_eager(CommunityMembership.user)))
    if filters.q:
        stmt = stmt.where(sa.func.lower(User.display_name).like(like_pattern(filters.q), escape="\\"))
    if filters.state == "active":
        coordinators_first = sa.case((CommunityMembership.role == "coordinator", 0), else_=1)
        stmt = stmt.order_by(coordinators_first, sa.func.lower(User.display_name), CommunityMembership.id)
    else:
        stmt = stmt.order_by(CommunityMembership.created_at, CommunityMembership.id)
    page = offset_page(stmt, number=filters.page, per_page=per_page)
    for membership, user in page.rows:  # predicates about a row's member (can_sanction) ask no query
        permissions.prime_memberships(user, {community.id: membership})
    return page


def organisations_of(user_ids):
    """{user id: [organisation, ...]} for active organisation memberships, in one query."""
    result = {}
    if not user_ids:
        return result
    rows = db.session.execute(
        sa.select(OrganisationMembership.user_id, Organisation)
        .join(Organisation, Organisation.id == OrganisationMembership.organisation_id)
        .where(OrganisationMembership.user_id.in_(user_ids), OrganisationMembership.state == "active",
               Organisation.status == "active")
        .order_by(Organisation.name_key)).all()
    for user_id, org in rows:
        result.setdefault(user_id, []).append(org)
    return result


def _invitations(community):
    """A community's invitation links, open ones first, then the newest."""
    return (sa.select(Invitation).where(Invitation.community_id == community.id)
            .options(so.joinedload(Invitation.created_by))
            .order_by(Invitation.revoked_at.is_not(None), Invitation.created_at.desc(), Invitation.id.desc()))


def invitation_page(community, filters, per_page=50):
    """The API's pages of invitation links: one count, one page."""
    return offset_page(_invitations(community), number=filters.page, per_page=per_page, scalars=True)


def latest_invitations(community, limit=100):
    """The invitations page: the same rows in the same order, at most ``limit`` (one query)."""
    return db.session.scalars(_invitations(community).limit(limit)).all()
