"""Learning communities: the list, one community, its members, requests to join and its feed.

Handlers parse input, load and authorise through permissions.access_*, and call the actions in
community.actions.communities; they never write. Every list answers with a fixed number of SQL
statements, whatever the number of rows (tests/test_api_communities.py counts them).
"""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community import permissions
from community.actions import ActionError, communities as actions
from community.api import Blueprint
from community.api.community_schemas import (
    CommunityCreateArgs, CommunityListArgs, CommunityMemberSchema, CommunityPageSchema, CommunitySchema,
    CommunitySummarySchema, CommunityUpdateArgs, FeedPageSchema, JoinRequestArgs, JoinRequestPageSchema,
    MemberPageSchema, PageArgs, RoleArgs,
)
from community.extensions import db
from community.models import (
    Community, CommunityMembership, FeedEntry, Organisation, OrganisationMembership, User,
)
from community import pagination
from community.communities.queries import feed_filter, member_count_column
from community.pagination import like_pattern

blp = Blueprint("api_communities", __name__, url_prefix="/communities",
                description="Learning communities: membership, requests to join, activity feed")
PER_PAGE = 50
FEED_PER_PAGE = 30
EDITABLE = ("name", "description", "visibility", "unlisted", "join_policy", "sector", "topic")
LISTED = ("id", "slug", "name", "description_html", "visibility", "unlisted", "join_policy", "archived",
          "sector", "topic")


# --- reading helpers (no writes here) ---------------------------------------------------------------

def paginate(stmt, number, per_page, scalars=True, counted=None):
    return pagination.paginate(stmt, per_page, scalars=scalars, number=number, counted=counted)


def page_body(page, items):
    return {"items": items, "page": page.number, "pages": page.pages, "total": page.total}


def _mine(column):
    """The caller's own membership state or role, as a correlated subquery (one per row, same SQL)."""
    return (sa.select(column).where(CommunityMembership.community_id == Community.id,
                                    CommunityMembership.user_id == current_user.id)
            .correlate(Community).scalar_subquery())


def summary(community, member_count, my_state, my_role):
    body = {name: getattr(community, name) for name in LISTED}
    body.update(member_count=member_count, my_state=my_state, my_role=my_role)
    return body


def summary_of(community):
    membership = permissions.community_membership(current_user, community)
    count = db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.community_id == community.id, CommunityMembership.state == "active"))
    return summary(community, count, membership.state if membership else None,
                   membership.role if membership else None)


def detail_of(community):
    body = summary_of(community)
    body.update(description=community.description, created_at=community.created_at)
    body["coordinators"] = db.session.scalars(
        sa.select(User).join(CommunityMembership, CommunityMembership.user_id == User.id)
        .where(CommunityMembership.community_id == community.id, CommunityMembership.role == "coordinator",
               CommunityMembership.state == "active")
        .order_by(User.display_name, User.id)).all()
    return body


def organisation_names(user_ids):
    """{user id: [organisation name, ...]} for active memberships of active organisations: one query
    for a whole page of members."""
    names = {}
    if user_ids:
        rows = db.session.execute(
            sa.select(OrganisationMembership.user_id, Organisation.name)
            .join(Organisation, Organisation.id == OrganisationMembership.organisation_id)
            .where(OrganisationMembership.user_id.in_(user_ids), OrganisationMembership.state == "active",
                   Organisation.status == "active")
            .order_by(Organisation.name_key))
        for user_id, name in rows:
            names.setdefault(user_id, []).append(name)
    return names


def membership_page(community, state, number):
    stmt = (sa.select(CommunityMembership).where(CommunityMembership.community_id == community.id,
                                                 CommunityMembership.state == state)
            .join(User, User.id == CommunityMembership.user_id)
            .options(so.contains_eager(CommunityMembership.user)))
    if state == "active":  # coordinators first, then by name
        stmt = stmt.order_by(sa.case((CommunityMembership.role == "coordinator", 0), else_=1),
                             sa.func.lower(User.display_name), CommunityMembership.id)
    else:  # requests: oldest first, so nobody waits longest
        stmt = stmt.order_by(CommunityMembership.created_at, CommunityMembership.id)
    return paginate(stmt, number, PER_PAGE)


