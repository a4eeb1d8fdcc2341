"""Practice cases (praktijkcasussen): write as draft, publish, edit with history, tag.
Publishing gives the case its own discussion and a line in the community feed."""
import json
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community import markup, permissions
from community.actions import ActionError, NotAllowed, attachments
from community.actions.content import (
    CASE_SECTION_MAX, CASE_TOTAL_MAX, TITLE_MAX, edit_note_for, keep_revision, record_mentions, render,
    users_for_mentions,
)
from community.actions import abuse, moderation
from community.actions.discussions import check_can_post, start_discussion
from community.actions.notifications import notify_mentions
from community.realtime import payloads, streams
from community.realtime.events import send_event_on_commit
from community.actions.feed import add_entry, retitle_feed_entries
from community.actions.validate import check_choice, clean_line, clean_text
from community.extensions import db
from community.search import index as search_index
from community.models import (
    CASE_LEVELS, CASE_SECTIONS, Case, CaseTag, Organisation, OrganisationMembership, utcnow,
)

MAX_TAGS = 10
TAG_RE = re.compile(r"^[\w][\w .&+/-]{0,39}$")


def _clean(actor, community, keep_organisation=None, /, *, title, domain="", level="na", organisation_id=None,
           tags=(), **sections):
    """Checked fields and tags. ``keep_organisation`` (positional only, so no caller's data can
    set it) is an organisation the case already names: it stays valid unchanged."""
    fields = {
        "title": clean_line(title, "title", TITLE_MAX),
        "domain": clean_line(domain, "domain", 80, required=False),
        "level": check_choice(level or "na", CASE_LEVELS, "level"),
        "organisation_id": (organisation_id if keep_organisation and organisation_id == keep_organisation
                            else _check_organisation(actor, organisation_id)),
    }
    total = 0
    for name in CASE_SECTIONS:
        fields[name] = clean_text(sections.get(name, ""), name, CASE_SECTION_MAX)
        total += len(fields[name])
    if total > CASE_TOTAL_MAX:
        raise ActionError(_l("A case can have at most %(max)d characters in all (now %(count)d). "
                             "Shorten a section or attach a document.", max=CASE_TOTAL_MAX, count=total),
                          field="context")
    return fields, _clean_tags(tags)


def _check_organisation(actor, organisation_id):
    """A case may name an organisation the author belongs to (or none)."""
    if organisation_id in (None, "", 0):
        return None
    if not isinstance(organisation_id, int) or not permissions.valid_row_id(organisation_id):
        raise ActionError(_l("Choose one of your organisations."), field="organisation_id")
    member = db.session.scalar(sa.select(OrganisationMembership.id).where(
        OrganisationMembership.organisation_id == organisation_id, OrganisationMembership.user_id == actor.id,
        OrganisationMembership.state == "active"))
    if member is None and not permissions.is_admin(actor):
        raise ActionError(_l("Choose one of your organisations."), field="organisation_id")
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.status != "active":  # admins skip the membership check
        raise ActionError(_l("Choose one of your organisations."), field="organisation_id")
    return organisation_id


def _clean_tags(tags):
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = []
    for raw in tags or ():
        tag = " ".join(str(raw).split()).strip().lower()
        if not tag:
            continue
        if not TAG_RE.match(tag):
            raise ActionError(_l("Tags are words of at most 40 letters or digits, separated by commas."),
                              field="tags")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ActionError(_l("Use at most %(max)d tags.", max=MAX_TAGS), field="tags")
    return cleaned


def _apply(case, actor, fields, tags):
    sources = [fields[name] for name in CASE_SECTIONS]
    users = users_for_mentions(*sources)
    mentioned = set()
    for name, value in fields.items():
        setattr(case, name, value)
    for name in CASE_SECTIONS:
        html, ids = render(fields[name], users)
        setattr(case, name + "_html", html)
        mentioned |= ids
    case.render_version = markup.RENDER_VERSION
    # Keep the rows of tags that stay: replacing them all would insert the new row before the
    # old one is deleted, which the (case_id, tag) unique constraint refuses.
    existing = {row.tag: row for row in case.tags}
    case.tags = [existing.get(tag) or CaseTag(tag=tag) for tag in tags]
    return mentioned


