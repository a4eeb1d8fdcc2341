"""Scan pages for a company's managers: the rounds, opening one, its page with the links, codes
and results (radar, table, trend, benchmark, next steps), the CSV export, closing and deleting.

Every view loads through permissions.access_scan_*_or_404: for anyone but the company's managers
and admins a round does not exist. Writes go through community.actions.scan. The respondents'
pages are in community/scan/answer.py (same blueprint).
"""
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _
from flask_login import current_user, login_required

from community import permissions
from community.actions import ActionError, scan as actions
from community.extensions import db
from community.models import Case, CaseTag, ScanCode
from community.queries import scan as scan_queries
from community.scan import chart, export, texts
from community.scan.forms import DeleteForm, RoundForm
from community.scan.results import response_counts, round_results, shown_count
from community.security import keeps_input

bp = Blueprint("scan", __name__)
CASES_PER_DIMENSION = 3


def fmt(value):
    """A figure as the page shows it: two decimals, in the reader's number format (3,40 in Dutch)."""
    return "" if value is None else format_decimal(value, format="0.00")


def fmt_change(value):
    return "" if value is None else format_decimal(value, format="+0.00;-0.00")


@bp.route("/organisations/<int:org_id>/scan")
@login_required
def rounds(org_id):
    organisation = permissions.access_scan_organisation_or_404(org_id, current_user)
    items = scan_queries.latest_rounds(organisation)
    counts = response_counts([item.id for item in items])
    return render_template("scan/rounds.html", organisation=organisation, rounds=items, counts=counts,
                           today=actions.today(), shown_count=shown_count)