def _manageable_membership(slug, membership_id):
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    return permissions.access_community_membership_or_404(community, membership_id, current_user)


# --- the communities --------------------------------------------------------------------------------

@blp.route("")
@blp.response(200, CommunityPageSchema)
@blp.arguments(CommunityListArgs, location="query")
def list_communities(args):
    """Communities you can find: public ones, private ones that are listed, and your own.

    50 a page, by name. `description_html` is the public blurb also shown to outsiders of a
    private community; its members and feed stay closed to them."""
    stmt = sa.select(Community.id).where(permissions.visible_communities_filter(current_user))
    q, sector, topic = args["q"].strip(), args["sector"].strip(), args["topic"].strip()
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(sa.or_(sa.func.lower(Community.name).like(pattern, escape="\\"),
                                 sa.func.lower(Community.description).like(pattern, escape="\\")))
    if sector:
        stmt = stmt.where(Community.sector == sector)
    if topic:
        stmt = stmt.where(Community.topic == topic)
    # The count needs no per-row subqueries; the page gets them as extra columns.
    rows = stmt.with_only_columns(Community, member_count_column(), _mine(CommunityMembership.state),
                                  _mine(CommunityMembership.role))
    page = paginate(rows.order_by(sa.func.lower(Community.name), Community.id), args["page"], PER_PAGE,
                    scalars=False, counted=stmt)
    return page_body(page, [summary(*row) for row in page.rows])


@blp.route("", methods=["POST"])
@blp.response(201, CommunitySchema)
@blp.errors({403: "Only platform administrators create communities", 409: "The slug is taken (field: slug)"})
@blp.arguments(CommunityCreateArgs)
def create_community(args):
    """Create a community (administrators). Its first coordinator is `coordinator_id` or you."""
    if not permissions.can_create_community(current_user):
        abort(403)
    coordinator = None
    if "coordinator_id" in args:
        coordinator = permissions.invitable_user(args.pop("coordinator_id"))
        if coordinator is None:
            raise ActionError(_l("There is no active account with this number."), field="coordinator_id")
    community = actions.create_community(current_user, coordinator=coordinator, **args)
    return detail_of(community)


@blp.route("/<slug>")
@blp.response(200, CommunitySchema)
@blp.errors({404: "No such community, or a private one you are not in"})
def get_community(slug):
    """One community you can read."""
    return detail_of(permissions.access_community_or_404(slug, current_user))


@blp.route("/<slug>", methods=["PATCH"])
@blp.response(200, CommunitySchema)
@blp.errors({403: "You do not coordinate this community", 404: "No such community, or a private one you are not in",
             409: "The slug is taken (field: slug)"})
@blp.arguments(CommunityUpdateArgs)
def update_community(args, slug):
    """Change a community (coordinators). Fields left out stay as they are; `archived` archives
    or reopens it."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    changes = {name: args[name] for name in EDITABLE if name in args}
    if changes or args.get("slug"):
        values = {name: getattr(community, name) for name in EDITABLE}
        values.update(changes)
        actions.update_community(current_user, community, slug=args.get("slug") or None, **values)
    if "archived" in args:
        actions.set_archived(current_user, community, args["archived"])
    return detail_of(community)


# --- members ----------------------------------------------------------------------------------------

@blp.route("/<slug>/members")
@blp.response(200, MemberPageSchema)
@blp.errors({404: "No such community, or a private one you are not in"})
@blp.arguments(PageArgs, location="query")
def list_members(args, slug):
    """Active members with their organisations, coordinators first, 50 a page."""
    community = permissions.access_community_or_404(slug, current_user)
    page = membership_page(community, "active", args["page"])
    names = organisation_names([membership.user_id for membership in page.rows])
    items = [dict(id=m.id, user=m.user, role=m.role, state=m.state, created_at=m.created_at,
                  decided_at=m.decided_at, organisations=names.get(m.user_id, [])) for m in page.rows]
    return page_body(page, items)


@blp.route("/<slug>/members/<int:membership_id>/role", methods=["PUT"])
@blp.response(200, CommunityMemberSchema)
@blp.errors({403: "You do not coordinate this community", 404: "No such community or membership",
             409: "Not an active member, or the last coordinator"})
@blp.arguments(RoleArgs)
def set_role(args, slug, membership_id):
    """Make a member coordinator, or a coordinator member again (coordinators)."""
    return actions.set_role(current_user, _manageable_membership(slug, membership_id), args["role"])


@blp.route("/<slug>/members/<int:membership_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors({403: "You do not coordinate this community", 404: "No such community or membership",
             409: "The last coordinator"})
def remove_member(slug, membership_id):
    """Remove someone from the community (coordinators)."""
    actions.remove_member(current_user, _manageable_membership(slug, membership_id))


# --- joining, leaving, requests ---------------------------------------------------------------------

@blp.route("/<slug>/join", methods=["POST"])
@blp.response(200, CommunitySummarySchema)
@blp.errors({403: "This community takes requests or invitations only",
             404: "No such community, or one hidden from you",
             409: "Already a member, or the community is archived"})
def join(slug):
    """Join an open community, or accept a coordinator's invitation."""
    community = permissions.access_community_listing_or_404(slug, current_user)
    actions.join(current_user, community)
    return summary_of(community)


