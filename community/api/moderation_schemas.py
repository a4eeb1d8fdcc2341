"""Marshmallow schemas for reports, moderation steps, sanctions and the audit log.

As elsewhere, the input limits keep absurd input out cheaply and show in the OpenAPI document;
the actions check every value again (their messages name the field).
"""
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate

from community.actions.moderation import NOTE_MAX, REASON_MAX
from community.api.community_schemas import ROW_ID, id_field, page_field, page_of, Text, UserRefSchema
from community.api.content_schemas import CommunityRefSchema
from community.models import AUDIT_ACTIONS, REPORT_REASONS, REPORT_STATUSES, REPORT_TARGETS, SANCTION_KINDS

SANCTION_STATES = ("all", "in_force", "ended")


def _reason(limit, **kwargs):
    """Text the action limits to ``limit`` characters (after normalising it)."""
    metadata = {"description": f"At most {limit} characters", **kwargs.pop("metadata", {})}
    return Text(validate=validate.Length(max=2 * limit), metadata=metadata, **kwargs)


class Moment(fields.AwareDateTime):
    """An ISO 8601 moment with its time zone ("2026-12-31T17:00:00+01:00"). A moment without one
    is refused rather than guessed; one that cannot be held in UTC (year 9999 west of Greenwich)
    too, before anything compares or stores it."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(timezone.utc)
        except OverflowError:
            raise ValidationError("Not a moment that can be stored.")


# --- output ---------------------------------------------------------------------------------------

class ReportSchema(Schema):
    id = fields.Int()
    target = fields.Str(metadata={"enum": list(REPORT_TARGETS)})
    target_id = fields.Int()
    reason = fields.Str(metadata={"enum": list(REPORT_REASONS)})
    note = fields.Str()
    status = fields.Str(metadata={"enum": list(REPORT_STATUSES)})
    created_at = fields.DateTime()


class ReporterReportSchema(ReportSchema):
    reporter = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "null: account deleted"})


class ReportedItemSchema(Schema):
    title = fields.Str(metadata={"description": "The discussion's or case's title (a reply: its discussion's)"})
    excerpt = fields.Str(metadata={"description": "The start of the text, as plain markdown source"})
    author = fields.Nested(UserRefSchema, allow_none=True)
    number = fields.Int(allow_none=True, metadata={"description": "A reply's number in its discussion"})
    discussion_id = fields.Int(allow_none=True, metadata={"description": "A reply's discussion"})
    hidden = fields.Bool()
    removed = fields.Bool(metadata={"description": "A reply its author removed"})
    created_at = fields.DateTime()


class ReportGroupSchema(Schema):
    """The open reports on one item."""
    target = fields.Str(metadata={"enum": list(REPORT_TARGETS)})
    target_id = fields.Int()
    community = fields.Nested(CommunityRefSchema)
    count = fields.Int(metadata={"description": "Open reports on the item"})
    reasons = fields.List(fields.Str(), metadata={"description": "The reasons given, most frequent first"})
    latest = fields.DateTime(metadata={"description": "When the latest report came in"})
    item = fields.Nested(ReportedItemSchema, allow_none=True)
    reports = fields.List(fields.Nested(ReporterReportSchema))


ReportGroupPageSchema = page_of(ReportGroupSchema, "ReportGroupPageSchema")


class ModerationResultSchema(Schema):
    target = fields.Str(metadata={"enum": list(REPORT_TARGETS)})
    id = fields.Int()
    hidden = fields.Bool()
    hidden_reason = fields.Str()
    hidden_at = fields.DateTime(allow_none=True)
    open_reports = fields.Int()
    closed_reports = fields.Int(metadata={"description": "Reports this step closed"})


class SanctionSchema(Schema):
    id = fields.Int()
    community = fields.Nested(CommunityRefSchema)
    user = fields.Nested(UserRefSchema)
    kind = fields.Str(metadata={"enum": list(SANCTION_KINDS)})
    reason = fields.Str()
    ends_at = fields.DateTime(allow_none=True, metadata={"description": "null: until lifted (bans only)"})
    created_at = fields.DateTime()
    created_by = fields.Nested(UserRefSchema, allow_none=True)
    lifted_at = fields.DateTime(allow_none=True)
    lifted_by = fields.Nested(UserRefSchema, allow_none=True)
    in_force = fields.Bool()


SanctionPageSchema = page_of(SanctionSchema, "SanctionPageSchema")


class AuditEntrySchema(Schema):
    id = fields.Int()
    community = fields.Nested(CommunityRefSchema, allow_none=True,
                              metadata={"description": "null: a platform step (an account disabled)"})
    actor = fields.Nested(UserRefSchema, allow_none=True)
    action = fields.Str(metadata={"enum": list(AUDIT_ACTIONS)})
    target = fields.Str(metadata={"description": "reply, discussion, case, member or user"})
    target_id = fields.Int(allow_none=True)
    member = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "Whose post or who"})
    reason = fields.Str()
    data = fields.Dict()
    created_at = fields.DateTime()


AuditPageSchema = page_of(AuditEntrySchema, "AuditPageSchema")


# --- input ----------------------------------------------------------------------------------------

class ReportArgs(Schema):
    target = Text(required=True, validate=validate.OneOf(REPORT_TARGETS))
    id = id_field(required=True, metadata={"description": "The reply's, discussion's or case's id"})
    reason = Text(required=True, validate=validate.OneOf(REPORT_REASONS))
    note = _reason(NOTE_MAX, load_default="", metadata={"description": "Required with reason 'other'"})


class ReportListArgs(Schema):
    page = page_field()


class HideArgs(Schema):
    reason = _reason(REASON_MAX, required=True)


class DismissArgs(Schema):
    reason = _reason(REASON_MAX, load_default="")


class DiscussionMoveArgs(Schema):
    community = fields.Raw(required=True, metadata={"description": "The community's slug or id", "type": "string"})
    reason = _reason(REASON_MAX, load_default="")


class SanctionListArgs(Schema):
    state = Text(load_default="all", validate=validate.OneOf(SANCTION_STATES))
    page = page_field()


class SanctionArgs(Schema):
    user_id = id_field(required=True)
    kind = Text(required=True, validate=validate.OneOf(SANCTION_KINDS))
    ends_at = Moment(load_default=None, allow_none=True,
                     metadata={"description": "ISO 8601 with time zone; required for a mute, null for a ban "
                                              "until lifted"})
    reason = _reason(REASON_MAX, required=True, metadata={"description": "Shown to the member"})


class AuditListArgs(Schema):
    action = Text(load_default="", validate=validate.OneOf(("",) + AUDIT_ACTIONS))
    member_id = fields.Int(load_default=None, validate=ROW_ID, metadata={"description": "Steps about this person"})
    page = page_field()
