"""What a round's result page (and the API and the CSV export) may show. Every figure passes
through here, so the group-of-five rule is applied in one place.

Rules (privacy, DESIGN.md), each so that no combination of views reveals a group under five:

- Figures appear only once a round is closed: a running mean would show, response by response,
  what the last person answered.
- Employees and management are separate groups, each shown only with at least MIN_GROUP
  respondents. There is deliberately no "everyone" total: with 5 employees and 3 managers, a
  total next to the employees' figures would let anyone subtract the 3 managers' answers.
- Only per-dimension figures (mean, spread, n); no per-item figures, no single responses.
- A group under the threshold shows no count either, only "fewer than 5".
- Trend: against the company's previous closed round, per group, only where both are shown.
- Benchmark: the mean of company means of *other* companies in the same sector (the sector text,
  compared case- and space-insensitively), each company with its latest closed round and at least
  MIN_GROUP employee respondents; shown only when at least MIN_COMPANIES such companies exist.
  The viewing company's own data is never part of it.
"""
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa

from community.extensions import db
from community.models import Organisation, ScanResponse, ScanRound, ScanScore
from community.scan import scoring

MIN_COMPANIES = 5


@dataclass
class Benchmark:
    companies: int
    means: dict = field(default_factory=dict)  # dimension code -> mean of company means


@dataclass
class RoundResults:
    scan_round: ScanRound
    status: str
    closed: bool
    employees: scoring.GroupResult
    management: scoring.GroupResult
    previous: Optional[ScanRound] = None
    previous_employees: Optional[scoring.GroupResult] = None
    previous_management: Optional[scoring.GroupResult] = None
    benchmark: Optional[Benchmark] = None

    @property
    def anything_shown(self):
        return self.employees.shown or self.management.shown

    def weakest(self, count=2):
        return scoring.weakest(self.employees, count)

    def trend(self, variant, code):
        """Change of a dimension's mean against the previous round, or None when not shown."""
        now = self.employees if variant == "employee" else self.management
        before = self.previous_employees if variant == "employee" else self.previous_management
        if not (now.shown and before is not None and before.shown):
            return None
        return round(now.dimensions[code].mean - before.dimensions[code].mean, 2)


def closed_condition(on_day):
    """SQL: the round is closed on this day (by a manager, or because its close date passed)."""
    return sa.or_(ScanRound.closed_at.is_not(None), ScanRound.closes_on < on_day)


def response_counts(round_ids):
    """{round id: {variant: n}} in one query (for lists; shown only through count_label)."""
    counts = {}
    if not round_ids:
        return counts
    rows = db.session.execute(sa.select(ScanResponse.round_id, ScanResponse.variant, sa.func.count())
                              .where(ScanResponse.round_id.in_(round_ids))
                              .group_by(ScanResponse.round_id, ScanResponse.variant))
    for round_id, variant, n in rows:
        counts.setdefault(round_id, {})[variant] = n
    return counts


def shown_count(n):
    """A group's size as it may be shown: the number from MIN_GROUP up, else None ("fewer")."""
    return n if n >= scoring.MIN_GROUP else None


def _groups(round_ids):
    """{round id: {variant: GroupResult}} for closed rounds: one aggregate query over the stored
    dimension scores (community.models.ScanScore), whatever the number of responses."""
    if not round_ids:
        return {}
    counts = {(round_id, variant): n for round_id, variant, n in db.session.execute(
        sa.select(ScanResponse.round_id, ScanResponse.variant, sa.func.count())
        .where(ScanResponse.round_id.in_(round_ids)).group_by(ScanResponse.round_id, ScanResponse.variant))}
    sums = {}
    for round_id, variant, dimension, items, total, squares in db.session.execute(
            sa.select(ScanScore.round_id, ScanScore.variant, ScanScore.dimension, sa.func.max(ScanScore.items),
                      sa.func.sum(ScanScore.total), sa.func.sum(ScanScore.total * ScanScore.total))
            .where(ScanScore.round_id.in_(round_ids))
            .group_by(ScanScore.round_id, ScanScore.variant, ScanScore.dimension)):
        sums.setdefault((round_id, variant), {})[dimension] = (items, int(total), int(squares))
    versions = dict(db.session.execute(sa.select(ScanRound.id, ScanRound.questionnaire_version)
                                       .where(ScanRound.id.in_(round_ids))).all())
    return {round_id: {variant: scoring.aggregate_totals(
        counts.get((round_id, variant), 0),
        _in_questionnaire_order(sums.get((round_id, variant), {}), variant, versions.get(round_id, 1)))
        for variant in scoring.VARIANTS} for round_id in round_ids}


