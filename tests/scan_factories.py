"""Scan test state, built through the real actions (community/actions/scan.py): answers and
responses; rounds come from tests.factories.scan_round."""
from datetime import date

from community.actions import scan as actions
from community.scan import scoring
from tests import factories


def answers(variant="employee", value=4, **overrides):
    """Every item of a variant answered with ``value``, with per-item overrides."""
    result = {item["code"]: value for item in scoring.all_items(scoring.questionnaire(), variant)}
    result.update(overrides)
    return result


def open_round(org, manager, title="Voorjaarsronde", days=14, **kwargs):
    return factories.scan_round(org, manager, title, days=days, **kwargs)


def respond(scan_round, values, variant="employee", on_day=None):
    """One response per entry of ``values``: a number (every item) or a full answers dict."""
    for value in values:
        given = value if isinstance(value, dict) else answers(variant, value)
        actions.submit_response(scan_round, variant, given, on_day=on_day)


def closed_round(org, manager, employees=(), management=(), title="Ronde", opens_on=None, days=14):
    """A round that ran in the past (opened ``opens_on``, closed by its date) with these answers."""
    opens_on = opens_on or date(2025, 3, 3)
    scan_round = factories.scan_round(org, manager, title, opens_on=opens_on, days=days)
    respond(scan_round, employees, "employee", on_day=opens_on)
    respond(scan_round, management, "management", on_day=opens_on)
    return scan_round

