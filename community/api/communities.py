"""Learning communities: the list, one community, its members, requests to join and its feed.

Handlers parse input, load and authorise through permissions.access_*, and call the actions in
community.actions.communities; they never write. Every list answers with a fixed number of SQL
statements, whatever the number of rows (tests/test_api_communities.py counts them).
"""
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community import permissions
from community.actions import ActionError, communities as actions
from community.api import Blueprint, NOT_COORDINATOR, NO_COMMUNITY
from community.api.community_schemas import (
    CommunityCreateArgs, CommunityListArgs, CommunityMemberSchema, CommunityPageSchema, CommunitySchema,
    CommunitySummarySchema, CommunityUpdateArgs, FeedPageSchema, JoinRequestArgs, JoinRequestPageSchema,
    MemberPageSchema, PageArgs, RoleArgs,
)
from community.queries import communities as queries

blp = Blueprint("api_communities", __name__, url_prefix="/communities",
                description="Learning communities: membership, requests to join, activity feed")
PER_PAGE = 50
FEED_PER_PAGE = 30
EDITABLE = ("name", "description", "visibility", "unlisted", "join_policy", "sector", "topic")
LISTED = ("id", "slug", "name", "description_html", "visibility", "unlisted", "join_policy", "archived",
          "sector", "topic")


# --- reading helpers (no writes here) ---------------------------------------------------------------

def page_body(page, items):
    return {"items": items, "page": page.number, "pages": page.pages, "total": page.total}


def summary(community, member_count, membership):
    body = {name: getattr(community, name) for name in LISTED}
    body.update(member_count=member_count, my_state=membership.state if membership else None,
                my_role=membership.role if membership else None)
    return body


def summary_of(community):
    return summary(community, queries.count_members(community),
                   permissions.community_membership(current_user, community))


def detail_of(community):
    body = summary_of(community)
    body.update(description=community.description, created_at=community.created_at)
    body["coordinators"] = queries.coordinators(community)
    return body


def membership_items(page):
    """A page of (membership, user) rows with each member's organisations (one query)."""
    organisations = queries.organisations_of([user.id for _m, user in page.rows])
    return [dict(id=m.id, user=user, role=m.role, state=m.state, created_at=m.created_at, decided_at=m.decided_at,
                 organisations=[org.name for org in organisations.get(user.id, [])]) for m, user in page.rows]


def _manageable_membership(slug, membership_id):
    return permissions.access_managed_membership_or_404(slug, membership_id, current_user)


# --- the communities --------------------------------------------------------------------------------

@blp.route("")
@blp.response(200, CommunityPageSchema)
@blp.arguments(CommunityListArgs, location="query")
def list_communities(args):
    """Communities you can find: public ones, private ones that are listed, and your own.

    50 a page: your own first, then by name (as the list page). `description_html` is the public
    blurb also shown to outsiders of a private community; its members and feed stay closed to them."""
    filters = queries.CommunityFilters(args["q"].strip(), args["sector"].strip(), args["topic"].strip(),
                                       page=args["page"])
    page = queries.community_page(current_user, filters, per_page=PER_PAGE)
    return page_body(page, [summary(*row) for row in page.rows])


@blp.route("", methods=["POST"])
@blp.response(201, CommunitySchema, errors={403: "Only platform administrators create communities",
                                            409: "The slug is taken (field: slug)"})
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
@blp.response(200, CommunitySchema, errors={404: NO_COMMUNITY})
def get_community(slug):
    """One community you can read."""
    return detail_of(permissions.access_community_or_404(slug, current_user))


