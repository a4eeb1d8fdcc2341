"""Shared by the writing actions: markdown rendering with mentions, revisions, size limits."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import markup, permissions
from community.actions import ActionError
from community.actions.validate import clean_text
from community.extensions import db
from community.models import Mention, Revision, User

TITLE_MAX = 200
DISCUSSION_BODY_MAX = 20_000
REPLY_BODY_MAX = 20_000
CASE_SECTION_MAX = 20_000
CASE_TOTAL_MAX = 50_000
EDIT_NOTE_MAX = 300


def clean_body(text, field, max_length, required=True):
    body = clean_text(text, field, max_length)
    if required and not body:
        raise ActionError(_l("Write something first: this text is empty."), field=field)
    return body


def users_for_mentions(*sources):
    """Users whose @handle appears in any of the sources, by lower-case handle (one query)."""
    handles = set()
    for source in sources:
        handles |= markup.mention_candidates(source)
    if not handles:
        return {}
    users = db.session.scalars(sa.select(User).where(User.handle.in_(list(handles)[:50]),
                                                     User.active.is_(True))).all()
    return {user.handle: user for user in users}


def render(source, users):
    """(html, mentioned user ids)."""
    rendered = markup.render_full(source, users)
    return rendered.html, rendered.mentioned


def record_mentions(target, target_id, community, author, user_ids):
    """Note new mentions (the notifications feature reads these). Existing ones are kept, and
    people who cannot read the community are not recorded (a mention must not tell them that a
    private post exists)."""
    new = set(user_ids or ()) - {getattr(author, "id", None)}
    if not new:
        return set()
    new -= set(db.session.scalars(sa.select(Mention.user_id).where(
        Mention.target == target, Mention.target_id == target_id)))
    recorded = set()
    for user in db.session.scalars(sa.select(User).where(User.id.in_(sorted(new)))).all():
        if permissions.can_view_community(user, community):
            db.session.add(Mention(target=target, target_id=target_id, user_id=user.id,
                                   author_id=getattr(author, "id", None), community_id=community.id))
            recorded.add(user.id)
    return recorded


def keep_revision(target, target_id, title, body, editor):
    db.session.add(Revision(target=target, target_id=target_id, title=title or "", body=body or "",
                            editor_id=editor.id))


def edit_note_for(actor, author_id, note):
    """Someone editing another person's post must say why; the note is shown with the post."""
    note = clean_text(note, "edit_note", EDIT_NOTE_MAX)
    if actor.id != author_id and not note:
        raise ActionError(_l("Say why you edit someone else's post; the note is shown with it."),
                          field="edit_note")
    return note if actor.id != author_id else ""
