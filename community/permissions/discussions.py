"""Discussions and their replies."""
import sqlalchemy.orm as so

from community.models import Discussion, Reply
from community.permissions.cases import can_view_case
from community.permissions.communities import can_post_in_community, can_view_community
from community.permissions.core import (
    _signed_in, can_coordinate, is_author_while_member, community_row_or_404, row_or_404, usable_or_403,
)
from community.permissions.hidden import can_see_content


def can_read_discussion(user, discussion):
    if not can_view_community(user, discussion.community) or not can_see_content(user, discussion):
        return False
    # A case's own discussion exists only once the case is published; follow the case's rules.
    return discussion.case is None or can_view_case(user, discussion.case)


def can_reply(user, discussion):
    return not discussion.locked and can_post_in_community(user, discussion.community)


def can_edit_discussion(user, discussion):
    """Its author while a member, or a coordinator (others' posts with a visible note)."""
    if not _signed_in(user) or discussion.community.archived:
        return False
    return is_author_while_member(user, discussion, discussion.community) \
        or can_coordinate(user, discussion.community)


def can_edit_reply(user, reply):
    community = reply.discussion.community
    if not _signed_in(user) or reply.is_deleted or community.archived:
        return False
    return is_author_while_member(user, reply, community) or can_coordinate(user, community)


def can_delete_reply(user, reply):
    return _signed_in(user) and not reply.is_deleted and reply.author_id == user.id \
        and not reply.discussion.community.archived


def can_react(user, reply):
    """Mark a reply helpful: members, not on their own replies."""
    return not reply.is_deleted and not reply.is_hidden and reply.author_id != getattr(user, "id", None) \
        and can_post_in_community(user, reply.discussion.community)


def can_accept_answer(user, discussion):
    """The discussion's author while a member (as for editing it), or a coordinator."""
    return can_edit_discussion(user, discussion)


def access_discussion_or_404(discussion_id, user):
    """The discussion with its community, author and accepted answer, and the reader's
    membership: one query (the thread page's first)."""
    return community_row_or_404(Discussion, discussion_id, user, lambda row: can_read_discussion(user, row),
                                so.joinedload(Discussion.author),
                                so.joinedload(Discussion.accepted_reply).joinedload(Reply.author))


def access_reply_or_404(reply_id, user):
    return row_or_404(Reply, reply_id, lambda reply: can_read_discussion(user, reply.discussion))


def access_discussion_for_editing_or_404(discussion_id, user):
    """The edit page: 404 when the user may not read the discussion, 403 when they may read it
    but not edit it (refused before the form is shown)."""
    return usable_or_403(access_discussion_or_404(discussion_id, user),
                         lambda discussion: can_edit_discussion(user, discussion))


def access_reply_for_editing_or_404(reply_id, user):
    """The reply's edit page, as access_discussion_for_editing_or_404."""
    return usable_or_403(access_reply_or_404(reply_id, user), lambda reply: can_edit_reply(user, reply))
