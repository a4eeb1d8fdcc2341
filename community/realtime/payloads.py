"""What events carry. Content is pre-rendered on the server, from the same templates as the
pages, in every interface language (a room mixes Dutch and English readers), for a reader
without any rights: buttons that depend on the reader are added by the page itself. The HTML
comes from sanitised fields and autoescaped names only; plain fields travel as text.
"""
from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_login import AnonymousUserMixin


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


def reply_data(reply):
    from community.discussions.views import reply_url

    discussion = reply.discussion
    return {
        "discussion_id": discussion.id, "reply_id": reply.id, "number": reply.number,
        "author": person(reply.author), "removed": reply.is_deleted,
        "helpful_count": reply.helpful_count, "reply_count": discussion.reply_count,
        "html": localised("discussions/_reply.html", reply=reply, discussion=discussion, helpful=set(),
                          may_reply=False, may_accept=False, replies=None, reply_url=reply_url),
    }


def discussion_data(discussion):
    return {
        "discussion_id": discussion.id, "community_id": discussion.community_id,
        "title": discussion.title, "body_html": discussion.body_html, "locked": discussion.locked,
        "lock_reason": discussion.lock_reason, "pinned": discussion.pinned,
        "accepted_reply_id": discussion.accepted_reply_id, "reply_count": discussion.reply_count,
    }


def feed_data(entry):

    return {"entry_id": entry.id, "kind": entry.kind,
            "html": localised("communities/_feed_live.html", entry=entry)}
