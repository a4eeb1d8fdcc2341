"""Addresses of things, for pages, the API, notifications and live events alike. It imports no
view, so any layer may use it (a view module that another one imports for its URLs would tie
the blueprints together and hide an import cycle)."""
from flask import url_for

from community import permissions
from community.models import Community

REPLIES_PER_PAGE = 50  # a thread's page holds this many replies


def page_of(number):
    """The page of replies on which reply ``number`` (1, 2, 3...) appears."""
    return max(1, (number - 1) // REPLIES_PER_PAGE + 1)


def reply_number_url(discussion_id, number):
    """A reply by its number: its page of the thread, scrolled to it."""
    page = page_of(number)
    return url_for("discussions.view", discussion_id=discussion_id, page=page if page > 1 else None,
                   _anchor=f"reply-{number}")


def reply_url(reply):
    return reply_number_url(reply.discussion_id, reply.number)


def quote_url(reply):
    """The reply form on the reply's page of the thread, quoting it."""
    page = page_of(reply.number)
    return url_for("discussions.view", discussion_id=reply.discussion_id, page=page if page > 1 else None,
                   quote=reply.id, _anchor="reply-form")


def item_url(target, item):
    """A reply, discussion or case (what moderation works on)."""
    if target == "reply":
        return reply_url(item)
    if target == "discussion":
        return url_for("discussions.view", discussion_id=item.id)
    return url_for("cases.view", case_id=item.id)


def search_hit_url(hit):
    """Where a search hit (community.search.query.Hit) lives."""
    if hit.kind == "reply":
        return reply_number_url(hit.discussion_id, hit.reply_number)
    if hit.kind == "discussion":
        return url_for("discussions.view", discussion_id=hit.discussion_id)
    if hit.kind == "case":
        return url_for("cases.view", case_id=hit.case_id)
    return url_for("trajectories.view", trajectory_id=hit.trajectory_id)


def notification_url(notification):
    """Where a notification leads: the reply in its discussion, the case, the trajectory, the
    community (or its requests page for coordinators)."""
    kind, object_id = notification.object_type, notification.object_id
    if kind == "discussion":
        number = (notification.data or {}).get("number") or 0
        if number:
            return reply_number_url(object_id, number)
        return url_for("discussions.view", discussion_id=object_id)
    if kind == "case":
        return url_for("cases.view", case_id=object_id)
    if kind == "trajectory":
        return url_for("trajectories.view", trajectory_id=object_id)
    if kind == "export":
        return url_for("account.privacy")
    community = permissions.get_row(Community, object_id)
    if community is None:
        return url_for("notifications.index")
    if notification.kind == "join_request":
        return url_for("communities.requests", slug=community.slug)
    return url_for("communities.home", slug=community.slug)


class _Pattern:
    """An address of ``endpoint`` with one value left open: url_for is asked once, with a
    placeholder that no id reaches, and each value is then put in its place."""
    PLACEHOLDER = 918273645546372819

    def __init__(self, endpoint, key, **values):
        placeholder = str(self.PLACEHOLDER) if key == "_anchor" else self.PLACEHOLDER
        self.head, _, self.tail = url_for(endpoint, **values, **{key: placeholder}).partition(
            str(self.PLACEHOLDER))

    def __call__(self, value):
        return f"{self.head}{value}{self.tail}"


class ReplyLinks:
    """The addresses a page of replies shows for each reply (its buttons, its quote link), built
    once per page: url_for per reply was the costly part of a reply's links. Each gives what
    url_for (or reply_url, quote_url) gives for that reply."""

    def __init__(self, discussion_id, page):
        self.discussion_id, self.page = discussion_id, page
        self.helpful = _Pattern("discussions.helpful", "reply_id")
        self.report = _Pattern("moderation.report", "item_id", target="reply")
        self.edit = _Pattern("discussions.edit_reply", "reply_id")
        self.remove = _Pattern("discussions.remove_reply", "reply_id")
        self.history = _Pattern("discussions.reply_history", "reply_id")
        self.answer = url_for("discussions.answer", discussion_id=discussion_id)
        shown = page if page > 1 else None
        self._reply = _Pattern("discussions.view", "_anchor", discussion_id=discussion_id, page=shown)
        self._quote = _Pattern("discussions.view", "quote", discussion_id=discussion_id, page=shown,
                               _anchor="reply-form")

    def reply(self, reply):
        """reply_url(reply)."""
        if reply.discussion_id != self.discussion_id or page_of(reply.number) != self.page:
            return reply_url(reply)
        return self._reply(f"reply-{reply.number}")

    def quote(self, reply):
        """quote_url(reply)."""
        if reply.discussion_id != self.discussion_id or page_of(reply.number) != self.page:
            return quote_url(reply)
        return self._quote(reply.id)
