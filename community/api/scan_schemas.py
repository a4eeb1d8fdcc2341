"""Marshmallow schemas for the learning-culture scan: rounds and their aggregated results.

There is no schema for a single response: the API never returns one. Group sizes under five are
null, and such groups have no figures (community/scan/results.py).
"""
from marshmallow import Schema, fields, validate

from community.actions.scan import CODES_MAX, MANAGEMENT_CODES_MAX, TITLE_MAX
from community.api.community_schemas import Text, page_field, page_of


class RoundCreateArgs(Schema):
    title = Text(required=True, validate=validate.Length(max=2 * TITLE_MAX),
                 metadata={"description": f"At most {TITLE_MAX} characters"})
    opens_on = fields.Date(required=True, metadata={"description": "ISO date (YYYY-MM-DD)"})
    closes_on = fields.Date(required=True, metadata={"description": "ISO date; answers are taken until the end "
                                                                    "of this day (Europe/Amsterdam)"})
    open_link = fields.Bool(load_default=True, metadata={
        "description": "false: employees answer only with an invitation code"})
    research_consent = fields.Bool(load_default=False, metadata={
        "description": "true: the round's anonymous, aggregated results may be used for research across "
                       "companies (respondents are told before they answer)"})
    employee_codes = fields.Int(strict=True, load_default=0, validate=validate.Range(min=0, max=CODES_MAX))
    management_codes = fields.Int(strict=True, load_default=0,
                                  validate=validate.Range(min=0, max=MANAGEMENT_CODES_MAX))


class ResearchConsentArgs(Schema):
    research_consent = fields.Bool(required=True, metadata={
        "description": "Allow (true) or withdraw (false) research use; only until the round closes, and "
                       "allowing only while nobody has answered yet"})


class RoundListArgs(Schema):
    page = page_field()


class CodeCountSchema(Schema):
    total = fields.Int()
    used = fields.Int()


class GroupCountSchema(Schema):
    employee = fields.Int(allow_none=True, metadata={"description": "null: fewer than 5"})
    management = fields.Int(allow_none=True, metadata={"description": "null: fewer than 5"})


class RoundSchema(Schema):
    id = fields.Int()
    organisation_id = fields.Int()
    title = fields.Str()
    opens_on = fields.Date()
    closes_on = fields.Date()
    status = fields.Str(metadata={"enum": ["scheduled", "open", "closed"]})
    open_link = fields.Bool()
    research_consent = fields.Bool(metadata={"description": "Research use of the anonymous, aggregated "
                                                            "results is allowed"})
    closed_at = fields.DateTime(allow_none=True)
    employee_link = fields.Str(metadata={"description": "The anonymous link for employees"})
    management_link = fields.Str(metadata={"description": "The link for the management version"})
    code_link = fields.Str(metadata={"description": "Where people with an invitation code answer"})
    responses = fields.Nested(GroupCountSchema)
    codes = fields.Dict(keys=fields.Str(), values=fields.Nested(CodeCountSchema))


RoundPageSchema = page_of(RoundSchema, "RoundPageSchema")


class CodeListSchema(Schema):
    codes = fields.List(fields.Dict(), metadata={"description": "[{code, variant}]; whether a code was used "
                                                                "is deliberately not given"})


class DimensionFigureSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    mean = fields.Float()
    spread = fields.Float(metadata={"description": "Sample standard deviation of the respondents' scores"})
    n = fields.Int()
    change = fields.Float(allow_none=True, metadata={"description": "Against the previous closed round"})


class GroupSchema(Schema):
    shown = fields.Bool(metadata={"description": "false: no figures (round open, or fewer than 5)"})
    n = fields.Int(allow_none=True, metadata={"description": "null when fewer than 5"})
    dimensions = fields.List(fields.Nested(DimensionFigureSchema))


class BenchmarkSchema(Schema):
    companies = fields.Int()
    sector = fields.Str()
    dimensions = fields.List(fields.Dict(), metadata={"description": "[{code, mean}]"})


class ResultsSchema(Schema):
    round = fields.Nested(RoundSchema)
    closed = fields.Bool()
    employees = fields.Nested(GroupSchema)
    management = fields.Nested(GroupSchema)
    previous_round_id = fields.Int(allow_none=True)
    benchmark = fields.Nested(BenchmarkSchema, allow_none=True)
    weakest = fields.List(fields.Str(), metadata={"description": "Dimension codes with the lowest employee means"})
