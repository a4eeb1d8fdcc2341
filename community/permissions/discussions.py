"""Discussions and their replies."""
from collections import namedtuple
from functools import cached_property

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
    """Its author while a member, or a coordinator; not a removed reply, not in an archived community."""
    return ReplyRights(user, reply.discussion).edit(reply)


def can_delete_reply(user, reply):
    """Its author, while the community is not archived."""
    return ReplyRights(user, reply.discussion).delete(reply)


def can_react(user, reply):
    """Mark a reply helpful: members, not on their own replies."""
    return ReplyRights(user, reply.discussion).react(reply)


class ReplyRights:
    """What ``user`` may do with the replies of ``discussion``: the rules of can_react,
    can_edit_reply, can_delete_reply and can_report(user, "reply", ...) live here, and those
    predicates ask it. What depends only on the reader and the discussion is worked out once, when
    first needed, so a page of 50 replies builds one ReplyRights and asks it per reply.
    tests/test_reply_rights.py holds its answers equal to the predicates for every kind of reader."""

    def __init__(self, user, discussion):
        self.user, self.discussion, self.community = user, discussion, discussion.community
        self.signed_in = _signed_in(user)
        self.user_id = user.id if self.signed_in else None
        self.any_id = getattr(user, "id", None)  # can_react compares with it, signed in or not

    @cached_property
    def coordinates(self):
        return can_coordinate(self.user, self.community)

    @cached_property
    def posts(self):
        return can_post_in_community(self.user, self.community)

    @cached_property
    def reads(self):
        return self.signed_in and can_read_discussion(self.user, self.discussion)

    @cached_property
    def changes(self):
        return self.signed_in and not self.community.archived

    @cached_property
    def member(self):
        return self.changes and is_community_member(self.user, self.community)

    def see(self, reply):
        """can_see_reply: asked of a hidden reply only (the others everyone sees)."""
        return not reply.is_hidden or can_see_content(self.user, reply)

    def react(self, reply):
        return not reply.is_deleted and not reply.is_hidden and reply.author_id != self.any_id and self.posts

    def report(self, reply):
        return (self.signed_in and reply.author_id != self.user_id and not reply.is_deleted and self.reads
                and self.see(reply))

    def edit(self, reply):
        return self.changes and not reply.is_deleted and (
            self.coordinates or (reply.author_id == self.user_id and self.member))

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