@blp.route("/<slug>/leave", methods=["POST"])
@blp.response(204)
@blp.errors({404: "No such community, or one hidden from you", 409: "Not a member, or the last coordinator"})
def leave(slug):
    """Leave, withdraw your request, or decline an invitation."""
    community = permissions.access_community_listing_or_404(slug, current_user)
    actions.leave(current_user, community)


@blp.route("/<slug>/requests", methods=["POST"])
@blp.response(201, CommunitySummarySchema)
@blp.errors({403: "This community does not take requests", 404: "No such community, or one hidden from you",
             409: "Already a member or asked, or archived"})
@blp.arguments(JoinRequestArgs)
def request_to_join(args, slug):
    """Ask to join a community whose coordinators approve new members."""
    community = permissions.access_community_listing_or_404(slug, current_user)
    actions.request_to_join(current_user, community, args["message"])
    return summary_of(community)


@blp.route("/<slug>/requests")
@blp.response(200, JoinRequestPageSchema)
@blp.errors({403: "You do not coordinate this community",
             404: "No such community, or a private one you are not in"})
@blp.arguments(PageArgs, location="query")
def list_requests(args, slug):
    """Requests to join that wait for a decision, oldest first (coordinators)."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    page = membership_page(community, "pending", args["page"])
    return page_body(page, page.rows)


@blp.route("/<slug>/requests/<int:membership_id>/approve", methods=["POST"])
@blp.response(200, CommunityMemberSchema)
@blp.errors({403: "You do not coordinate this community", 404: "No such community or request",
             409: "Already handled, or the community is archived"})
def approve_request(slug, membership_id):
    """Let someone in (coordinators)."""
    return actions.decide_request(current_user, _manageable_membership(slug, membership_id), approve=True)


@blp.route("/<slug>/requests/<int:membership_id>/decline", methods=["POST"])
@blp.response(204)
@blp.errors({403: "You do not coordinate this community", 404: "No such community or request",
             409: "Already handled"})
def decline_request(slug, membership_id):
    """Turn a request down (coordinators)."""
    actions.decide_request(current_user, _manageable_membership(slug, membership_id), approve=False)


# --- activity feed ----------------------------------------------------------------------------------

@blp.route("/<slug>/feed")
@blp.response(200, FeedPageSchema)
@blp.errors({404: "No such community, or a private one you are not in"})
@blp.arguments(PageArgs, location="query")
def feed(args, slug):
    """What happened in the community, newest first, 30 a page."""
    community = permissions.access_community_or_404(slug, current_user)
    stmt = (sa.select(FeedEntry).where(feed_filter(current_user, community))
            .options(so.joinedload(FeedEntry.actor), so.joinedload(FeedEntry.subject))
            .order_by(FeedEntry.id.desc()))
    page = paginate(stmt, args["page"], FEED_PER_PAGE)
    return page_body(page, page.rows)