def _in_questionnaire_order(sums, variant, version):
    order = list(dict.fromkeys(item["dimension"] for item in scoring.all_items(scoring.questionnaire(version), variant)))
    return {dimension: sums[dimension] for dimension in order if dimension in sums}


def previous_round(scan_round, on_day):
    """The company's latest closed round that opened before this one."""
    return db.session.scalar(
        sa.select(ScanRound).where(
            ScanRound.organisation_id == scan_round.organisation_id, ScanRound.id != scan_round.id,
            closed_condition(on_day),
            sa.or_(ScanRound.opens_on < scan_round.opens_on,
                   sa.and_(ScanRound.opens_on == scan_round.opens_on, ScanRound.id < scan_round.id)))
        .order_by(ScanRound.opens_on.desc(), ScanRound.id.desc()).limit(1))


def sector_key(sector):
    return " ".join((sector or "").lower().split())


def benchmark(organisation, on_day):
    """The sector benchmark for this company, or None (see the module's rules)."""
    key = sector_key(organisation.sector)
    if not key:
        return None
    candidates = db.session.execute(
        sa.select(ScanRound.id, ScanRound.organisation_id, Organisation.sector)
        .join(Organisation, Organisation.id == ScanRound.organisation_id)
        .where(Organisation.id != organisation.id, Organisation.kind == "company",
               Organisation.status == "active", closed_condition(on_day))
        .order_by(ScanRound.organisation_id, ScanRound.opens_on.desc(), ScanRound.id.desc())).all()
    latest = {}
    for round_id, org_id, sector in candidates:
        if sector_key(sector) == key and org_id not in latest:
            latest[org_id] = round_id
    if len(latest) < MIN_COMPANIES:
        return None
    groups = _groups(list(latest.values()))
    shown = [groups[round_id]["employee"] for round_id in latest.values() if groups[round_id]["employee"].shown]
    if len(shown) < MIN_COMPANIES:
        return None
    codes = shown[0].dimensions.keys()
    return Benchmark(companies=len(shown), means={
        code: round(sum(group.dimensions[code].mean for group in shown) / len(shown), 2) for code in codes})


def round_results(scan_round, on_day):
    """Everything the result page may show for this round on this day."""
    closed = scan_round.is_closed(on_day)
    if not closed:
        counts = response_counts([scan_round.id]).get(scan_round.id, {})
        hidden = {variant: scoring.GroupResult(n=counts.get(variant, 0), shown=False)
                  for variant in scoring.VARIANTS}
        return RoundResults(scan_round, scan_round.status(on_day), False, hidden["employee"], hidden["management"])
    previous = previous_round(scan_round, on_day)
    groups = _groups([scan_round.id] + ([previous.id] if previous else []))
    results = RoundResults(scan_round, "closed", True, groups[scan_round.id]["employee"],
                           groups[scan_round.id]["management"], previous=previous)
    if previous is not None:
        results.previous_employees = groups[previous.id]["employee"]
        results.previous_management = groups[previous.id]["management"]
    if results.employees.shown:
        results.benchmark = benchmark(scan_round.organisation, on_day)
    return results
