"""Marshmallow schemas for discussions, replies, practice cases, attachments and the preview.

As in community_schemas: the input limits keep absurd input out cheaply and show in the OpenAPI
document, but they are looser than the actions' own (twice as long), so that a title or body
just over the limit is refused by the action, whose message names the field.
"""
from marshmallow import Schema, fields, validate
from flask_smorest.fields import Upload

from community.actions.cases import MAX_TAGS
from community.actions.content import (
    CASE_SECTION_MAX, CASE_TOTAL_MAX, DISCUSSION_BODY_MAX, EDIT_NOTE_MAX, REPLY_BODY_MAX, TITLE_MAX,
)
from community.api.community_schemas import (
    ROW_ID, id_field, list_of, page_field, page_of, Text, UserRefSchema,
)
from community.models import CASE_LEVELS, CASE_SECTIONS, CASE_STATUSES

PREVIEW_MAX = 50_000


def _text(limit, **kwargs):
    """Text the action limits to ``limit`` characters (after normalising it)."""
    return Text(validate=validate.Length(max=2 * limit),
                metadata={"description": f"At most {limit} characters", **kwargs.pop("metadata", {})}, **kwargs)


def _markdown(limit, **kwargs):
    return _text(limit, metadata={"description": f"Markdown, at most {limit} characters"}, **kwargs)


# --- output ---------------------------------------------------------------------------------------

class CommunityRefSchema(Schema):
    id = fields.Int()
    slug = fields.Str()
    name = fields.Str()


class DiscussionSummarySchema(Schema):
    """A discussion in the community's list."""
    id = fields.Int()
    community_id = fields.Int()
    title = fields.Str()
    author = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "null: account deleted"})
    reply_count = fields.Int(metadata={"description": "Replies ever posted (removed ones included)"})
    pinned = fields.Bool()
    locked = fields.Bool()
    answered = fields.Bool(metadata={"description": "A reply is marked as the answer"})
    accepted_reply_id = fields.Int(allow_none=True)
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    last_activity_at = fields.DateTime()
    last_read_number = fields.Int(metadata={"description": "The highest reply number you have read (0: none)"})
    hidden = fields.Bool(metadata={"description": "Hidden by a coordinator: listed for its author and the "
                                                  "community's coordinators only"})


class DiscussionSchema(DiscussionSummarySchema):
    """One discussion with its opening post."""
    community = fields.Nested(CommunityRefSchema)
    case_id = fields.Int(allow_none=True, metadata={"description": "Set when this is a practice case's discussion"})
    body = fields.Str(metadata={"description": "Markdown source of body_html"})
    body_html = fields.Str(metadata={"description": "Sanitised HTML rendered from the markdown"})
    lock_reason = fields.Str()
    edit_note = fields.Str(metadata={"description": "Why someone other than the author edited it"})
    hidden_reason = fields.Str(metadata={"description": "Why a coordinator hid it"})
    can_reply = fields.Bool()
    can_edit = fields.Bool()
    can_moderate = fields.Bool(metadata={"description": "Pin and lock"})
    can_accept_answer = fields.Bool()


DiscussionPageSchema = page_of(DiscussionSummarySchema, "DiscussionPageSchema")


class QuotedReplySchema(Schema):
    id = fields.Int()
    number = fields.Int()
    author = fields.Nested(UserRefSchema, allow_none=True)
    removed = fields.Bool()


class ReplySchema(Schema):
    id = fields.Int()
    discussion_id = fields.Int()
    number = fields.Int(metadata={"description": "1, 2, 3... within the discussion; kept when removed"})
    author = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "null when removed"})
    quote_of = fields.Nested(QuotedReplySchema, allow_none=True)
    body = fields.Str(allow_none=True, metadata={"description": "Markdown source; null when removed"})
    body_html = fields.Str(allow_none=True, metadata={"description": "Sanitised HTML; null when removed"})
    removed = fields.Bool()
    hidden = fields.Bool(metadata={"description": "Hidden by a coordinator: body, body_html and author are null "
                                                  "except for its author and the community's coordinators"})
    hidden_reason = fields.Str(metadata={"description": "Why (for its author and the coordinators)"})
    accepted = fields.Bool(metadata={"description": "Marked as the discussion's answer"})
    helpful_count = fields.Int()
    me_helpful = fields.Bool(metadata={"description": "You marked it helpful"})
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    edit_note = fields.Str()
    can_edit = fields.Bool()
    can_remove = fields.Bool()
    can_mark_helpful = fields.Bool()


ReplyPageSchema = page_of(ReplySchema, "ReplyPageSchema")


class OrganisationRefSchema(Schema):
    id = fields.Int()
    name = fields.Str()


class CaseSummarySchema(Schema):
    """A practice case in the community's list."""
    id = fields.Int()
    community_id = fields.Int()
    title = fields.Str()
    status = fields.Str(metadata={"enum": list(CASE_STATUSES)})
    author = fields.Nested(UserRefSchema, allow_none=True)
    organisation = fields.Nested(OrganisationRefSchema, allow_none=True)
    domain = fields.Str()
    level = fields.Str(metadata={"enum": list(CASE_LEVELS)})
    tags = fields.List(fields.Str())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    edited_at = fields.DateTime(allow_none=True)
    discussion_id = fields.Int(allow_none=True, metadata={"description": "The case's own discussion (once published)"})
    reply_count = fields.Int()
    attachment_count = fields.Int()
    hidden = fields.Bool(metadata={"description": "Hidden by a coordinator: listed for its author and the "
                                                  "community's coordinators only"})


