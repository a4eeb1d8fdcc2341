"""CSV of the instrument figures for further analysis (R, SPSS, a spreadsheet): comma-separated,
a point as decimal mark, plain column names, one row per dimension and per item, with the
questionnaire version, the group and the published set's date range on every row. The same
figures as the page, nothing more; the only text cells are codes from the questionnaire. Item rows
carry the standardised loading of the confirmatory check; one "structure" row per group has its
status, the responses needed, and the global fit (empty unless the model was fitted)."""
import csv
import io
import math

from community.scan.export import escape_cell

COLUMNS = ["questionnaire_version", "group", "first_day", "last_day", "companies", "rounds", "level",
           "dimension", "item", "n", "mean", "sd", "alpha", "omega", "item_rest", "alpha_if_deleted",
           "floor", "ceiling", "missing", "loading", "cfa_status", "cfa_needed", "chi_square", "df", "p",
           "cfi", "tli", "rmsea", "srmr"]
NO_STRUCTURE = ["", "", "", "", "", "", "", "", "", ""]


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
        check = report.structure
        for dimension in report.dimensions:
            writer.writerow([escape_cell(v) for v in common + [
                "dimension", dimension.code, "", dimension.n, _number(dimension.mean), _number(dimension.sd),
                _number(dimension.alpha), _number(dimension.omega), "", "", _number(dimension.floor),
                _number(dimension.ceiling), _number(dimension.missing)] + NO_STRUCTURE])
            for item in dimension.items:
                writer.writerow([escape_cell(v) for v in common + [
                    "item", dimension.code, item.code, dimension.n, _number(item.mean), _number(item.sd), "", "",
                    _number(item.item_rest), _number(item.alpha_if_deleted), _number(item.floor),
                    _number(item.ceiling), _number(item.missing), _number(check.loadings.get(item.code))]
                    + NO_STRUCTURE[1:]])
        # The confirmatory check of the six-dimension structure: one row, figures only when fitted.
        fit = [_number(check.chi_square), "" if check.df is None else check.df] + [
            _number(getattr(check, name)) for name in ("p_value", "cfi", "tli", "rmsea", "srmr")]
        writer.writerow([escape_cell(v) for v in common + [
            "structure", "", "", check.n, "", "", "", "", "", "", "", "", "", "", check.status, check.needed] + fit])
    return out.getvalue()


OUTCOME_COLUMNS = ["breakdown", "cell", "shown", "companies", "trajectories", "figure", "code", "count"]
LOOP_COLUMNS = ["dimension", "shown", "companies_with_trajectory", "companies_without", "change_with_trajectory",
                "change_without"]


def outcomes_csv(monitor, loop_rows):
    """The monitor's cells (a withheld cell has shown=0 and no figures), then the loop."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(OUTCOME_COLUMNS)
    for cell in [monitor.total] + monitor.cells:
        label = "total" if cell is monitor.total else monitor.labels.get(cell.key, cell.key)
        common = [monitor.breakdown, label, int(cell.shown)]
        if not cell.shown:
            writer.writerow([escape_cell(v) for v in common + ["", "", "", "", ""]])
            continue
        writer.writerow([escape_cell(v) for v in common + [cell.companies, cell.trajectories, "", "", ""]])
        for figure in ("entries", "milestones", "statuses"):
            for code, n in getattr(cell, figure).items():
                writer.writerow([escape_cell(v) for v in common + [cell.companies, cell.trajectories, figure, code, n]])
    writer.writerow([])
    writer.writerow(LOOP_COLUMNS)
    for row in loop_rows:
        writer.writerow([row.dimension, int(row.shown), row.with_trajectory if row.shown else "",
                         row.without_trajectory if row.shown else "", _number(row.change_with),
                         _number(row.change_without)])
    return out.getvalue()
