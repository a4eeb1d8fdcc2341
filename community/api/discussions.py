"""Discussions and their replies: list, read, start, edit, pin, lock, accept an answer; replies
with quotes, removal by the author and 'helpful' marks.

Handlers parse input, load and authorise through permissions.access_*, and call the actions in
community.actions.discussions; they never write. The lists come from community.queries.discussions,
as the pages' do, with a fixed number of SQL statements (tests/test_api_content.py counts them);
the per-row permission flags use the request's membership cache.
"""

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community import permissions
from community.actions import ActionError, discussions as actions
from community.api import Blueprint, NOT_COORDINATOR, NO_COMMUNITY, NO_DISCUSSION, NO_REPLY, api_field
from community.api.communities import page_body
from community.api.community_schemas import PageArgs
from community.api.content_schemas import (
    AnswerArgs, DiscussionCreateArgs, DiscussionPageSchema, DiscussionSchema, DiscussionUpdateArgs, LockArgs,
    PinArgs, ReplyCreateArgs, ReplyPageSchema, ReplySchema, ReplyUpdateArgs,
)
from community.errors import answer_saved, kept_after_commit, saved_id
from community.models import Reply
from community.queries import discussions as queries

blp = Blueprint("api_discussions", __name__, url_prefix="",
                description="Discussions in a community, their replies and 'helpful' marks")
LISTED = ("id", "community_id", "title", "author", "reply_count", "pinned", "locked", "accepted_reply_id",
          "created_at", "edited_at", "last_activity_at")


# --- reading helpers (no writes here) ---------------------------------------------------------------

def summary(discussion, last_read):
    body = {name: getattr(discussion, name) for name in LISTED}
    body.update(answered=discussion.accepted_reply_id is not None, last_read_number=last_read or 0,
                hidden=discussion.is_hidden)
    return body


def detail_of(discussion, new=False):
    """One discussion. ``new``: just started by the caller, who has no read mark on it yet (no
    query after the commit: see start_discussion)."""
    last_read = 0 if new else queries.read_mark(current_user, discussion)
    body = summary(discussion, last_read)
    body.update(
        community=discussion.community, case_id=discussion.case_id, body=discussion.body,
        body_html=discussion.body_html, lock_reason=discussion.lock_reason, edit_note=discussion.edit_note,
        # Only its author and moderators get this far with a hidden discussion (else 404).
        hidden_reason=discussion.hidden_reason,
        can_reply=permissions.can_reply(current_user, discussion),
        can_edit=permissions.can_edit_discussion(current_user, discussion),
        can_moderate=permissions.can_coordinate(current_user, discussion.community),
        can_accept_answer=permissions.can_accept_answer(current_user, discussion),
    )
    return body


def _quoted(reply):
    if reply is None:
        return None
    concealed = reply.is_deleted or not permissions.can_see_reply(current_user, reply)
    return {"id": reply.id, "number": reply.number, "removed": reply.is_deleted,
            "author": None if concealed else reply.author}


def reply_item(reply, me_helpful):
    """A reply as the API shows it. A removed reply keeps its place (number) but shows neither
    its text nor who wrote it: its author wanted it gone. A hidden one keeps its place too, with
    `hidden: true`; its text, author and the reason show only to its author and the community's
    moderators (permissions.can_see_reply, which asks no query: memberships are cached)."""
    removed = reply.is_deleted
    concealed = removed or not permissions.can_see_reply(current_user, reply)
    return {
        "id": reply.id, "discussion_id": reply.discussion_id, "number": reply.number,
        "author": None if concealed else reply.author, "quote_of": _quoted(reply.quote_of),
        "body": None if concealed else reply.body, "body_html": None if concealed else reply.body_html,
        "removed": removed, "hidden": reply.is_hidden,
        "hidden_reason": "" if concealed else reply.hidden_reason,
        "accepted": reply.discussion.accepted_reply_id == reply.id,
        "helpful_count": reply.helpful_count, "me_helpful": bool(me_helpful),
        "created_at": reply.created_at, "edited_at": reply.edited_at,
        "edit_note": "" if concealed else reply.edit_note,
        "can_edit": permissions.can_edit_reply(current_user, reply),
        "can_remove": permissions.can_delete_reply(current_user, reply),
        "can_mark_helpful": permissions.can_react(current_user, reply),
    }


def reply_detail(reply):
    return reply_item(reply, reply.id in queries.helpful_reply_ids(current_user, [reply]))