class CaseSchema(CaseSummarySchema):
    """One case with its sections (markdown source and sanitised HTML)."""
    community = fields.Nested(CommunityRefSchema)
    context = fields.Str()
    context_html = fields.Str()
    question = fields.Str()
    question_html = fields.Str()
    approach = fields.Str()
    approach_html = fields.Str()
    result = fields.Str()
    result_html = fields.Str()
    lessons = fields.Str()
    lessons_html = fields.Str()
    edit_note = fields.Str()
    hidden_reason = fields.Str(metadata={"description": "Why a coordinator hid it"})
    can_edit = fields.Bool()
    can_publish = fields.Bool(metadata={"description": "Your draft, and you may still post here"})
    can_delete = fields.Bool(metadata={"description": "Your draft (published cases stay)"})


CasePageSchema = page_of(CaseSummarySchema, "CasePageSchema")


class AttachmentSchema(Schema):
    id = fields.Int()
    case_id = fields.Int()
    name = fields.Str(attribute="original_name")
    content_type = fields.Str()
    size = fields.Int(metadata={"description": "Bytes"})
    width = fields.Int(allow_none=True)
    height = fields.Int(allow_none=True)
    is_image = fields.Bool()
    created_at = fields.DateTime()
    url = fields.Str(metadata={"description": "Where to download it (with your session)"})


AttachmentListSchema = list_of(AttachmentSchema, "AttachmentListSchema")


class ComposerUploadSchema(Schema):
    id = fields.Int()
    name = fields.Str(attribute="original_name")
    content_type = fields.Str()
    size = fields.Int(metadata={"description": "Bytes"})
    width = fields.Int()
    height = fields.Int()
    url = fields.Str(metadata={"description": "Where it is shown (with the reader's session)"})
    markdown = fields.Str(metadata={"description": "The image in markdown, to put in the text"})


class PreviewSchema(Schema):
    html = fields.Str(metadata={"description": "Sanitised HTML, exactly as a post would show it"})


# --- input ----------------------------------------------------------------------------------------

class DiscussionCreateArgs(Schema):
    title = _text(TITLE_MAX, required=True)
    body = _markdown(DISCUSSION_BODY_MAX, required=True)


class DiscussionUpdateArgs(Schema):
    """Fields left out stay as they are."""
    title = _text(TITLE_MAX)
    body = _markdown(DISCUSSION_BODY_MAX)
    edit_note = _text(EDIT_NOTE_MAX, metadata={"description": "Required when you edit someone else's post"})


class PinArgs(Schema):
    pinned = fields.Bool(required=True)


class LockArgs(Schema):
    locked = fields.Bool(required=True)
    reason = _text(EDIT_NOTE_MAX, load_default="", metadata={"description": "Shown with the discussion"})


class AnswerArgs(Schema):
    reply_id = id_field(required=True, allow_none=True, metadata={"description": "A reply of this discussion; null clears"})


class ReplyCreateArgs(Schema):
    body = _markdown(REPLY_BODY_MAX, required=True)
    quote_of = id_field(load_default=None, allow_none=True, metadata={"description": "Id of a reply of this discussion"})


class ReplyUpdateArgs(Schema):
    body = _markdown(REPLY_BODY_MAX, required=True)
    edit_note = _text(EDIT_NOTE_MAX, load_default="",
                      metadata={"description": "Required when you edit someone else's reply"})


class CaseListArgs(Schema):
    tag = Text(load_default="", validate=validate.Length(max=80))
    domain = Text(load_default="", validate=validate.Length(max=80))
    level = Text(load_default="", validate=validate.OneOf(("",) + tuple(CASE_LEVELS)))
    organisation = fields.Int(load_default=None, validate=ROW_ID, metadata={"description": "Organisation id"})
    page = page_field()


def _case_fields(create):
    """The case's fields; on create, what is left out gets its empty default."""
    default = (lambda value: {"load_default": value}) if create else (lambda value: {})
    return {
        "title": _text(TITLE_MAX, required=create),
        **{name: _markdown(CASE_SECTION_MAX, **default("")) for name in CASE_SECTIONS},
        "domain": _text(80, **default("")),
        "level": Text(validate=validate.OneOf(CASE_LEVELS), **default("na")),
        "organisation_id": id_field(allow_none=True, **default(None),
                               metadata={"description": "One of your organisations; null: none"}),
        "tags": fields.List(Text(validate=validate.Length(max=80)), validate=validate.Length(max=5 * MAX_TAGS),
                            **default(list),
                            metadata={"description": f"At most {MAX_TAGS} tags of at most 40 characters"}),
        "publish": fields.Bool(**default(False),
                               metadata={"description": "Publish now (a draft is visible to you only)"}),
    }


CaseCreateArgs = Schema.from_dict(_case_fields(create=True), name="CaseCreateArgs")
CaseCreateArgs.__doc__ = f"A new case (a draft unless publish is true). The sections hold at most {CASE_TOTAL_MAX} " \
                         f"characters together."
CaseUpdateArgs = Schema.from_dict({
    **_case_fields(create=False),
    "edit_note": _text(EDIT_NOTE_MAX, metadata={"description": "Required when you edit someone else's published case"}),
}, name="CaseUpdateArgs")
CaseUpdateArgs.__doc__ = "Fields left out stay as they are."


class UploadArgs(Schema):
    file = Upload(required=True, metadata={"description": "PNG, JPEG, WebP or PDF, at most 10 MB"})


class ImageUploadArgs(Schema):
    file = Upload(required=True, metadata={"description": "PNG, JPEG or WebP, at most 10 MB"})


class PreviewArgs(Schema):
    text = Text(required=True, validate=validate.Length(max=PREVIEW_MAX),
                metadata={"description": f"Markdown, at most {PREVIEW_MAX} characters"})
