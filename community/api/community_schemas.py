"""Marshmallow schemas for communities, their members, invitations and feed.

Input limits here keep absurd input out cheaply and show up in the OpenAPI document; the actions
still check every value (their messages name the field), so the limits for text that the actions
normalise first (multi-line text) are a little looser than the actions' own.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from community.actions.communities import DESCRIPTION_MAX, INVITE_DAYS_MAX, INVITE_USES_MAX
from community.models import COMMUNITY_ROLES, COMMUNITY_STATES, JOIN_POLICIES, VISIBILITIES

ROW_ID = validate.Range(min=1, max=2 ** 31 - 1)


class Text(fields.String):
    """A string that can be stored: no NUL characters (PostgreSQL refuses them) and no lone
    surrogates (JSON allows "\\ud800", UTF-8 cannot encode it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Contains a NUL character.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Contains characters that are not valid Unicode.")
        return text


def id_field(**kwargs):
    """A row id given as input: a strict integer within what a table holds."""
    return fields.Int(strict=True, validate=ROW_ID, **kwargs)


def page_field():
    """The ?page= argument of every list. (A validator must raise: marshmallow 4 ignores a False
    return, hence Range.)"""
    return fields.Int(load_default=1, validate=validate.Range(min=1, max=99999))


# --- output ---------------------------------------------------------------------------------------

class UserRefSchema(Schema):
    id = fields.Int()
    display_name = fields.Str()


class UserBriefSchema(UserRefSchema):
    kind = fields.Str()


class CommunitySummarySchema(Schema):
    """What the community list shows; also all an outsider of a private, listed community sees."""
    id = fields.Int()
    slug = fields.Str()
    name = fields.Str()
    description_html = fields.Str(metadata={"description": "Sanitised HTML rendered from the markdown"})
    visibility = fields.Str(metadata={"enum": list(VISIBILITIES)})
    unlisted = fields.Bool()
    join_policy = fields.Str(metadata={"enum": list(JOIN_POLICIES)})
    archived = fields.Bool()
    sector = fields.Str()
    topic = fields.Str()
    member_count = fields.Int(metadata={"description": "Active members"})
    my_state = fields.Str(allow_none=True, metadata={"enum": list(COMMUNITY_STATES) + [None]})
    my_role = fields.Str(allow_none=True, metadata={"enum": list(COMMUNITY_ROLES) + [None]})


class CommunitySchema(CommunitySummarySchema):
    """One community, for those who may read it."""
    description = fields.Str(metadata={"description": "Markdown source of description_html"})
    created_at = fields.DateTime()
    coordinators = fields.List(fields.Nested(UserRefSchema))


class PageSchema(Schema):
    page = fields.Int()
    pages = fields.Int()
    total = fields.Int()


def page_of(item_schema, name):
    """The schema of one page of a list: page, pages, total and its items. ``name`` is the
    class name, which the OpenAPI document shows (without "Schema")."""
    return PageSchema.from_dict({"items": fields.List(fields.Nested(item_schema))}, name=name)


def list_of(item_schema, name):
    """The schema of a whole list (not paged): its items."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item_schema))}, name=name)


CommunityPageSchema = page_of(CommunitySummarySchema, "CommunityPageSchema")


class CommunityMemberSchema(Schema):
    membership_id = fields.Int(attribute="id")
    user = fields.Nested(UserBriefSchema)
    role = fields.Str(metadata={"enum": list(COMMUNITY_ROLES)})
    state = fields.Str(metadata={"enum": list(COMMUNITY_STATES)})
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class MemberSchema(CommunityMemberSchema):
    organisations = fields.List(fields.Str(), metadata={"description": "Names of the member's organisations"})


MemberPageSchema = page_of(MemberSchema, "MemberPageSchema")


class JoinRequestSchema(CommunityMemberSchema):
    message = fields.Str()


JoinRequestPageSchema = page_of(JoinRequestSchema, "JoinRequestPageSchema")


class InvitationSchema(Schema):
    id = fields.Int()
    email = fields.Str(allow_none=True, metadata={"description": "The address it was mailed to (null: a link to "
                                                                 "share)"})
    state = fields.Function(lambda invitation: invitation.state(),
                            metadata={"enum": ["active", "revoked", "expired", "used_up"]})
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    uses = fields.Int()
    max_uses = fields.Int(allow_none=True)
    note = fields.Str()
    created_by = fields.Nested(UserRefSchema, allow_none=True)


InvitationPageSchema = page_of(InvitationSchema, "InvitationPageSchema")


class NewInvitationSchema(InvitationSchema):
    """Shown once: only the token's hash is stored."""
    token = fields.Str()
    url = fields.Str(metadata={"description": "The link to share"})


class FeedEntrySchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    created_at = fields.DateTime()
    actor = fields.Nested(UserRefSchema, allow_none=True)
    subject = fields.Nested(UserRefSchema, allow_none=True)
    object_type = fields.Str(allow_none=True)
    object_id = fields.Int(allow_none=True)
    data = fields.Dict()


FeedPageSchema = page_of(FeedEntrySchema, "FeedPageSchema")


# --- input ----------------------------------------------------------------------------------------

class PageArgs(Schema):
    page = page_field()


class CommunityListArgs(Schema):
    q = Text(load_default="", validate=validate.Length(max=100),
             metadata={"description": "Search in name and description"})
    sector = Text(load_default="", validate=validate.Length(max=80))
    topic = Text(load_default="", validate=validate.Length(max=80))
    page = page_field()


class _CommunityFields(Schema):
    name = Text(validate=validate.Length(max=120))
    slug = Text(validate=validate.Length(max=60),
                metadata={"description": "Lower-case letters, digits and hyphens. Empty or left out: made "
                                         "from the name (create), unchanged (update)"})
    description = Text(validate=validate.Length(max=2 * DESCRIPTION_MAX),
                       metadata={"description": f"Markdown, at most {DESCRIPTION_MAX} characters"})
    visibility = Text(validate=validate.OneOf(VISIBILITIES))
    unlisted = fields.Bool(metadata={"description": "Hide from the list (private communities only)"})
    join_policy = Text(validate=validate.OneOf(JOIN_POLICIES))
    sector = Text(validate=validate.Length(max=80))
    topic = Text(validate=validate.Length(max=80))


class CommunityCreateArgs(_CommunityFields):
    name = Text(required=True, validate=validate.Length(max=120))
    coordinator_id = id_field(metadata={"description": "First coordinator (user id); default: you"})


class CommunityUpdateArgs(_CommunityFields):
    """Every field is optional: what is left out stays as it is."""
    archived = fields.Bool(metadata={"description": "Archived communities stay readable; nobody can join"})


class JoinRequestArgs(Schema):
    message = Text(load_default="", validate=validate.Length(max=1000),
                   metadata={"description": "For the coordinators, at most 500 characters"})


class RoleArgs(Schema):
    role = Text(required=True, validate=validate.OneOf(COMMUNITY_ROLES))


class InvitationArgs(Schema):
    days = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=INVITE_DAYS_MAX),
                      metadata={"description": "How long the link works"})
    max_uses = fields.Int(load_default=None, allow_none=True, strict=True,
                          validate=validate.Range(min=1, max=INVITE_USES_MAX),
                          metadata={"description": "How often it can be used; null: no limit"})
    note = Text(load_default="", validate=validate.Length(max=120))


class InviteUserArgs(Schema):
    """One of the two: an account's number, or an e-mail address (as the invitations page)."""
    user_id = id_field(metadata={"description": "An account to invite"})
    email = Text(validate=validate.Length(max=254),
                 metadata={"description": "An address: its account is invited and mailed; an address without "
                                          "one gets a mail with a link to register and join (14 days, once)"})
    note = Text(load_default="", validate=validate.Length(max=600),
                metadata={"description": "A few words for the invitation mail (with email only; at most 500)"})

    @validates_schema
    def one_of_the_two(self, data, **kwargs):
        if ("user_id" in data) == ("email" in data):
            raise ValidationError("Give either user_id or email.", "_schema")


class AcceptInvitationArgs(Schema):
    token = Text(required=True, validate=validate.Length(max=200))