def _reply_of(discussion, reply_id, field, message):
    """The reply of this discussion that the input names. Replies of other discussions are
    refused exactly like ids that do not exist, so nothing is learnt about them."""
    reply = permissions.get_row(Reply, reply_id)
    if reply is None or reply.discussion_id != discussion.id:
        raise ActionError(message, field=field)
    return reply


# --- discussions ------------------------------------------------------------------------------------

@blp.route("/communities/<slug>/discussions")
@blp.response(200, DiscussionPageSchema, errors={404: NO_COMMUNITY})
@blp.arguments(PageArgs, location="query")
def list_discussions(args, slug):
    """The community's discussions, 30 a page: pinned ones first, then by last activity.

    Practice cases' own discussions are not listed here; a case names its `discussion_id`."""
    community = permissions.access_community_or_404(slug, current_user)
    # Hidden discussions are listed for their author and the community's moderators only.
    page = queries.discussion_page(current_user, community, queries.DiscussionFilters(page=args["page"]))
    return page_body(page, [summary(*row) for row in page.rows])


@blp.route("/communities/<slug>/discussions", methods=["POST"])
@blp.response(201, DiscussionSchema, errors={403: "Only members post", 404: NO_COMMUNITY,
                                             409: "The community is archived (code archived)",
                                             422: "Title or body refused (field: title, body)"})
@blp.arguments(DiscussionCreateArgs)
def start_discussion(args, slug):
    """Start a discussion (members).

    Once it is saved the answer is 201, built from the saved discussion without reading it back;
    should the database fail even so, the body has at least its `id`."""
    community = permissions.access_community_or_404(slug, current_user)
    with kept_after_commit():
        discussion = actions.start_discussion(current_user, community, args["title"], args["body"])
    return answer_saved(lambda: detail_of(discussion, new=True),
                        lambda: {"id": saved_id(discussion), "title": args["title"], "body": args["body"]})


@blp.route("/discussions/<int:discussion_id>")
@blp.response(200, DiscussionSchema, errors={404: NO_DISCUSSION})
def get_discussion(discussion_id):
    """One discussion with its opening post, its state and what you may do with it."""
    return detail_of(permissions.access_discussion_or_404(discussion_id, current_user))


@blp.route("/discussions/<int:discussion_id>", methods=["PATCH"])
@blp.response(200, DiscussionSchema, errors={403: "Neither the author nor a coordinator", 404: NO_DISCUSSION,
                                             422: "Input refused, or edit_note missing (field)"})
@blp.arguments(DiscussionUpdateArgs)
def edit_discussion(args, discussion_id):
    """Edit the title or opening post (the author; coordinators with an `edit_note`, which is
    shown with the post). The previous version is kept."""
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    actions.edit_discussion(current_user, discussion, args.get("title", discussion.title),
                            args.get("body", discussion.body), args.get("edit_note", ""))
    return detail_of(discussion)


@blp.route("/discussions/<int:discussion_id>/pin", methods=["POST"])
@blp.response(200, DiscussionSchema, errors={403: NOT_COORDINATOR, 404: NO_DISCUSSION})
@blp.arguments(PinArgs)
def pin(args, discussion_id):
    """Pin a discussion to the top of the list, or unpin it (coordinators)."""
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    return detail_of(actions.set_pinned(current_user, discussion, args["pinned"]))


@blp.route("/discussions/<int:discussion_id>/lock", methods=["POST"])
@blp.response(200, DiscussionSchema, errors={403: NOT_COORDINATOR, 404: NO_DISCUSSION,
                                             422: "Reason too long (field: reason)"})
@blp.arguments(LockArgs)
def lock(args, discussion_id):
    """Lock a discussion (no new replies), with a reason shown to readers, or unlock it
    (coordinators)."""
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    return detail_of(actions.set_locked(current_user, discussion, args["locked"], args["reason"]))


@blp.route("/discussions/<int:discussion_id>/answer", methods=["POST"])
@blp.response(200, DiscussionSchema, errors={403: "Neither the discussion's author nor a coordinator",
                                             404: NO_DISCUSSION,
                                             422: "Not a (remaining) reply of this discussion (field: reply_id)"})
