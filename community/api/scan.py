"""Learning-culture scan (leercultuurscan): a company's rounds (list, open, close, delete), their
invitation codes, and aggregated results. Never single responses.

Only the company's managers and admins see any of it; for everyone else a round or a company's
scan does not exist (404). Figures follow community/scan/results.py: nothing for an open round,
nothing for a group under five (its size is null too).
"""
import sqlalchemy as sa
from flask import url_for
from flask_login import current_user

from community import permissions
from community.actions import scan as actions
from community.api import Blueprint, INPUT_REFUSED
from community.api.communities import page_body
from community.api.scan_schemas import (
    CodeListSchema, ResearchConsentArgs, ResultsSchema, RoundCreateArgs, RoundListArgs, RoundPageSchema, RoundSchema,
)
from community.extensions import db
from community.models import ScanCode
from community.queries import scan as scan_queries
from community.scan import texts
from community.scan.results import response_counts, round_results, sector_key, shown_count

blp = Blueprint("api_scan", __name__, url_prefix="",
                description="Learning-culture scan: rounds and aggregated results (groups of at least 5 only)")
PER_PAGE = 30
NO_ORGANISATION = "No such company, or you do not manage it"
NO_ROUND = "No such round, or one of a company you do not manage"


def _code_counts(round_ids):
    counts = {round_id: {"employee": {"total": 0, "used": 0}, "management": {"total": 0, "used": 0}}
              for round_id in round_ids}
    if round_ids:
        rows = db.session.execute(sa.select(ScanCode.round_id, ScanCode.variant, ScanCode.used, sa.func.count())
                                  .where(ScanCode.round_id.in_(round_ids))
                                  .group_by(ScanCode.round_id, ScanCode.variant, ScanCode.used))
        for round_id, variant, used, n in rows:
            counts[round_id][variant]["total"] += n
            counts[round_id][variant]["used"] += n if used else 0
    return counts


def round_body(scan_round, counts, codes, today):
    return {"id": scan_round.id, "organisation_id": scan_round.organisation_id, "title": scan_round.title,
            "opens_on": scan_round.opens_on, "closes_on": scan_round.closes_on,
            "status": scan_round.status(today), "open_link": scan_round.open_link,
            "research_consent": scan_round.research_consent, "closed_at": scan_round.closed_at,
            "employee_link": url_for("scan.answer", token=scan_round.employee_token, _external=True),
            "management_link": url_for("scan.answer", token=scan_round.management_token, _external=True),
            "code_link": url_for("scan.enter_code", _external=True),
            "responses": {variant: shown_count(counts.get(variant, 0)) for variant in ("employee", "management")},
            "codes": codes}


def _one(scan_round):
    return round_body(scan_round, response_counts([scan_round.id]).get(scan_round.id, {}),
                      _code_counts([scan_round.id])[scan_round.id], actions.today())


@blp.route("/organisations/<int:org_id>/scan-rounds")
@blp.response(200, RoundPageSchema, errors={404: NO_ORGANISATION})
@blp.arguments(RoundListArgs, location="query")
def list_rounds(args, org_id):
    """The company's rounds, newest first, 30 a page."""
    organisation = permissions.access_scan_organisation_or_404(org_id, current_user)
    page = scan_queries.round_page(organisation, scan_queries.RoundFilters(page=args["page"]))
    ids = [item.id for item in page.rows]
    counts, codes, today = response_counts(ids), _code_counts(ids), actions.today()
    return page_body(page, [round_body(item, counts.get(item.id, {}), codes[item.id], today) for item in page.rows])


@blp.route("/organisations/<int:org_id>/scan-rounds", methods=["POST"])
@blp.response(201, RoundSchema, errors={404: NO_ORGANISATION, 422: INPUT_REFUSED})
@blp.arguments(RoundCreateArgs)
def create_round(args, org_id):
    """Open a round: an anonymous link for employees, one for management, and optionally
    one-time invitation codes."""
    organisation = permissions.access_scan_organisation_or_404(org_id, current_user)
    return _one(actions.create_round(current_user, organisation, **args))


@blp.route("/scan-rounds/<int:round_id>")
@blp.response(200, RoundSchema, errors={404: NO_ROUND})
def get_round(round_id):
    """One round with its links and counts (group sizes under 5 are null)."""
    return _one(permissions.access_scan_round_or_404(round_id, current_user))


@blp.route("/scan-rounds/<int:round_id>/codes")
@blp.response(200, CodeListSchema, errors={404: NO_ROUND})
def list_codes(round_id):
    """The round's invitation codes, to hand out."""
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    rows = db.session.execute(sa.select(ScanCode.code, ScanCode.variant).where(ScanCode.round_id == scan_round.id)
                              .order_by(ScanCode.variant.desc(), ScanCode.id)).all()
    return {"codes": [{"code": actions.format_code(code), "variant": variant} for code, variant in rows]}


@blp.route("/scan-rounds/<int:round_id>/close", methods=["POST"])
@blp.response(200, RoundSchema, errors={404: NO_ROUND, 409: "Already closed"})
def close_round(round_id):
    """Close the round now: no more answers, the results are final."""
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    return _one(actions.close_round(current_user, scan_round))


@blp.route("/scan-rounds/<int:round_id>/research-consent", methods=["POST"])
@blp.response(200, RoundSchema, errors={404: NO_ROUND, 409: "Closed, or allowing after answers came in",
                                         422: INPUT_REFUSED})
@blp.arguments(ResearchConsentArgs)
def set_research_consent(args, round_id):
    """Allow or withdraw research use of the round's anonymous, aggregated results."""
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    return _one(actions.set_research_consent(current_user, scan_round, args["research_consent"]))


@blp.route("/scan-rounds/<int:round_id>", methods=["DELETE"])
@blp.response(204, errors={404: NO_ROUND})
def delete_round(round_id):
    """Delete the round with all its responses and codes, for good."""
    actions.delete_round(current_user, permissions.access_scan_round_or_404(round_id, current_user))


def _group(results, variant, group, names):
    if not group.shown:
        return {"shown": False, "n": shown_count(group.n) if results.closed else None, "dimensions": []}
    return {"shown": True, "n": group.n, "dimensions": [
        {"code": code, "name": names.get(code, code), "mean": figure.mean, "spread": figure.spread, "n": figure.n,
         "change": results.trend(variant, code)} for code, figure in group.dimensions.items()]}


@blp.route("/scan-rounds/<int:round_id>/results")
@blp.response(200, ResultsSchema, errors={404: NO_ROUND})
def get_results(round_id):
    """Aggregates per dimension (mean 1-5, spread, n) for employees and management, each only
    with at least 5 respondents and only once the round is closed; change against the previous
    closed round; the sector benchmark (5 or more other companies)."""
    scan_round = permissions.access_scan_round_or_404(round_id, current_user)
    results = round_results(scan_round, actions.today())
    names = texts.dimension_names(scan_round.questionnaire_version)
    benchmark = None
    if results.benchmark is not None:
        benchmark = {"companies": results.benchmark.companies, "sector": sector_key(scan_round.organisation.sector),
                     "dimensions": [{"code": c, "mean": m} for c, m in results.benchmark.means.items()]}
    return {"round": _one(scan_round), "closed": results.closed,
            "employees": _group(results, "employee", results.employees, names),
            "management": _group(results, "management", results.management, names),
            "previous_round_id": results.previous.id if results.previous else None,
            "benchmark": benchmark, "weakest": results.weakest()}
