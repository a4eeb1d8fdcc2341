"""What events carry: one builder per event type, and no event data is put together anywhere
else (community.realtime.schemas describes each shape, and the tests check every event sent
against it).

Events go to a room of readers with different rights, so they carry nothing that depends on
the reader. A reply is sent as its id and number: the page fetches it rendered for its reader,
with that reader's buttons (discussions.views.live_reply). Feed lines and notifications are
pre-rendered in every interface language (a room mixes Dutch and English readers) from the same
templates as the pages, from sanitised fields and autoescaped names only; plain fields travel
as text.
"""
import sqlalchemy as sa
from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_login import AnonymousUserMixin

from community.extensions import db
from community.models import CommunityMembership
from community.realtime import schemas


def localised(template_name, **context):
    """{"nl": html, "en": html} for a reader without rights. Works outside requests too (CLI)."""
    def render_all():
        out = {}
        for language in current_app.config["LANGUAGES"]:
            with force_locale(language):
                out[language] = render_template(template_name, current_user=AnonymousUserMixin(),
                                                **context).strip()
        return out

    if has_request_context():
        return render_all()
    with current_app.test_request_context():
        return render_all()


def person(user):
    if user is None:
        return None
    return {"id": user.id, "name": user.display_name, "handle": user.handle}


# --- discussions ----------------------------------------------------------------------------------

def reply_data(reply):
    """A reply posted, edited, removed or restored. No HTML: each page fetches the reply rendered
    for its own reader. The author is named for "new reply by X" (hidden replies send nothing)."""
    return {
        "discussion_id": reply.discussion_id, "reply_id": reply.id, "number": reply.number,
        "author": person(reply.author), "removed": reply.is_deleted,
        "helpful_count": reply.helpful_count, "reply_count": reply.discussion.reply_count,
    }


def reply_hidden(reply):
    """Names no content: the readers who may not see the reply need this event most."""
    return {"reply_id": reply.id, "number": reply.number}


def reaction_data(reply):
    return {"reply_id": reply.id, "number": reply.number, "helpful_count": reply.helpful_count}


def discussion_data(discussion):
    return {
        "discussion_id": discussion.id, "community_id": discussion.community_id,
        "title": discussion.title, "body_html": discussion.body_html, "locked": discussion.locked,
        "lock_reason": discussion.lock_reason, "pinned": discussion.pinned,
        "accepted_reply_id": discussion.accepted_reply_id, "reply_count": discussion.reply_count,
    }


def discussion_moved(discussion, community):
    return {"discussion_id": discussion.id, "community_id": community.id}


# --- hidden and restored (discussions and cases) -------------------------------------------------------

def item_ref(target, item):
    """A discussion or case hidden or restored: its id only."""
    return {f"{target}_id": item.id}


# --- cases, trajectories, communities, the review queue --------------------------------------------

def case_data(case):
    return {"case_id": case.id, "community_id": case.community_id, "title": case.title}


def trajectory_data(trajectory):
    return {"trajectory_id": trajectory.id}


def membership_data(community):
    """Member counters on open pages (the count is taken just before the commit)."""
    count = db.session.scalar(sa.select(sa.func.count(CommunityMembership.id)).where(
        CommunityMembership.community_id == community.id, CommunityMembership.state == "active"))
    return {"community_id": community.id, "member_count": count}


def queue_data(community):
    return {"community_id": community.id}


def feed_data(entry):
    return {"community_id": entry.community_id, "entry_id": entry.id, "kind": entry.kind,
            "html": localised("communities/_feed_live.html", entry=entry)}


def redacted(data):
    """A logged event about something hidden since: its ids and counts stay, its content goes."""
    return dict({key: data[key] for key in schemas.REDACTED_KEEPS if key in data}, redacted=True)


# --- notifications --------------------------------------------------------------------------------

def notification_data(notification_id, kind, unread, html):
    """``html`` renders the item (notifications of one batch share one rendering)."""
    return {"notification_id": notification_id, "kind": kind, "unread": unread, "html": html}


def notifications_read(unread):
    return {"unread": unread}


def notification_items(sample_id):
    """html(notification id): the live HTML of a batch of notifications, rendered once per
    language from the batch's first row (``sample_id``): the rows of one batch differ only in
    their id (same kind, actor, text and time), which is put in per row. Rendering it for every
    recipient was most of a fan-out's cost."""
    from community.models import Notification

    rendered = {}

    def html(row_id):
        if not rendered:
            rendered.update(localised("notifications/_live_item.html",
                                      notification=db.session.get(Notification, sample_id)))
        return {language: text.replace(f'id="notification-{sample_id}"', f'id="notification-{row_id}"')
                .replace(f"/notifications/{sample_id}/", f"/notifications/{row_id}/")
                for language, text in rendered.items()}
    return html