@bp.route("/organisations/<int:org_id>/scan/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new_round(org_id):
    organisation = permissions.access_scan_organisation_or_404(org_id, current_user)
    form = RoundForm()
    if form.validate_on_submit():
        try:
            scan_round = actions.create_round(current_user, organisation, **form.values())
        except ActionError as error:
            form.add_error(error)
        else:
            flash(_("The round is ready. Share the link or hand out the codes."), "success")
            return redirect(url_for("scan.round_page", round_id=scan_round.id))
    return render_template("scan/round_form.html", form=form, organisation=organisation), form.status


def _code_counts(scan_round):
    rows = db.session.execute(sa.select(ScanCode.variant, ScanCode.used, sa.func.count())
                              .where(ScanCode.round_id == scan_round.id)
                              .group_by(ScanCode.variant, ScanCode.used)).all()
    counts = {variant: {"total": 0, "used": 0} for variant in ("employee", "management")}
    for variant, used, n in rows:
        counts[variant]["total"] += n
        counts[variant]["used"] += n if used else 0
    return counts


def _cases_for(dimension_codes):
    """Published cases the viewer may read, tagged with one of these dimensions (texts.py rule)."""
    tags = texts.dimension_tags()
    wanted = {tag: code for code in dimension_codes for tag in tags[code]}
    if not wanted:
        return {}
    rows = db.session.execute(
        sa.select(Case.id, Case.title, CaseTag.tag).join(CaseTag, CaseTag.case_id == Case.id)
        .where(CaseTag.tag.in_(list(wanted)), Case.status == "published",
               permissions.readable_cases_filter(current_user))
        .order_by(Case.published_at.desc(), Case.id.desc()).limit(50)).all()
    found = {code: [] for code in dimension_codes}
    for case_id, title, tag in rows:
        bucket = found[wanted[tag]]
        if len(bucket) < CASES_PER_DIMENSION and all(case_id != known for known, _ in bucket):
            bucket.append((case_id, title))
    return found


def _trajectory_link(organisation, dimension):
    """The trajectory form, pre-filled; the manager still checks and confirms it."""
    title = _("Learning culture: %(dimension)s", dimension=dimension["name"])
    goal = _("The learning-culture scan shows that “%(dimension)s” is one of our weakest dimensions "
             "(%(description)s) In this trajectory we work on it, and measure again in the next round.",
             dimension=dimension["name"], description=dimension["description"])
    return url_for("trajectories.new", org_id=organisation.id) + "?" + urlencode({"title": title, "goal": goal,
                                                                         "scan_dimension": dimension["code"]})


def _radar(results, dimensions):
    series = []
    if results.employees.shown:
        series.append(("employees", _("Employees"), {c: d.mean for c, d in results.employees.dimensions.items()}))
    if results.management.shown:
        series.append(("management", _("Management"), {c: d.mean for c, d in results.management.dimensions.items()}))
    if results.previous_employees is not None and results.previous_employees.shown:
        series.append(("previous", _("Employees, previous round"),
                       {c: d.mean for c, d in results.previous_employees.dimensions.items()}))
    if results.benchmark is not None:
        series.append(("benchmark", _("Sector benchmark"), results.benchmark.means))
    return chart.radar(dimensions, series)


@bp.route("/scan/rounds/<int:round_id>")
@login_required
def round_page(round_id):
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    organisation = scan_round.organisation
    results = round_results(scan_round, actions.today())
    dimensions = texts.dimensions(scan_round.questionnaire_version)
    by_code = {d["code"]: d for d in dimensions}
    weakest = [by_code[code] for code in results.weakest()]
    return render_template(
        "scan/round.html", scan_round=scan_round, organisation=organisation, results=results,
        dimensions=dimensions, radar=_radar(results, dimensions) if results.anything_shown else None,
        weakest=weakest, cases=_cases_for([d["code"] for d in weakest]),
        trajectory_links={d["code"]: _trajectory_link(organisation, d) for d in weakest},
        codes=_code_counts(scan_round), shown_count=shown_count, fmt=fmt, fmt_change=fmt_change,
        employee_url=url_for("scan.answer", token=scan_round.employee_token, _external=True),
        management_url=url_for("scan.answer", token=scan_round.management_token, _external=True),
        code_url=url_for("scan.enter_code", _external=True))


@bp.route("/scan/rounds/<int:round_id>/codes")
@login_required
def codes(round_id):
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    rows = db.session.scalars(sa.select(ScanCode).where(ScanCode.round_id == scan_round.id)
                              .order_by(ScanCode.variant.desc(), ScanCode.id)).all()
    return render_template("scan/codes.html", scan_round=scan_round, organisation=scan_round.organisation,
                           codes=rows, format_code=actions.format_code,
                           code_url=url_for("scan.enter_code", _external=True))


@bp.route("/scan/rounds/<int:round_id>/results.csv")
@login_required
def results_csv(round_id):
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    body = export.results_csv(round_results(scan_round, actions.today()))
    return Response("\ufeff" + body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=leercultuurscan-{scan_round.id}.csv"})


@bp.route("/scan/rounds/<int:round_id>/close", methods=["POST"])
@login_required
def close(round_id):
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    actions.close_round(current_user, scan_round)
    flash(_("The round is closed. No more answers are taken; the results are final."), "success")
    return redirect(url_for("scan.round_page", round_id=scan_round.id))


@bp.route("/scan/rounds/<int:round_id>/research-consent", methods=["POST"])
@login_required
def research_consent(round_id):
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    consent = request.form.get("consent") == "yes"
    try:
        actions.set_research_consent(current_user, scan_round, consent)
    except ActionError as error:
        flash(error.message, "error")
    else:
        flash(_("Research use of this round's anonymous results is allowed.") if consent else
              _("This round's results will not be used for research."), "success")
    return redirect(url_for("scan.round_page", round_id=scan_round.id))


@bp.route("/scan/rounds/<int:round_id>/delete", methods=["GET", "POST"])
@login_required
def delete(round_id):
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    form = DeleteForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm that the round and its answers are deleted.")]
        else:
            org_id = scan_round.organisation_id
            actions.delete_round(current_user, scan_round)
            flash(_("The round and all its answers are deleted."), "success")
            return redirect(url_for("scan.rounds", org_id=org_id))
    counts = response_counts([scan_round.id]).get(scan_round.id, {})
    return render_template("scan/delete.html", form=form, scan_round=scan_round,
                           organisation=scan_round.organisation, responses=sum(counts.values())), form.status

