"""Marshmallow schemas for development trajectories, milestones, the learning log, evidence links
and follows.

As elsewhere: input limits keep absurd input out cheaply and are twice the actions' own, so a text
just over the limit is refused by the action, whose message names the field. Choices the actions
check themselves (status, role, kind, value_kind) are plain text here, so the action decides the
answer (a 409 invalid_transition for a status, a 422 naming the field for the others).
"""
from marshmallow import Schema, fields, validate

from community.actions.content import TITLE_MAX
from community.actions.trajectories import ENTRY_MAX, GOAL_MAX
from community.api.community_schemas import (
    ROW_ID, id_field, list_of, page_field, page_of, Text, UserRefSchema,
)
from community.api.content_schemas import OrganisationRefSchema
from community.models import (
    ENTRY_KINDS, LINK_TARGETS, MILESTONE_STATUSES, PARTICIPANT_ROLES, TRAJECTORY_STATUSES,
    TRAJECTORY_VISIBILITIES, VALUE_KINDS,
)


def _text(limit, markdown=False, **kwargs):
    kind = "Markdown, at most" if markdown else "At most"
    return Text(validate=validate.Length(max=2 * limit),
                metadata={"description": f"{kind} {limit} characters", **kwargs.pop("metadata", {})}, **kwargs)


def _choice(values, **kwargs):
    return Text(validate=validate.Length(max=40), metadata={"enum": list(values), **kwargs.pop("metadata", {})},
                **kwargs)


def _date(**kwargs):
    return fields.Date(allow_none=True, metadata={"description": "ISO date (YYYY-MM-DD)",
                                                  **kwargs.pop("metadata", {})}, **kwargs)


# --- output ---------------------------------------------------------------------------------------

class TrajectoryCommunitySchema(Schema):
    slug = fields.Str()
    name = fields.Str()


class ProgressSchema(Schema):
    done = fields.Int(metadata={"description": "Milestones done"})
    total = fields.Int(metadata={"description": "All milestones"})


class TrajectorySummarySchema(Schema):
    """A trajectory in the list."""
    id = fields.Int()
    title = fields.Str()
    status = fields.Str(metadata={"enum": list(TRAJECTORY_STATUSES)})
    visibility = fields.Str(metadata={"enum": list(TRAJECTORY_VISIBILITIES)})
    organisation = fields.Nested(OrganisationRefSchema)
    community = fields.Nested(TrajectoryCommunitySchema)
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    progress = fields.Nested(ProgressSchema)
    following = fields.Bool(metadata={"description": "You follow it"})


TrajectoryPageSchema = page_of(TrajectorySummarySchema, "TrajectoryPageSchema")


class ParticipantSchema(Schema):
    user = fields.Nested(UserRefSchema)
    role = fields.Str(metadata={"enum": list(PARTICIPANT_ROLES)})


class MilestoneSchema(Schema):
    id = fields.Int()
    trajectory_id = fields.Int()
    position = fields.Int(metadata={"description": "Order within the trajectory (1, 2, ...; gaps possible)"})
    title = fields.Str()
    description = fields.Str(metadata={"description": "Markdown source of description_html"})
    description_html = fields.Str(metadata={"description": "Sanitised HTML rendered from the markdown"})
    due_date = fields.Date(allow_none=True)
    status = fields.Str(metadata={"enum": list(MILESTONE_STATUSES)})
    done_at = fields.DateTime(allow_none=True)
    signed_off_by = fields.Nested(UserRefSchema, allow_none=True,
                                  metadata={"description": "The coach who signed it off (afgetekend)"})
    signed_off_at = fields.DateTime(allow_none=True)


MilestoneListSchema = list_of(MilestoneSchema, "MilestoneListSchema")


class TrajectorySchema(TrajectorySummarySchema):
    """One trajectory with its goal, evaluation, participants and milestones."""
    goal = fields.Str(metadata={"description": "Markdown source of goal_html"})
    goal_html = fields.Str(metadata={"description": "Sanitised HTML rendered from the markdown"})
    evaluation = fields.Str(metadata={"description": "Written when the trajectory is completed"})
    evaluation_html = fields.Str()
    scan_dimension = fields.Str(allow_none=True, metadata={"description": "The scan dimension it works on"})
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema))
    milestones = fields.List(fields.Nested(MilestoneSchema))
    my_role = fields.Str(allow_none=True, metadata={"enum": list(PARTICIPANT_ROLES) + [None]})
    can_edit = fields.Bool(metadata={"description": "You own it (a manager of the company)"})
    can_contribute = fields.Bool(metadata={"description": "You may write in the learning log and link evidence"})


