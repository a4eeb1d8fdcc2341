"""Discussions and their replies."""
from collections import namedtuple

import sqlalchemy.orm as so

from community.models import Discussion, Reply
from community.permissions.cases import can_view_case
from community.permissions.communities import can_post_in_community, can_view_community
from community.permissions.core import (
    _signed_in, can_coordinate, is_author_while_member, is_community_member, community_row_or_404, row_or_404,
    usable_or_403,
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


class ReplyRights:
    """What ``user`` may do with each reply of ``discussion``, for a page of replies: the answers
    of can_see_reply, can_react, can_report(user, "reply", ...), can_edit_reply and
    can_delete_reply, with what depends only on the reader and the discussion asked once (a page
    asks five questions of each of its 50 replies). tests/test_reply_rights.py holds them equal."""

    def __init__(self, user, discussion):
        community = discussion.community
        signed_in = _signed_in(user)
        self.user_id = user.id if signed_in else None
        self.any_id = getattr(user, "id", None)  # can_react compares with it, signed in or not
        self.coordinates = can_coordinate(user, community)
        self.posts = can_post_in_community(user, community)
        self.reads = signed_in and can_read_discussion(user, discussion)
        self.changes = signed_in and not community.archived
        self.member = self.changes and is_community_member(user, community)

    def see(self, reply):
        return not reply.is_hidden or (self.user_id is not None
                                       and (reply.author_id == self.user_id or self.coordinates))

    def react(self, reply):
        return self.posts and not reply.is_deleted and not reply.is_hidden and reply.author_id != self.any_id

    def report(self, reply):
        return self.reads and reply.author_id != self.user_id and not reply.is_deleted and self.see(reply)

    def edit(self, reply):
        return self.changes and not reply.is_deleted and (
            self.coordinates or (self.member and reply.author_id == self.user_id))

    def delete(self, reply):
        return self.changes and not reply.is_deleted and reply.author_id == self.user_id

    def of(self, reply):
        """The answers that show on a visible reply, in one call (a template's calls cost more
        than the answers): react, report, edit, delete."""
        return ReplyAnswers(self.react(reply), self.report(reply), self.edit(reply), self.delete(reply))


ReplyAnswers = namedtuple("ReplyAnswers", "react report edit delete")


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
