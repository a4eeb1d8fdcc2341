"""Moderation for coordinators: reports, the review queue, hiding and restoring, dismissing
reports, moving a discussion, mutes and bans, and the audit log.

Handlers parse input, load and authorise through community.permissions and call the actions in
community.actions.moderation, which keep every rule and write the audit log; they never write.
What a member may not see answers 404, exactly like something that does not exist. A community
the caller can read but does not moderate answers 403 (as the other coordinator endpoints do).
Every list answers with a fixed number of SQL statements (tests/test_api_moderation.py counts them).
"""
import sqlalchemy as sa
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound

from community import permissions
from community.actions import ActionError, moderation as actions
from community.api import Blueprint, NOT_COORDINATOR, NO_COMMUNITY, NO_DISCUSSION, api_field
from community.api.communities import page_body
from community.api.discussions import detail_of as discussion_detail
from community.api.moderation_schemas import (
    AuditListArgs, AuditPageSchema, DiscussionMoveArgs, DismissArgs, HideArgs, ModerationResultSchema, ReportArgs,
    ReportGroupPageSchema, ReportListArgs, ReportSchema, SanctionArgs, SanctionListArgs, SanctionPageSchema,
    SanctionSchema,
)
from community.api.content_schemas import DiscussionSchema
from community.extensions import db
from community.models import CASE_SECTIONS, Community, Report, User, utcnow
from community.queries import moderation as queries

blp = Blueprint("api_moderation", __name__, url_prefix="",
                description="Moderation: reports, review queue, hiding, moving, mutes and bans, audit log")
EXCERPT = 280

NOT_FOUND = "No such item, or one you cannot see"


# --- loading and authorising -------------------------------------------------------------------------

def _admins_only():
    if not permissions.is_admin(current_user):
        abort(403)


def _community_named(value):
    """The community a request body names (slug or id) if the caller can read it, else None:
    one the caller may not see is answered exactly like one that does not exist."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        community = permissions.get_row(Community, value)
        return community if community is not None and permissions.can_view_community(current_user, community) \
            else None
    if isinstance(value, str):
        try:
            return permissions.access_community_or_404(value, current_user)
        except NotFound:
            return None
    return None


# --- reading helpers (no writes here) ---------------------------------------------------------------

def _excerpt(text):
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"


def _item_body(target, item):
    if item is None:
        return None
    body = {"author": item.author, "hidden": item.is_hidden, "created_at": item.created_at, "removed": False,
            "number": None, "discussion_id": None}
    if target == "reply":
        body.update(title=item.discussion.title, excerpt=_excerpt(item.body), number=item.number,
                    discussion_id=item.discussion_id, removed=item.is_deleted)
    elif target == "discussion":
        body.update(title=item.title, excerpt=_excerpt(item.body))
    else:
        body.update(title=item.title, excerpt=_excerpt(next((getattr(item, name) for name in CASE_SECTIONS
                                                             if getattr(item, name)), "")))
    return body


def _report_groups(community, number):
    """A page of the review queue (community.queries.moderation.queue), serialised."""
    found = queries.queue(community, queries.QueueFilters(page=number))
    groups = []
    for row in found.page.rows:
        key = (row.target, row.target_id)
        reports = found.reports.get(key, [])
        counts = {}
        for report in reports:
            counts[report.reason] = counts.get(report.reason, 0) + 1
        groups.append({
            "target": row.target, "target_id": row.target_id, "community": found.communities.get(row.community_id),
            "count": row.count, "latest": row.latest,
            "reasons": sorted(counts, key=lambda reason: (-counts[reason], reason)),
            "item": _item_body(row.target, found.items.get(key)), "reports": reports,
        })
    return page_body(found.page, groups)


def _result(target, item, closed=0):
    open_reports = db.session.scalar(sa.select(sa.func.count(Report.id)).where(
        Report.target == target, Report.target_id == item.id, Report.status == "open"))
    return {"target": target, "id": item.id, "hidden": item.is_hidden, "hidden_reason": item.hidden_reason,
            "hidden_at": item.hidden_at, "open_reports": open_reports, "closed_reports": closed}


def _sanction_body(sanction, community, created_by, lifted_by, now=None):
    return {"id": sanction.id, "community": community, "user": sanction.user, "kind": sanction.kind,
            "reason": sanction.reason, "ends_at": sanction.ends_at, "created_at": sanction.created_at,
            "created_by": created_by, "lifted_at": sanction.lifted_at, "lifted_by": lifted_by,
            "in_force": sanction.in_force(now)}


def _sanction_detail(sanction, community):
    return _sanction_body(sanction, community, permissions.get_row(User, sanction.created_by_id),
                          permissions.get_row(User, sanction.lifted_by_id))


def _audit_page(community, args):
    filters = queries.AuditFilters(action=args["action"], member_id=args["member_id"], page=args["page"])
    page = queries.audit_page(community, filters)
    items = [{"id": entry.id, "community": entry_community, "actor": entry.actor, "action": entry.action,
              "target": entry.target, "target_id": entry.target_id, "member": entry.member,
              "reason": entry.reason, "data": entry.data or {}, "created_at": entry.created_at}
             for entry, entry_community in page.rows]
    return page_body(page, items)


# --- reports ----------------------------------------------------------------------------------------

@blp.route("/reports", methods=["POST"])
@blp.response(201, ReportSchema, errors={403: "Your own post, or one its author removed", 404: NOT_FOUND,
                                         409: "You already reported this and it is still open",
                                         422: "Unknown target or reason, note missing for 'other' (field)",
                                         429: "Too many reports in the last hour (code rate_limited)"})
@blp.arguments(ReportArgs)
def report(args):
    """Report a reply, discussion or practice case to the community's coordinators. Something you
    cannot see answers 404, as if it did not exist."""
    target = args["target"]
    item = permissions.access_reported_item_or_404(target, args["id"], current_user)
    if not permissions.can_report(current_user, target, item):
        raise ActionError(_l("You cannot report your own post, or one that was removed."), status=403,
                          code="forbidden")
    return actions.report(current_user, target, item, args["reason"], args["note"])


@blp.route("/communities/<slug>/reports")
@blp.response(200, ReportGroupPageSchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY})
@blp.arguments(ReportListArgs, location="query")
def community_reports(args, slug):
    """The community's review queue: open reports grouped by item, the item with the newest
    report first, 20 items a page (coordinators and administrators)."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    return _report_groups(community, args["page"])