class EntrySchema(Schema):
    """One entry of the learning-outcome log (leeropbrengst)."""
    id = fields.Int()
    trajectory_id = fields.Int()
    milestone_id = fields.Int(allow_none=True)
    author = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "null: account deleted"})
    kind = fields.Str(metadata={"enum": list(ENTRY_KINDS)})
    value_kind = fields.Str(metadata={"enum": list(VALUE_KINDS)})
    body = fields.Str(metadata={"description": "Markdown source of body_html"})
    body_html = fields.Str(metadata={"description": "Sanitised HTML rendered from the markdown"})
    created_at = fields.DateTime()


EntryPageSchema = page_of(EntrySchema, "EntryPageSchema")


class LinkSchema(Schema):
    id = fields.Int()
    trajectory_id = fields.Int()
    milestone_id = fields.Int(allow_none=True)
    target = fields.Str(metadata={"enum": list(LINK_TARGETS)})
    target_id = fields.Int()
    title = fields.Str(metadata={"description": "The case's or discussion's title"})
    created_at = fields.DateTime()


LinkListSchema = list_of(LinkSchema, "LinkListSchema")


class FollowSchema(Schema):
    following = fields.Bool()


# --- input ----------------------------------------------------------------------------------------

class TrajectoryListArgs(Schema):
    organisation = fields.Int(load_default=None, validate=ROW_ID, metadata={"description": "Organisation id"})
    community = Text(load_default="", validate=validate.Length(max=80), metadata={"description": "Community slug"})
    status = Text(load_default="", validate=validate.OneOf(("",) + tuple(TRAJECTORY_STATUSES)))
    following = fields.Bool(load_default=False, metadata={"description": "Only those you follow"})
    page = page_field()


def _trajectory_fields(create):
    default = (lambda value: {"load_default": value}) if create else (lambda value: {})
    return {
        "title": _text(TITLE_MAX, required=create),
        "goal": _text(GOAL_MAX, markdown=True, **default("")),
        "visibility": _choice(TRAJECTORY_VISIBILITIES, **default("community")),
        "planned_start": _date(**default(None)),
        "planned_end": _date(**default(None)),
        "scan_dimension": Text(allow_none=True, validate=validate.Length(max=40), **default(None), metadata={
            "description": "The learning-culture scan dimension it works on (a questionnaire dimension code)"}),
    }


TrajectoryCreateArgs = Schema.from_dict({
    "organisation_id": id_field(required=True, metadata={"description": "A company you manage"}),
    "community_slug": Text(required=True, validate=validate.Length(max=80),
                           metadata={"description": "A community you are a member of; it hosts the trajectory"}),
    **_trajectory_fields(create=True),
}, name="TrajectoryCreateArgs")
TrajectoryCreateArgs.__doc__ = "A new trajectory (status concept)."
TrajectoryUpdateArgs = Schema.from_dict(_trajectory_fields(create=False), name="TrajectoryUpdateArgs")
TrajectoryUpdateArgs.__doc__ = "Fields left out stay as they are."


class StatusArgs(Schema):
    status = _choice(TRAJECTORY_STATUSES, required=True,
                     metadata={"description": "concept -> active <-> paused; active/paused -> completed"})
    evaluation = _text(GOAL_MAX, markdown=True, load_default="",
                       metadata={"description": "Required (at least 20 characters) to complete"})


class ParticipantArgs(Schema):
    user_id = id_field(required=True)
    role = _choice(PARTICIPANT_ROLES, required=True)


class MilestoneCreateArgs(Schema):
    title = _text(TITLE_MAX, required=True)
    description = _text(GOAL_MAX, markdown=True, load_default="")
    due_date = _date(load_default=None, metadata={"description": "ISO date, not before the planned start"})


class MilestoneUpdateArgs(Schema):
    """Fields left out stay as they are."""
    title = _text(TITLE_MAX)
    description = _text(GOAL_MAX, markdown=True)
    due_date = _date()


class DoneArgs(Schema):
    done = fields.Bool(required=True)


class MoveArgs(Schema):
    direction = Text(required=True, validate=validate.OneOf(("up", "down")))


class EntryListArgs(Schema):
    page = page_field()


class EntryCreateArgs(Schema):
    body = _text(ENTRY_MAX, markdown=True, required=True)
    kind = _choice(ENTRY_KINDS, required=True)
    value_kind = _choice(VALUE_KINDS, required=True)
    milestone_id = id_field(load_default=None, allow_none=True, metadata={"description": "A milestone of this trajectory"})


class LinkCreateArgs(Schema):
    target = Text(required=True, validate=validate.OneOf(LINK_TARGETS))
    target_id = id_field(required=True)
    milestone_id = id_field(load_default=None, allow_none=True, metadata={"description": "A milestone of this trajectory"})
