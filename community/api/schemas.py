"""Marshmallow schemas: what the API returns and accepts (and what the OpenAPI document shows)."""
from marshmallow import Schema, fields

from community.api.community_schemas import UserBriefSchema, page_field, page_of


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