@blp.route("/reports")
@blp.response(200, ReportGroupPageSchema, errors={403: "Only platform administrators"})
@blp.arguments(ReportListArgs, location="query")
def all_reports(args):
    """The review queue of every community (administrators)."""
    _admins_only()
    return _report_groups(None, args["page"])


# --- hiding, restoring, dismissing ------------------------------------------------------------------

@blp.route("/moderation/<target>/<int:item_id>/hide", methods=["POST"])
@blp.response(200, ModerationResultSchema, errors={403: NOT_COORDINATOR,
                                                   404: NOT_FOUND + " (target: reply, discussion or case)",
                                                   409: "Already hidden, or a reply its author removed",
                                                   422: "Reason missing or too long (field: reason)"})
@blp.arguments(HideArgs)
def hide(args, target, item_id):
    """Hide an item (coordinators). Its author still sees it with your reason, moderators see it
    marked; for everyone else it is gone, also from lists, feeds, notifications and the live
    event log. Open reports on it are resolved."""
    item = permissions.access_reported_item_or_404(target, item_id, current_user)
    closed = db.session.scalar(sa.select(sa.func.count(Report.id)).where(
        Report.target == target, Report.target_id == item.id, Report.status == "open"))
    actions.hide(current_user, target, item, args["reason"])
    return _result(target, item, closed)


@blp.route("/moderation/<target>/<int:item_id>/restore", methods=["POST"])
@blp.response(200, ModerationResultSchema, errors={403: NOT_COORDINATOR, 404: NOT_FOUND, 409: "Not hidden"})
def restore(target, item_id):
    """Show a hidden item to everyone again (coordinators)."""
    item = permissions.access_reported_item_or_404(target, item_id, current_user)
    actions.restore(current_user, target, item)
    return _result(target, item)


@blp.route("/moderation/<target>/<int:item_id>/dismiss", methods=["POST"])
@blp.response(200, ModerationResultSchema, errors={403: NOT_COORDINATOR, 404: NOT_FOUND, 409: "No open reports on it",
                                                   422: "Reason too long (field: reason)"})
