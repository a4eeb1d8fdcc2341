"""CSV of the instrument figures for further analysis (R, SPSS, a spreadsheet): comma-separated,
a point as decimal mark, plain column names, one row per dimension and per item, with the
questionnaire version, the group and the published set's date range on every row. The same
figures as the page, nothing more; the only text cells are codes from the questionnaire."""
import csv
import io
import math

from community.scan.export import escape_cell

COLUMNS = ["questionnaire_version", "group", "first_day", "last_day", "companies", "rounds", "level",
           "dimension", "item", "n", "mean", "sd", "alpha", "omega", "item_rest", "alpha_if_deleted",
           "floor", "ceiling", "missing"]


def _number(value):
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"


def instrument_csv(reports):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for report in reports:
        if not report.shown:
            continue
        common = [report.version, report.variant, report.first_day.isoformat(), report.last_day.isoformat(),
                  report.companies, report.rounds]
        for dimension in report.dimensions:
            writer.writerow([escape_cell(v) for v in common + [
                "dimension", dimension.code, "", dimension.n, _number(dimension.mean), _number(dimension.sd),
                _number(dimension.alpha), _number(dimension.omega), "", "", _number(dimension.floor),
                _number(dimension.ceiling), _number(dimension.missing)]])
            for item in dimension.items:
                writer.writerow([escape_cell(v) for v in common + [
                    "item", dimension.code, item.code, dimension.n, _number(item.mean), _number(item.sd), "", "",
                    _number(item.item_rest), _number(item.alpha_if_deleted), _number(item.floor),
                    _number(item.ceiling), _number(item.missing)]])
    return out.getvalue()