@blp.arguments(AnswerArgs)
def accept_answer(args, discussion_id):
    """Mark one reply as the answer, or clear the mark with `reply_id: null` (the person who
    started the discussion, or a coordinator)."""
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    reply = None
    if args["reply_id"] is not None:
        reply = _reply_of(discussion, args["reply_id"], "reply_id", _l("Choose a reply of this discussion."))
    with api_field("reply", "reply_id"):
        actions.accept_answer(current_user, discussion, reply)
    return detail_of(discussion)


# --- replies ----------------------------------------------------------------------------------------

@blp.route("/discussions/<int:discussion_id>/replies")
@blp.response(200, ReplyPageSchema, errors={404: NO_DISCUSSION})
@blp.arguments(PageArgs, location="query")
def list_replies(args, discussion_id):
    """The replies in order, 50 a page: page 1 holds replies numbered 1-50, page 2 51-100, as
    on the discussion page, and a page past the end answers the last page (`page` says which).
    Removed replies keep their number and place, with `removed: true` and neither body nor
    author; so do replies a coordinator hid (`hidden: true`), except for their author and the
    community's coordinators."""
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    page = queries.reply_page(discussion, queries.ReplyFilters(page=args["page"]), current_user)
    helpful = queries.helpful_ids(page.rows)
    return page_body(page, [reply_item(reply, reply.id in helpful) for reply in page.rows])


@blp.route("/discussions/<int:discussion_id>/replies", methods=["POST"])
@blp.response(201, ReplySchema, errors={403: "Only members reply", 404: NO_DISCUSSION,
                                        409: "The discussion is locked (code locked) or the community archived "
                                             "(code archived)",
                                        422: "Body refused, or quote_of is not a reply of this discussion"})
@blp.arguments(ReplyCreateArgs)
def post_reply(args, discussion_id):
    """Reply (members), optionally quoting another reply of the same discussion.

    Once it is saved the answer is 201, built from the saved reply without reading it back;
    should the database fail even so, the body has at least its `id`."""
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    quote_of = None
    if args["quote_of"] is not None:
        quote_of = _reply_of(discussion, args["quote_of"], "quote_of",
                             _l("You can only quote a reply of this discussion."))
    with kept_after_commit():
        reply = actions.post_reply(current_user, discussion, args["body"], quote_of=quote_of)
    # A new reply has no helpful marks yet: nothing to ask the database.
    return answer_saved(lambda: reply_item(reply, False),
                        lambda: {"id": saved_id(reply), "discussion_id": discussion_id, "body": args["body"]})


@blp.route("/replies/<int:reply_id>")
@blp.response(200, ReplySchema, errors={404: NO_REPLY})
def get_reply(reply_id):
    """One reply."""
    return reply_detail(permissions.access_reply_or_404(reply_id, current_user))


@blp.route("/replies/<int:reply_id>", methods=["PATCH"])
@blp.response(200, ReplySchema, errors={403: "Neither the author nor a coordinator, or the reply is removed",
                                        404: NO_REPLY, 422: "Body refused, or edit_note missing (field)"})
@blp.arguments(ReplyUpdateArgs)
def edit_reply(args, reply_id):
    """Edit a reply (the author; coordinators with an `edit_note`). The previous version is kept."""
    reply = permissions.access_reply_or_404(reply_id, current_user)
    return reply_detail(actions.edit_reply(current_user, reply, args["body"], args["edit_note"]))


@blp.route("/replies/<int:reply_id>", methods=["DELETE"])
@blp.response(204, errors={403: "Only the author removes a reply", 404: NO_REPLY})
def remove_reply(reply_id):
    """Remove your reply: it stays in the thread as 'removed', its text and history are gone."""
    actions.remove_reply(current_user, permissions.access_reply_or_404(reply_id, current_user))


@blp.route("/replies/<int:reply_id>/helpful", methods=["PUT"])
@blp.response(200, ReplySchema, errors={403: "Not a member, your own reply, or a removed one", 404: NO_REPLY})
def mark_helpful(reply_id):
    """Mark a reply as helpful (members, not on their own replies). Marking twice counts once."""
    reply = permissions.access_reply_or_404(reply_id, current_user)
    return reply_detail(actions.set_helpful(current_user, reply, True))


@blp.route("/replies/<int:reply_id>/helpful", methods=["DELETE"])
@blp.response(200, ReplySchema, errors={403: "Not a member, your own reply, or a removed one", 404: NO_REPLY})
def unmark_helpful(reply_id):
    """Take your 'helpful' mark back."""
    reply = permissions.access_reply_or_404(reply_id, current_user)
    return reply_detail(actions.set_helpful(current_user, reply, False))
