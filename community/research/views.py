"""The research area: instrument quality of the scan (and its CSV). Researchers and admins
only (permissions.can_use_research: 403 for everyone else); every figure passes through
research.disclosure."""
from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from flask_login import current_user

from community import permissions
from community.actions.scan import today
from community.labels import LABELS
from community.research import bp, charts, instrument, outcomes
from community.research.export import instrument_csv, outcomes_csv
from community.scan import scoring, texts


@bp.before_request
def _researchers_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # to the login page, as login_required
    if not permissions.can_use_research(current_user):
        abort(403)


def _version():
    value = request.args.get("version", "1")
    known = instrument.versions()
    if not value.isdigit() or int(value) not in known:
        abort(404)
    return int(value)


def _reports(version):
    return [instrument.instrument_report(version, variant, today()) for variant in scoring.VARIANTS]


@bp.route("/")
def index():
    return render_template("research/index.html", versions=instrument.versions(),
                           min_companies=instrument.disclosure.MIN_COMPANIES, min_group=scoring.MIN_GROUP)


@bp.route("/instrument")
def instrument_quality():
    version = _version()
    items = {variant: {item["code"]: item[texts.language()] for item in
                       scoring.all_items(scoring.questionnaire(version), variant)} for variant in scoring.VARIANTS}
    return render_template("research/instrument.html", version=version, reports=_reports(version),
                           dimension_names=texts.dimension_names(version), item_texts=items,
                           min_companies=instrument.disclosure.MIN_COMPANIES, min_group=scoring.MIN_GROUP,
                           min_structure=instrument.structure.MIN_RESPONSES,
                           per_parameter=instrument.structure.PER_PARAMETER,
                           time_limit=instrument.structure.TIME_LIMIT)


@bp.route("/instrument.csv")
def instrument_export():
    version = _version()
    return Response(instrument_csv(_reports(version)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="leerkring-scan-v{version}-instrument.csv"',
        "Cache-Control": "no-store"})


def _breakdown():
    value = request.args.get("by", "none")
    if value not in outcomes.BREAKDOWNS:
        abort(404)
    return value


def _outcome_charts(monitor, loop_rows, names):
    total = monitor.total
    result = {}
    if total.shown:
        result["entries"] = charts.bars([(LABELS["value_kind"][c], n) for c, n in total.entries.items()])
        result["milestones"] = charts.bars([(outcomes_labels()[c], n) for c, n in total.milestones.items()])
        result["statuses"] = charts.bars([(LABELS["trajectory_status"][c], n) for c, n in total.statuses.items()])
    shown = [row for row in loop_rows if row.shown]
    if shown:
        result["loop"] = charts.bars([(names.get(row.dimension, row.dimension), row.change_with - row.change_without)
                                      for row in shown])
    return result


def outcomes_labels():
    return {"on_time": _("Done on time"), "late": _("Done late"), "overdue": _("Open, past the due date"),
            "open": _("Open, not yet due")}


def _breakdown_names():
    return {"none": _("No breakdown"), "community": _("Per community"), "sector": _("Per sector"),
            "year": _("Per year")}


@bp.route("/outcomes")
def outcome_monitor():
    breakdown = _breakdown()
    monitor = outcomes.monitor(breakdown, today())
    loop_rows = outcomes.loop(today())
    names = texts.dimension_names()
    return render_template("research/outcomes.html", monitor=monitor, loop_rows=loop_rows, dimension_names=names,
                           charts=_outcome_charts(monitor, loop_rows, names), milestone_labels=outcomes_labels(),
                           breakdowns=outcomes.BREAKDOWNS, breakdown_names=_breakdown_names(),
                           min_companies=instrument.disclosure.MIN_COMPANIES)


@bp.route("/outcomes.csv")
def outcomes_export():
    breakdown = _breakdown()
    return Response(outcomes_csv(outcomes.monitor(breakdown, today()), outcomes.loop(today())), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="leerkring-outcomes-{breakdown}.csv"',
                             "Cache-Control": "no-store"})
