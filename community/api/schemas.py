"""Marshmallow schemas: what the API returns and accepts (and what the OpenAPI document shows)."""
from marshmallow import Schema, ValidationError, fields, validate

from community.api.community_schemas import Text, UserBriefSchema, page_field, page_of
from community.queries.people import LIMIT_MAX, QUERY_MAX


class MembershipSchema(Schema):
    organisation_id = fields.Int()
    organisation_name = fields.Str(attribute="organisation.name")
    role = fields.Str()
    state = fields.Str()


class MeSchema(UserBriefSchema):
    email = fields.Email()
    language = fields.Str()
    is_admin = fields.Bool()
    created_at = fields.DateTime()
    memberships = fields.List(fields.Nested(MembershipSchema))


class OrganisationSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    kind = fields.Str()
    sector = fields.Str()
    city = fields.Str()
    size_band = fields.Str(allow_none=True)
    level = fields.Str(allow_none=True)
    description = fields.Str()


class OrganisationListArgs(Schema):
    q = fields.Str(load_default="", metadata={"description": "Search in name, city and sector"})
    kind = fields.Str(load_default="", metadata={"description": "company, school or partner"})
    page = page_field()


OrganisationPageSchema = page_of(OrganisationSchema, "OrganisationPageSchema")


class ErrorBodySchema(Schema):
    code = fields.Str(required=True, metadata={"example": "not_found"})
    message = fields.Str(required=True)
    field = fields.Str()
    details = fields.Dict()


class ErrorEnvelopeSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


# --- people search (the @mention autocomplete) -----------------------------------------------------

class PlaceField(fields.String):
    """A place people may read, "kind:id": community, discussion, case or trajectory."""

    def _deserialize(self, value, attr, data, **kwargs):
        from community.permissions import PLACE_KINDS

        text = super()._deserialize(value, attr, data, **kwargs)
        kind, _, number = text.partition(":")
        if kind not in PLACE_KINDS or not number.isascii() or not number.isdigit() or len(number) > 10:
            raise ValidationError(f"Not a place: give kind:id with kind one of {', '.join(PLACE_KINDS)}.")
        return kind, int(number)


class PeopleSearchArgs(Schema):
    q = Text(required=True, validate=validate.Length(min=1, max=QUERY_MAX),
             metadata={"description": f"The start of a name or @handle, at most {QUERY_MAX} characters"})
    place = PlaceField(load_default=None, metadata={
        "description": "Only people who may read this place: community:<id>, discussion:<id>, case:<id> or "
                       "trajectory:<id>", "example": "discussion:12"})
    limit = fields.Int(load_default=8, validate=validate.Range(min=1, max=LIMIT_MAX))


class PersonHitSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    handle = fields.Str(metadata={"description": "Write @handle to mention them"})
    organisation = fields.Str(metadata={"description": "Their first organisation by name, or empty"})
    initials = fields.Str()
    url = fields.Str(metadata={"description": "Their profile page"})


class PeopleSearchSchema(Schema):
    items = fields.List(fields.Nested(PersonHitSchema))
