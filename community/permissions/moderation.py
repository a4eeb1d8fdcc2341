"""Moderation: reporting, sanctions, moving a discussion. Who moderates is can_coordinate (in
core); who sees hidden content is in hidden.py."""
import sqlalchemy as sa
from flask import abort

from community.models import Case, Community, Discussion, Reply, Sanction
from community.permissions.cases import can_view_case
from community.permissions.communities import can_view_community, coordinated_communities_filter
from community.permissions.core import _signed_in, can_coordinate, get_row, is_admin, is_coordinator
from community.permissions.discussions import ReplyRights, can_read_discussion
from community.permissions.hidden import can_see_reply


def can_report(user, target, item):
    """Report what you can read and did not write yourself."""
    if not _signed_in(user) or getattr(item, "author_id", None) == user.id:
        return False
    if target == "reply":
        return ReplyRights(user, item.discussion).report(item)
    if target == "discussion":
        return can_read_discussion(user, item)
    return target == "case" and item.is_published and can_view_case(user, item)


def can_sanction(actor, community, member):
    """Mute or ban: moderators, not themselves, never a coordinator or an admin."""
    if not can_coordinate(actor, community) or member is None or member.id == actor.id:
        return False
    return not is_admin(member) and not is_coordinator(member, community)


def can_move_discussion(actor, discussion, target_community):
    """Move a discussion between two communities the coordinator runs (not a case's own)."""
    return discussion.case_id is None and target_community.id != discussion.community_id \
        and not target_community.archived and can_coordinate(actor, discussion.community) \
        and can_coordinate(actor, target_community)


def move_targets_filter(actor, discussion):
    """can_move_discussion as a SQL condition on Community, for the list of places to move a
    discussion to; None when it cannot move anywhere (no query needed)."""
    if discussion.case_id is not None or not can_coordinate(actor, discussion.community):
        return None
    return sa.and_(Community.id != discussion.community_id, Community.archived.is_(False),
                   coordinated_communities_filter(actor))


def access_reported_item_or_404(target, item_id, user):
    """A reply, discussion or case the user may read (for reporting and moderating)."""
    models = {"reply": Reply, "discussion": Discussion, "case": Case}
    item = get_row(models[target], item_id) if target in models else None
    if item is None:
        abort(404)
    visible = {"reply": lambda: can_read_discussion(user, item.discussion) and can_see_reply(user, item),
               "discussion": lambda: can_read_discussion(user, item),
               "case": lambda: can_view_case(user, item)}[target]()
    if not visible:
        abort(404)
    return item


def access_sanction_or_404(sanction_id, user):
    """A sanction and its community, for someone who may read the community (lifting it is the
    action's to allow)."""
    sanction = get_row(Sanction, sanction_id)
    community = get_row(Community, sanction.community_id) if sanction is not None else None
    if community is None or not can_view_community(user, community):
        abort(404)
    return sanction, community


def item_community(target, item):
    return item.discussion.community if target == "reply" else item.community
