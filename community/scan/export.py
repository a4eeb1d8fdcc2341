"""CSV export of a round's aggregates: the same figures as the page, nothing more.

Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) get a leading apostrophe. Numbers this module formats itself are exempt, so a negative
change stays a number; every text cell (the round title is typed by a user) is escaped.
"""
import csv
import io
import re

from flask_babel import format_decimal, gettext as _

from community.scan import texts
from community.scan.results import shown_count

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def escape_cell(value):
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _number(value):
    return "" if value is None else format_decimal(value, format="0.00")


def results_csv(results):
    """The aggregates of one round as CSV text (semicolon-separated, for Dutch spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Round"), _("Group"), _("Dimension code"), _("Dimension"), _("Respondents"), _("Mean"),
                     _("Spread (standard deviation)"), _("Change since previous round"), _("Sector benchmark"),
                     _("Companies in benchmark")])
    names = texts.dimension_names(results.scan_round.questionnaire_version)
    groups = (("employee", _("Employees"), results.employees), ("management", _("Management"), results.management))
    for variant, group_name, group in groups:
        if not group.shown:
            n = shown_count(group.n)
            writer.writerow([escape_cell(v) for v in (
                results.scan_round.title, group_name, "", _("No figures: fewer than 5 respondents") if n is None
                else _("No figures until the round is closed"), "", "", "", "", "", "")])
            continue
        for code, figure in group.dimensions.items():
            bench = results.benchmark.means.get(code) if results.benchmark and variant == "employee" else None
            writer.writerow([escape_cell(v) for v in (
                results.scan_round.title, group_name, code, names.get(code, code), figure.n, _number(figure.mean),
                _number(figure.spread), _number(results.trend(variant, code)), _number(bench),
                results.benchmark.companies if bench is not None else "")])
    return out.getvalue()