@blp.route("/<slug>", methods=["PATCH"])
@blp.response(200, CommunitySchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY,
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
@blp.response(200, MemberPageSchema, errors={404: NO_COMMUNITY})
@blp.arguments(PageArgs, location="query")
def list_members(args, slug):
    """Active members with their organisations, coordinators first, 50 a page."""
    community = permissions.access_community_or_404(slug, current_user)
    page = queries.member_page(community, queries.MemberFilters(page=args["page"]), per_page=PER_PAGE)
    return page_body(page, membership_items(page))


@blp.route("/<slug>/members/<int:membership_id>/role", methods=["PUT"])
@blp.response(200, CommunityMemberSchema, errors={403: NOT_COORDINATOR, 404: "No such community or membership",
                                                  409: "Not an active member, or the last coordinator"})
@blp.arguments(RoleArgs)
def set_role(args, slug, membership_id):
    """Make a member coordinator, or a coordinator member again (coordinators)."""
    return actions.set_role(current_user, _manageable_membership(slug, membership_id), args["role"])


@blp.route("/<slug>/members/<int:membership_id>", methods=["DELETE"])
@blp.response(204, errors={403: NOT_COORDINATOR, 404: "No such community or membership", 409: "The last coordinator"})
def remove_member(slug, membership_id):
    """Remove someone from the community (coordinators)."""
    actions.remove_member(current_user, _manageable_membership(slug, membership_id))


# --- joining, leaving, requests ---------------------------------------------------------------------

@blp.route("/<slug>/join", methods=["POST"])
@blp.response(200, CommunitySummarySchema, errors={403: "This community takes requests or invitations only",
                                                   404: "No such community, or one hidden from you",
                                                   409: "Already a member, or the community is archived"})
def join(slug):
    """Join an open community, or accept a coordinator's invitation."""
    community = permissions.access_community_listing_or_404(slug, current_user)
    actions.join(current_user, community)
    return summary_of(community)


@blp.route("/<slug>/leave", methods=["POST"])
@blp.response(204, errors={404: "No such community, or one hidden from you",
                           409: "Not a member, or the last coordinator"})
def leave(slug):
    """Leave, withdraw your request, or decline an invitation."""
    community = permissions.access_community_listing_or_404(slug, current_user)
    actions.leave(current_user, community)


@blp.route("/<slug>/requests", methods=["POST"])
@blp.response(201, CommunitySummarySchema, errors={403: "This community does not take requests",
                                                   404: "No such community, or one hidden from you",
                                                   409: "Already a member or asked, or archived"})
@blp.arguments(JoinRequestArgs)
def request_to_join(args, slug):
    """Ask to join a community whose coordinators approve new members."""
    community = permissions.access_community_listing_or_404(slug, current_user)
    actions.request_to_join(current_user, community, args["message"])
    return summary_of(community)


@blp.route("/<slug>/requests")
@blp.response(200, JoinRequestPageSchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY})
@blp.arguments(PageArgs, location="query")
def list_requests(args, slug):
    """Requests to join that wait for a decision, oldest first (coordinators)."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    page = queries.member_page(community, queries.MemberFilters(state="pending", page=args["page"]),
                               per_page=PER_PAGE)
    return page_body(page, [membership for membership, _user in page.rows])


@blp.route("/<slug>/requests/<int:membership_id>/approve", methods=["POST"])
@blp.response(200, CommunityMemberSchema, errors={403: NOT_COORDINATOR, 404: "No such community or request",
                                                  409: "Already handled, or the community is archived"})
def approve_request(slug, membership_id):
    """Let someone in (coordinators)."""
    return actions.decide_request(current_user, _manageable_membership(slug, membership_id), approve=True)


@blp.route("/<slug>/requests/<int:membership_id>/decline", methods=["POST"])
@blp.response(204, errors={403: NOT_COORDINATOR, 404: "No such community or request", 409: "Already handled"})
def decline_request(slug, membership_id):
    """Turn a request down (coordinators)."""
    actions.decide_request(current_user, _manageable_membership(slug, membership_id), approve=False)


# --- activity feed ----------------------------------------------------------------------------------

@blp.route("/<slug>/feed")
@blp.response(200, FeedPageSchema, errors={404: NO_COMMUNITY})
@blp.arguments(PageArgs, location="query")
def feed(args, slug):
    """What happened in the community, newest first, 30 a page."""
    community = permissions.access_community_or_404(slug, current_user)
    page = queries.feed_page(current_user, community, queries.FeedFilters(page=args["page"]), per_page=FEED_PER_PAGE)
    return page_body(page, page.rows)
