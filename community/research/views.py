"""The research area: instrument quality of the scan (and its CSV). Researchers and admins
only (permissions.can_use_research: 403 for everyone else); every figure passes through
research.disclosure."""
from flask import Response, abort, current_app, render_template, request

from flask_login import current_user

from community import permissions
from community.actions.scan import today
from community.research import bp, instrument
from community.research.export import instrument_csv
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
    return render_template("research/index.html", versions=instrument.versions())


@bp.route("/instrument")
def instrument_quality():
    version = _version()
    items = {variant: {item["code"]: item[texts.language()] for item in
                       scoring.all_items(scoring.questionnaire(version), variant)} for variant in scoring.VARIANTS}
    return render_template("research/instrument.html", version=version, reports=_reports(version),
                           dimension_names=texts.dimension_names(version), item_texts=items,
                           min_companies=instrument.disclosure.MIN_COMPANIES, min_group=scoring.MIN_GROUP)


@bp.route("/instrument.csv")
def instrument_export():
    version = _version()
    return Response(instrument_csv(_reports(version)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="leerkring-scan-v{version}-instrument.csv"',
        "Cache-Control": "no-store"})
