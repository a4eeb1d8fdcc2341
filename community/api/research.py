"""The research area's figures for researchers and admins (a researcher's token): instrument
quality of the scan per questionnaire version and group, with the same rules as the pages
(community/research/disclosure.py): aggregates over at least five companies, never a company's
name, one company's figures or one response."""
import math

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields, validate

from community import permissions
from community.actions import NotAllowed
from community.actions.scan import today
from community.api import Blueprint
from community.research import instrument, outcomes
from community.scan import scoring

blp = Blueprint("api_research", __name__, url_prefix="",
                description="Research: instrument quality of the scan and the learning-outcome monitor "
                            "(aggregates over at least 5 companies)")


class InstrumentArgs(Schema):
    version = fields.Int(strict=False, load_default=1, metadata={"description": "Questionnaire version"})


class ItemQualitySchema(Schema):
    code = fields.Str()
    mean = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True)
    item_rest = fields.Float(allow_none=True)
    alpha_if_deleted = fields.Float(allow_none=True)
    floor = fields.Float(allow_none=True)
    ceiling = fields.Float(allow_none=True)
    missing = fields.Float(allow_none=True)
    loading = fields.Float(allow_none=True, metadata={
        "description": "Standardised loading on its own dimension in the confirmatory check (null unless fitted)"})


class StructureSchema(Schema):
    status = fields.Str(metadata={"description": "fitted, too_few (fewer complete responses than needed), "
                                                "not_converged, improper or timed_out; figures only when fitted"})
    n = fields.Int(metadata={"description": "Complete responses (every item answered)"})
    needed = fields.Int(metadata={"description": "Complete responses needed: at least 200 and 5 per free parameter"})
    parameters = fields.Int(metadata={"description": "Free parameters of the six-factor model"})
    chi_square = fields.Float(allow_none=True)
    df = fields.Int(allow_none=True)
    p_value = fields.Float(allow_none=True)
    cfi = fields.Float(allow_none=True)
    tli = fields.Float(allow_none=True)
    rmsea = fields.Float(allow_none=True)
    srmr = fields.Float(allow_none=True)


class DimensionQualitySchema(Schema):
    code = fields.Str()
    n = fields.Int()
    mean = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True)
    alpha = fields.Float(allow_none=True)
    omega = fields.Float(allow_none=True)
    floor = fields.Float(allow_none=True)
    ceiling = fields.Float(allow_none=True)
    missing = fields.Float(allow_none=True)
    items = fields.List(fields.Nested(ItemQualitySchema))


class GroupQualitySchema(Schema):
    group = fields.Str(metadata={"description": "employee or management"})
    shown = fields.Bool(metadata={"description": "false: fewer than 5 companies' consented rounds; no figures"})
    companies = fields.Int(allow_none=True)
    rounds = fields.Int(allow_none=True)
    responses = fields.Int(allow_none=True)
    first_day = fields.Date(allow_none=True)
    last_day = fields.Date(allow_none=True)
    dimensions = fields.List(fields.Nested(DimensionQualitySchema))
    structure = fields.Nested(StructureSchema, allow_none=True, metadata={
        "description": "Confirmatory factor analysis of the six-dimension structure (null when not shown)"})


class InstrumentSchema(Schema):
    version = fields.Int()
    groups = fields.List(fields.Nested(GroupQualitySchema))


def _clean(value):
    """NaN (a figure that cannot be computed) is null in JSON."""
    return None if isinstance(value, float) and math.isnan(value) else value


def _figures(row, names):
    return {name: _clean(getattr(row, name)) for name in names}


def _group(report):
    if not report.shown:
        return {"group": report.variant, "shown": False, "companies": None, "rounds": None, "responses": None,
                "first_day": None, "last_day": None, "dimensions": [], "structure": None}
    item_names = ("code", "mean", "sd", "item_rest", "alpha_if_deleted", "floor", "ceiling", "missing")
    dimension_names = ("code", "n", "mean", "sd", "alpha", "omega", "floor", "ceiling", "missing")
    structure_names = ("status", "n", "needed", "parameters", "chi_square", "df", "p_value", "cfi", "tli", "rmsea",
                       "srmr")
    loadings = report.structure.loadings
    return {"group": report.variant, "shown": True, "companies": report.companies, "rounds": report.rounds,
            "responses": report.responses, "first_day": report.first_day, "last_day": report.last_day,
            "dimensions": [dict(_figures(d, dimension_names),
                                items=[dict(_figures(i, item_names), loading=loadings.get(i.code)) for i in d.items])
                           for d in report.dimensions],
            "structure": _figures(report.structure, structure_names)}