@blp.arguments(DismissArgs)
def dismiss(args, target, item_id):
    """Close the open reports on an item without acting on it (coordinators); the reporters can
    report it again later."""
    item = permissions.access_reported_item_or_404(target, item_id, current_user)
    closed = actions.dismiss_reports(current_user, target, item, args["reason"])
    return _result(target, item, closed)


# --- moving a discussion ----------------------------------------------------------------------------

@blp.route("/discussions/<int:discussion_id>/move", methods=["POST"])
@blp.response(200, DiscussionSchema, errors={403: "You do not coordinate both communities", 404: NO_DISCUSSION,
                                             409: "A practice case's own discussion moves with its case",
                                             422: "No such community, or the same one (field: community)"})
@blp.arguments(DiscussionMoveArgs)
def move(args, discussion_id):
    """Move a discussion to another community you coordinate (`community`: its slug or id). Its
    replies, followers and feed line move along."""
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    if not permissions.can_coordinate(current_user, discussion.community):
        abort(403)  # before the target is looked up: "no such community" (422) would come first
    community = _community_named(args["community"])
    if community is None:
        raise ActionError(_l("There is no community with this name that you can see."), field="community")
    return discussion_detail(actions.move_discussion(current_user, discussion, community, args["reason"]))


# --- sanctions --------------------------------------------------------------------------------------

@blp.route("/communities/<slug>/sanctions")
@blp.response(200, SanctionPageSchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY})
@blp.arguments(SanctionListArgs, location="query")
def list_sanctions(args, slug):
    """Mutes and bans of the community, 50 a page: those in force first, then the ended and
    lifted ones, newest first (`state`: all, in_force or ended)."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    now = utcnow()
    page = queries.sanction_page(community, queries.SanctionFilters(state=args["state"], page=args["page"]), now)
    return page_body(page, [_sanction_body(sanction, community, created_by, lifted_by, now)
                            for sanction, created_by, lifted_by in page.rows])


@blp.route("/communities/<slug>/sanctions", methods=["POST"])
@blp.response(201, SanctionSchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY,
                                           409: "A mute (or ban) of this member is already in force",
                                           422: "No such account, yourself, a coordinator or admin (field: user_id); "
                                                "end missing, past or too far (field: ends_at)"})
@blp.arguments(SanctionArgs)
def create_sanction(args, slug):
    """Mute a member (they read but cannot post until `ends_at`) or ban them (they lose their
    membership and their live connections, and cannot rejoin until `ends_at` or until lifted).
    The reason is shown to the member. Coordinators and administrators cannot be sanctioned."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    member = permissions.get_row(User, args["user_id"])
    if member is None:
        raise ActionError(_l("There is no account with this number."), field="user_id")
    with api_field("user", "user_id"):
        if args["kind"] == "mute":
            sanction = actions.mute(current_user, community, member, args["ends_at"], args["reason"])
        else:
            sanction = actions.ban(current_user, community, member, args["reason"], args["ends_at"])
    return _sanction_detail(sanction, community)


@blp.route("/sanctions/<int:sanction_id>/lift", methods=["POST"])
@blp.response(200, SanctionSchema, errors={403: NOT_COORDINATOR,
                                           404: "No such sanction, or one in a community you cannot read",
                                           409: "It has already ended or was lifted"})
def lift(sanction_id):
    """End a mute or ban now (coordinators)."""
    sanction, community = permissions.access_sanction_or_404(sanction_id, current_user)
    return _sanction_detail(actions.lift(current_user, sanction), community)


# --- the audit log ----------------------------------------------------------------------------------

@blp.route("/communities/<slug>/audit")
@blp.response(200, AuditPageSchema, errors={403: NOT_COORDINATOR, 404: NO_COMMUNITY,
                                            422: "Unknown action or member_id"})
@blp.arguments(AuditListArgs, location="query")
def community_audit(args, slug):
    """Every moderation step in the community, newest first, 50 a page; filter by `action` and
    by `member_id` (whose post, or who was sanctioned)."""
    community = permissions.access_community_for_managing_or_404(slug, current_user)
    return _audit_page(community, args)


@blp.route("/audit")
@blp.response(200, AuditPageSchema, errors={403: "Only platform administrators", 422: "Unknown action or member_id"})
@blp.arguments(AuditListArgs, location="query")
def platform_audit(args):
    """The audit log of the whole platform, account steps included (administrators)."""
    _admins_only()
    return _audit_page(None, args)
