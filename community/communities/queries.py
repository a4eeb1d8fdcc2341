"""Read queries for community pages, each with a fixed number of SQL statements."""
import sqlalchemy as sa
import sqlalchemy.orm as so

from community import permissions
from community.extensions import db
from community.models import (
    Case, Community, CommunityMembership, Discussion, FeedEntry, Organisation, OrganisationMembership, User,
)
from community.pagination import like_pattern, paginate


def member_count_column():
    return (sa.select(sa.func.count(CommunityMembership.id))
            .where(CommunityMembership.community_id == Community.id, CommunityMembership.state == "active")
            .correlate(Community).scalar_subquery())


def discovery_page(user, q="", sector="", topic="", per_page=20):
    """Communities whose listing the user may see, with member counts and the user's own state."""
    mine = so.aliased(CommunityMembership)
    stmt = (sa.select(Community, member_count_column().label("members"), mine)
            .outerjoin(mine, sa.and_(mine.community_id == Community.id, mine.user_id == user.id))
            .where(permissions.visible_communities_filter(user)))
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(sa.or_(sa.func.lower(Community.name).like(pattern, escape="\\"),
                                 sa.func.lower(Community.description).like(pattern, escape="\\")))
    if sector:
        stmt = stmt.where(Community.sector == sector)
    if topic:
        stmt = stmt.where(Community.topic == topic)
    # Mine first, then by name.
    page = paginate(stmt.order_by(mine.id.is_(None), sa.func.lower(Community.name)), per_page)
    permissions.prime_memberships(user, {community.id: membership for community, _n, membership in page.rows})
    return page


def filter_options(user):
    """Distinct sectors and topics among communities the user can see (for the filters)."""
    rows = db.session.execute(sa.select(Community.sector, Community.topic)
                              .where(permissions.visible_communities_filter(user)).distinct()).all()
    return (sorted({r.sector for r in rows if r.sector}, key=str.casefold),
            sorted({r.topic for r in rows if r.topic}, key=str.casefold))


def coordinators(community):
    return db.session.scalars(
        sa.select(User).join(CommunityMembership, CommunityMembership.user_id == User.id)
        .where(CommunityMembership.community_id == community.id, CommunityMembership.role == "coordinator",
               CommunityMembership.state == "active").order_by(User.display_name)).all()


def count_members(community, state="active"):
    return db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.community_id == community.id, CommunityMembership.state == state))


def feed_filter(user, community):
    """Feed entries of the community the user may see: everything without an audience, plus
    the updates of confidential trajectories they are an insider of."""
    audiences = permissions.visible_feed_audiences(user, community)
    visible = FeedEntry.audience.is_(None)
    if audiences:
        visible = sa.or_(visible, FeedEntry.audience.in_(audiences))
    condition = sa.and_(FeedEntry.community_id == community.id, visible)
    if not permissions.can_coordinate(user, community):
        # Lines about a hidden discussion or case go for everyone but moderators.
        for object_type, model in (("discussion", Discussion), ("case", Case)):
            hidden = sa.select(model.id).where(model.community_id == community.id, model.hidden_at.is_not(None))
            condition = sa.and_(condition, sa.not_(sa.and_(FeedEntry.object_type == object_type,
                                                           FeedEntry.object_id.in_(hidden))))
    return condition


def feed_page(user, community, per_page=30):
    stmt = (sa.select(FeedEntry).where(feed_filter(user, community))
            .options(so.joinedload(FeedEntry.actor), so.joinedload(FeedEntry.subject))
            .order_by(FeedEntry.id.desc()))
    return paginate(stmt, per_page, scalars=True)


def member_directory(community, q="", state="active", per_page=50):
    """Members with their organisations: one count, one page, one query for organisations."""
    stmt = (sa.select(CommunityMembership, User).join(User, User.id == CommunityMembership.user_id)
            .where(CommunityMembership.community_id == community.id, CommunityMembership.state == state))
    if q:
        stmt = stmt.where(sa.func.lower(User.display_name).like(like_pattern(q), escape="\\"))
    coordinators_first = sa.case((CommunityMembership.role == "coordinator", 0), else_=1)
    page = paginate(stmt.order_by(coordinators_first, sa.func.lower(User.display_name)), per_page)
    for membership, user in page.rows:  # predicates about a row's member (can_sanction) ask no query
        permissions.prime_memberships(user, {community.id: membership})
    organisations = organisations_of([user.id for _, user in page.rows])
    return page, organisations


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
        .order_by(Organisation.name)).all()
    for user_id, org in rows:
        result.setdefault(user_id, []).append(org)
    return result