@blp.route("/research/instrument")
@blp.arguments(InstrumentArgs, location="query")
@blp.response(200, InstrumentSchema, errors={403: "Researchers and admins only", 404: "No such questionnaire version"})
def get_instrument(args):
    """Instrument quality per group (employees, management) over the published set of consented,
    closed rounds: per dimension n, mean, SD, Cronbach's alpha, McDonald's omega, floor, ceiling
    and missing shares, and per item the same with the item-rest correlation and alpha if deleted;
    and a confirmatory factor analysis of the six-dimension structure (standardised loadings per
    item, chi-square, df, p, CFI, TLI, RMSEA, SRMR) when there are enough complete responses."""
    if not permissions.can_use_research(current_user):
        raise NotAllowed(_l("Only researchers and administrators can use the research area."))
    version = args["version"]
    if version not in instrument.versions():
        abort(404)
    return {"version": version,
            "groups": [_group(instrument.instrument_report(version, variant, today())) for variant in scoring.VARIANTS]}


class OutcomeArgs(Schema):
    by = fields.Str(load_default="none", validate=validate.OneOf(outcomes.BREAKDOWNS),
                    metadata={"description": "Breakdown: none, community, sector or year"})


class OutcomeCellSchema(Schema):
    key = fields.Raw(metadata={"description": "total, or the community id, sector or year"})
    label = fields.Str()
    shown = fields.Bool(metadata={"description": "false: withheld (fewer than 5 companies, or derivable)"})
    companies = fields.Int(allow_none=True)
    trajectories = fields.Int(allow_none=True)
    entries = fields.Dict(keys=fields.Str(), values=fields.Int(), metadata={"description": "per value type"})
    milestones = fields.Dict(keys=fields.Str(), values=fields.Int(),
                             metadata={"description": "on_time, late, overdue (open past due), open"})
    statuses = fields.Dict(keys=fields.Str(), values=fields.Int())


class LoopRowSchema(Schema):
    dimension = fields.Str()
    shown = fields.Bool(metadata={"description": "false: fewer than 5 companies in either group"})
    companies_with_trajectory = fields.Int(allow_none=True)
    companies_without = fields.Int(allow_none=True)
    change_with_trajectory = fields.Float(allow_none=True)
    change_without = fields.Float(allow_none=True)


class OutcomesSchema(Schema):
    breakdown = fields.Str()
    total = fields.Nested(OutcomeCellSchema)
    cells = fields.List(fields.Nested(OutcomeCellSchema))
    loop = fields.List(fields.Nested(LoopRowSchema))


def _cell(monitor, cell):
    label = "total" if cell is monitor.total else str(monitor.labels.get(cell.key, cell.key))
    return {"key": cell.key, "label": label, "shown": cell.shown,
            "companies": cell.companies if cell.shown else None,
            "trajectories": cell.trajectories if cell.shown else None,
            "entries": cell.entries, "milestones": cell.milestones, "statuses": cell.statuses}


@blp.route("/research/outcomes")
@blp.arguments(OutcomeArgs, location="query")
@blp.response(200, OutcomesSchema, errors={403: "Researchers and admins only"})
def get_outcomes(args):
    """The learning-outcome monitor over trajectories that are not confidential: learning-log
    entries per value type, milestones, trajectories per status (a cell only when its trajectories
    come from at least 5 companies, with complementary suppression, decided for all breakdowns
    together so that no cell of one minus a cell of another leaves fewer than 5 companies), and
    the scan -> trajectory -> re-scan loop per dimension (only when both groups have at least 5 companies)."""
    if not permissions.can_use_research(current_user):
        raise NotAllowed(_l("Only researchers and administrators can use the research area."))
    monitor = outcomes.monitor(args["by"], today())
    return {"breakdown": monitor.breakdown, "total": _cell(monitor, monitor.total),
            "cells": [_cell(monitor, cell) for cell in monitor.cells],
            "loop": [{"dimension": row.dimension, "shown": row.shown,
                      "companies_with_trajectory": row.with_trajectory if row.shown else None,
                      "companies_without": row.without_trajectory if row.shown else None,
                      "change_with_trajectory": row.change_with, "change_without": row.change_without}
                     for row in outcomes.loop(today())]}
