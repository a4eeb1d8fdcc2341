"""Discussion pages: the community's list, starting a discussion, the thread with its replies,
and every button in it.

Each view loads through permissions.access_* (404 when the user may not read the thing) and
leaves the rest to actions.discussions: the action checks the can_* predicate and its refusal
(NotAllowed) is the 403 page (community/errors.py). Only a page that shows a form checks first,
so that a GET is refused before the form is shown.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community import permissions
from community.actions import ActionError, discussions as actions
from community.discussions import bp
from community.discussions.forms import DiscussionForm, EditReplyForm, ReplyForm
from community.errors import answer_saved, kept_after_commit, saved_id
from community.forms import row_id
from community.pagination import page_number
from community.queries import discussions as queries, trajectories as trajectory_queries
from community.security import keeps_input
from community.urls import ReplyLinks, page_of, reply_url


# --- the list and a new discussion ---------------------------------------------------------------

@bp.route("/c/<slug>/discussions")
def index(slug):
    community = permissions.access_community_or_404(slug, current_user)
    return render_template("discussions/index.html", community=community,
                           page=queries.discussion_page(current_user, community,
                                                        queries.DiscussionFilters(page=page_number())),
                           membership=permissions.community_membership(current_user, community))


@bp.route("/c/<slug>/discussions/new", methods=["GET", "POST"])
@keeps_input
def new(slug):
    community = permissions.access_community_for_posting_or_404(slug, current_user)
    form = DiscussionForm()
    if form.validate_on_submit():
        try:
            with kept_after_commit():
                discussion = actions.start_discussion(current_user, community, form.title.data, form.body.data)
        except ActionError as error:
            form.add_refusal(error)
        else:
            # Saved: the answer needs no read (one that failed would say "not saved").
            flash(_("Your discussion is started."), "success")
            return redirect(url_for("discussions.view", discussion_id=saved_id(discussion)))
    return render_template("discussions/form.html", form=form, community=community, discussion=None,
                           needs_note=False), form.status


# --- the thread ----------------------------------------------------------------------------------

@bp.route("/d/<int:discussion_id>")
def view(discussion_id):
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    if request.args.get("fragment") == "reply":
        return _one_reply(discussion, row_id(request.args.get("number")))
    form = ReplyForm()
    quote = queries.reply_in(discussion, row_id(request.args.get("quote")))
    if quote is not None and not permissions.can_see_reply(current_user, quote):
        quote = None
    if quote is not None:
        form.quote_of.data = str(quote.id)
    return _thread(discussion, form, quote=quote)


def _thread(discussion, form, page=None, quote=None, status=200):
    """The discussion page. A fixed number of queries whatever the number of replies: the page
    of replies (authors and quoted replies joined), the user's helpful marks on it, their read
    mark, and the accepted answer."""
    # The opener's author before the replies: whether a reply happens to load the same person
    # must not change the number of queries.
    author = discussion.author
    # The stream's number before the replies: an event in between is then both shown and
    # replayed, and the page skips what it already has (never the other way round).
    facts = queries.thread_facts(current_user, discussion)
    replies = queries.reply_page(discussion, queries.ReplyFilters(page=page or page_number()), current_user)
    last_read = facts.last_read
    first_unread = None
    if last_read is not None and last_read < discussion.reply_count:
        first_unread = last_read + 1
    shown = replies.rows[-1].number if replies.rows else 0
    return render_template(
        "discussions/view.html", discussion=discussion, author=author, community=discussion.community,
        replies=replies, form=form, quote=quote, helpful=queries.helpful_ids(replies.rows),
        accepted=queries.accepted_answer(discussion, current_user),
        first_unread=first_unread,
        read_up_to=shown if shown > (last_read or 0) else None,
        membership=permissions.community_membership(current_user, discussion.community),
        trajectory_box=trajectory_queries.link_box(current_user, discussion, facts.linkable),
        live_last=facts.live_last, follow_level=facts.follow_level,
        rights=_rights(discussion), links=ReplyLinks(discussion.id, replies.number)), status


def _rights(discussion):
    """The reader's rights on each reply, for the reply macro (asked once per page, see
    permissions.ReplyRights)."""
    return permissions.ReplyRights(current_user._get_current_object(), discussion)


def _one_reply(discussion, number):
    """Reply ``number`` alone, rendered for this reader with their own buttons, for a page that
    heard of it live (static/js/discussion.js fetches it, as a review queue fetches its list):
    the partial of the thread, so the same rules decide what shows."""
    reply = queries.numbered_reply(discussion, number) if number else None
    if reply is None:
        abort(404)
    return render_template("discussions/_reply.html", reply=reply, discussion=discussion,
                           helpful=queries.helpful_reply_ids(current_user, [reply]),
                           may_reply=permissions.can_reply(current_user, discussion),
                           may_accept=permissions.can_accept_answer(current_user, discussion),
                           rights=_rights(discussion), links=ReplyLinks(discussion.id, page_of(reply.number)))


@bp.route("/d/<int:discussion_id>/reply", methods=["POST"])
@keeps_input
def reply(discussion_id):
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    if not permissions.can_open_post_form(current_user, discussion.community):
        abort(403)  # the thread with its form is shown again on a refused token: refuse first
    form = ReplyForm()
    quote_id = (form.quote_of.data or "").strip()
    # A quoted reply is reached by id like anything else: through permissions.
    quote = permissions.access_reply_or_404(row_id(quote_id), current_user) if quote_id else None
    if form.validate_on_submit():
        try:
            with kept_after_commit():
                new_reply = actions.post_reply(current_user, discussion, form.body.data, quote_of=quote)
        except ActionError as error:
            form.add_refusal(error)  # locked or archived meanwhile, muted, too fast
            if error.field == "quote_of":  # say why, and let them send it again without the quote
                form.quote_of.data, quote = "", None
        else:
            # Saved: to the reply, built from what the action returned; should even that fail,
            # to the discussion. Never an error page, which would invite sending it twice.
            return redirect(answer_saved(lambda: reply_url(new_reply),
                                         lambda: url_for("discussions.view", discussion_id=discussion_id)))
    # Show the last page, where the reply would have appeared, with the text kept.
    if quote is not None and (quote.discussion_id != discussion.id or quote.is_deleted):
        quote = None  # a removed reply is not named again, not even its author
    return _thread(discussion, form, page=queries.page_of(discussion.reply_count),
                   status=form.refused_status or 400, quote=quote)


@bp.route("/d/<int:discussion_id>/read", methods=["POST"])
def mark_read(discussion_id):
    """How far the user has read, sent by static/js/discussion.js (JSON or a form field)."""
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    try:
        payload = request.get_json(silent=True) if request.is_json else request.form
    except RecursionError:  # absurdly nested JSON
        abort(400)
    number = payload.get("number") if hasattr(payload, "get") else None
    if isinstance(number, str):
        number = number.strip()
        number = int(number) if number.isascii() and number.isdigit() and len(number) <= 10 else None
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < 2 ** 31:
        abort(400)
    actions.mark_read(current_user, discussion, number)
    return "", 204


# --- editing -------------------------------------------------------------------------------------

@bp.route("/d/<int:discussion_id>/edit", methods=["GET", "POST"])
@keeps_input
def edit(discussion_id):
    discussion = permissions.access_discussion_for_editing_or_404(discussion_id, current_user)
    # Not obj=discussion: a new edit needs its own reason, not the previous editor's note.
    form = DiscussionForm(data={"title": discussion.title, "body": discussion.body})
    if form.saved(lambda: actions.edit_discussion(current_user, discussion, form.title.data, form.body.data,
                                                  form.edit_note.data or ""),
                  _("Your changes are saved.")):
        return redirect(url_for("discussions.view", discussion_id=discussion.id))
    return render_template("discussions/form.html", form=form, community=discussion.community,
                           discussion=discussion, needs_note=discussion.author_id != current_user.id), form.status


@bp.route("/replies/<int:reply_id>/edit", methods=["GET", "POST"])
@keeps_input
def edit_reply(reply_id):
    reply = permissions.access_reply_for_editing_or_404(reply_id, current_user)
    form = EditReplyForm(data={"body": reply.body})
    if form.validate_on_submit():
        try:
            actions.edit_reply(current_user, reply, form.body.data, form.edit_note.data or "")
        except ActionError as error:
            form.add_error(error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(reply_url(reply))
    return render_template("discussions/edit_reply.html", form=form, reply=reply, discussion=reply.discussion,
                           community=reply.discussion.community, back=reply_url(reply),
                           needs_note=reply.author_id != current_user.id), form.status


@bp.route("/d/<int:discussion_id>/history")
def history(discussion_id):
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    return render_template("discussions/history.html", discussion=discussion, reply=None,
                           community=discussion.community,
                           back=url_for("discussions.view", discussion_id=discussion.id),
                           versions=queries.versions("discussion", discussion, discussion.title))


@bp.route("/replies/<int:reply_id>/history")
def reply_history(reply_id):
    reply = permissions.access_reply_or_404(reply_id, current_user)
    if not permissions.can_see_reply(current_user, reply):
        abort(404)  # hidden: its versions are the author's and the moderators' only
    # A removed reply's text and versions are gone: the author wanted them gone.
    return render_template("discussions/history.html", discussion=reply.discussion, reply=reply,
                           community=reply.discussion.community, back=reply_url(reply),
                           versions=[] if reply.is_deleted else queries.versions("reply", reply))


# --- buttons -------------------------------------------------------------------------------------

@bp.route("/replies/<int:reply_id>/remove", methods=["POST"])
def remove_reply(reply_id):
    reply = permissions.access_reply_or_404(reply_id, current_user)
    actions.remove_reply(current_user, reply)
    flash(_("Your reply is removed."), "success")
    return redirect(reply_url(reply))


@bp.route("/replies/<int:reply_id>/helpful", methods=["POST"])
def helpful(reply_id):
    reply = permissions.access_reply_or_404(reply_id, current_user)
    actions.set_helpful(current_user, reply, request.form.get("helpful", "1") != "0")
    return redirect(reply_url(reply))


@bp.route("/d/<int:discussion_id>/answer", methods=["POST"])
def answer(discussion_id):
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    if not permissions.can_accept_answer(current_user, discussion):
        abort(403)  # before the chosen reply is looked up: a 404 for it would come first
    value = (request.form.get("reply_id") or "").strip()
    chosen = permissions.access_reply_or_404(row_id(value), current_user) if value else None
    actions.accept_answer(current_user, discussion, chosen)
    if chosen is None:
        flash(_("The reply is no longer marked as the answer."), "success")
        return redirect(url_for("discussions.view", discussion_id=discussion.id))
    flash(_("Reply #%(number)d is marked as the answer.", number=chosen.number), "success")
    return redirect(reply_url(chosen))


@bp.route("/d/<int:discussion_id>/pin", methods=["POST"])
def pin(discussion_id):
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    pinned = request.form.get("pinned") == "1"
    actions.set_pinned(current_user, discussion, pinned)
    flash(_("The discussion is pinned: it is shown at the top.") if pinned
          else _("The discussion is no longer pinned."), "success")
    return redirect(url_for("discussions.view", discussion_id=discussion.id))


@bp.route("/d/<int:discussion_id>/lock", methods=["POST"])
def lock(discussion_id):
    discussion = permissions.access_discussion_or_404(discussion_id, current_user)
    locked = request.form.get("locked") == "1"
    actions.set_locked(current_user, discussion, locked, request.form.get("reason") or "")
    flash(_("The discussion is locked: nobody can reply.") if locked
          else _("The discussion is open for replies again."), "success")
    return redirect(url_for("discussions.view", discussion_id=discussion.id))