def create_case(actor, community, publish=False, **data):
    check_can_post(actor, community, not_member=_l("Join this community to share practice cases."))
    fields, tags = _clean(actor, community, **data)
    abuse.check_post(actor, "\n".join(str(data.get(name) or "") for name in CASE_SECTIONS))
    if publish:
        _check_publishable(fields)  # before writing: a refused publish must not leave a draft behind
    case = Case(community_id=community.id, author_id=actor.id, status="draft")
    mentioned = _apply(case, actor, fields, tags)
    db.session.add(case)
    if _links_upload(fields):
        db.session.flush()  # the case's id, for the images it shows
        _claim(actor, case, fields)
    search_index.case_changed(case)  # its author finds their own draft
    db.session.commit()  # a draft: its mentions are recorded when it is published
    if publish:
        publish_case(actor, case)
    return case


def update_case(actor, case, edit_note="", publish=False, **data):
    if not permissions.can_edit_case(actor, case):
        raise NotAllowed(_l("You cannot edit this case."))
    # The case's organisation stays valid when someone else (a coordinator) edits it, or when
    # the author has since left that organisation.
    fields, tags = _clean(actor, case.community, case.organisation_id, **data)
    if publish and not case.is_published:
        _check_publishable(fields)
    note = edit_note_for(actor, case.author_id, edit_note) if case.is_published else ""
    if case.is_published:
        keep_revision("case", case.id, case.title,
                      json.dumps({name: getattr(case, name) for name in CASE_SECTIONS}, ensure_ascii=False),
                      actor)
        case.edited_at, case.edit_note = utcnow(), note
        moderation.record_edit(actor, "case", case, note)
    if case.is_published and fields["title"] != case.title:
        retitle_feed_entries("case", case.id, fields["title"])
    mentioned = _apply(case, actor, fields, tags)
    _claim(actor, case, fields)
    if case.is_published:
        _notify_mentions(actor, case, record_mentions("case", case.id, case.community, actor, mentioned))
        _send(case, "updated")
    if case.discussion is not None and case.discussion.title != case.title:
        case.discussion.title = case.title
        search_index.discussion_changed(case.discussion)
    search_index.case_changed(case)
    db.session.commit()
    if publish and not case.is_published:
        publish_case(actor, case)
    return case


def _links_upload(fields):
    return any(attachments.ATTACHMENT_LINK.search(fields[name] or "") for name in CASE_SECTIONS)


def _claim(actor, case, fields):
    attachments.claim_uploads(actor, *(fields[name] for name in CASE_SECTIONS), case_id=case.id)


def publish_case(actor, case):
    """Publish a draft: members can read it, it gets its own discussion and a feed line."""
    if case.is_published and case.author_id == getattr(actor, "id", None):
        return case  # a second click changes nothing
    if not permissions.can_publish_case(actor, case):
        raise NotAllowed(_l("Only the author can publish this case."))
    _check_publishable({name: getattr(case, name) for name in CASE_SECTIONS})
    case.status = "published"
    case.published_at = utcnow()
    users = users_for_mentions(*[getattr(case, name) for name in CASE_SECTIONS])
    mentioned = set()
    for name in CASE_SECTIONS:
        mentioned |= render(getattr(case, name), users)[1]
    _notify_mentions(actor, case, record_mentions("case", case.id, case.community, actor, mentioned))
    _send(case, "published")
    add_entry(case.community, "case_published", actor=actor, object_type="case", object_id=case.id,
              title=case.title)
    if case.discussion is None:
        start_discussion(actor, case.community, case.title, "", case=case, commit=False)
    search_index.case_changed(case)  # dated by its publication now
    db.session.commit()
    return case


def _notify_mentions(actor, case, user_ids):
    notify_mentions(actor, "case", case.id, user_ids, case.title)


def _send(case, op):
    if case.is_hidden:
        return
    send_event_on_commit(streams.case(case.id), "case", op, subject=streams.subject("case", case.id),
                         build=lambda: payloads.case_data(case))


def _check_publishable(fields):
    if not any((fields.get(name) or "").strip() for name in CASE_SECTIONS):
        raise ActionError(_l("Fill in at least one section before you publish."), field="context")


def delete_draft(actor, case):
    """Delete a draft with its attachments (rows and files)."""
    if not permissions.can_delete_case(actor, case):
        raise NotAllowed(_l("Only the author can delete a draft; published cases stay."))
    files = [attachments.path_of(attachment) for attachment in case.attachments]
    db.session.delete(case)
    db.session.commit()
    attachments.remove_files(files)


def rerender_cases():
    count = 0
    for case in db.session.scalars(sa.select(Case).where(Case.render_version < markup.RENDER_VERSION)).all():
        users = users_for_mentions(*[getattr(case, name) for name in CASE_SECTIONS])
        for name in CASE_SECTIONS:
            setattr(case, name + "_html", render(getattr(case, name), users)[0])
        case.render_version = markup.RENDER_VERSION
        count += 1
    db.session.commit()
    return count
