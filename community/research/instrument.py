"""Instrument quality of the scan for researchers: per questionnaire version and group
(employees, management), over the published set of consented rounds (research.disclosure),
the figures of research.psychometrics per dimension and item, and the confirmatory check of
the six-dimension structure (research.structure)."""
import hashlib
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

import numpy as np
import sqlalchemy as sa

from community.extensions import db
from community.models import ScanResponse, ScanRound
from community.research import disclosure, psychometrics, structure
from community.scan import scoring
from community.scan.results import closed_condition


@dataclass
class InstrumentReport:
    version: int
    variant: str
    shown: bool                        # False: fewer than five companies' consented rounds
    companies: int = 0
    rounds: int = 0
    responses: int = 0
    first_day: Optional[date] = None   # the published rounds' first opening and last closing day
    last_day: Optional[date] = None
    dimensions: list = field(default_factory=list)  # psychometrics.DimensionQuality
    structure: Optional[object] = None              # structure.StructureCheck (when shown)


def versions():
    """The questionnaire versions that rounds use (at least version 1)."""
    found = db.session.scalars(sa.select(ScanRound.questionnaire_version).distinct()).all()
    return sorted(set(found) | {1})


def eligible_rounds(version, variant, today):
    """Consented, closed rounds of this version with at least MIN_GROUP responses of the group:
    one query."""
    rows = db.session.execute(
        sa.select(ScanRound.id, ScanRound.organisation_id, ScanRound.closed_at, ScanRound.closes_on,
                  ScanRound.opens_on, sa.func.count(ScanResponse.id))
        .join(ScanResponse, sa.and_(ScanResponse.round_id == ScanRound.id, ScanResponse.variant == variant))
        .where(ScanRound.research_consent.is_(True), ScanRound.questionnaire_version == version,
               closed_condition(today))
        .group_by(ScanRound.id, ScanRound.organisation_id, ScanRound.closed_at, ScanRound.closes_on,
                  ScanRound.opens_on)
        .having(sa.func.count(ScanResponse.id) >= scoring.MIN_GROUP)).all()
    rounds, opened = [], {}
    for round_id, organisation_id, closed_at, closes_on, opens_on, n in rows:
        closed_on = min(closed_at.date(), closes_on) if closed_at is not None else closes_on
        rounds.append(disclosure.EligibleRound(round_id, organisation_id, closed_on, n))
        opened[round_id] = opens_on
    return rounds, opened


def item_matrix(round_ids, variant, version):
    """The answers of these rounds' group as responses × items (reverse-scored items turned
    round, NaN where an item is missing), grouped by dimension: {dimension: (item codes, array)}."""
    items = scoring.all_items(scoring.questionnaire(version), variant)
    answers = db.session.scalars(sa.select(ScanResponse.answers).where(
        ScanResponse.round_id.in_(round_ids), ScanResponse.variant == variant).order_by(ScanResponse.id)).all()
    by_dimension = {}
    for item in items:
        by_dimension.setdefault(item["dimension"], []).append(item)
    matrices = {}
    for dimension, dimension_items in by_dimension.items():
        rows = []
        for given in answers:
            row = []
            for item in dimension_items:
                value = given.get(item["code"]) if isinstance(given, dict) else None
                valid = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5
                row.append(scoring.item_score(value, item.get("reverse", False)) if valid else math.nan)
            rows.append(row)
        matrices[dimension] = ([item["code"] for item in dimension_items],
                               np.array(rows, dtype=float).reshape(len(rows), len(dimension_items)))
    return matrices


def instrument_report(version, variant, today):
    rounds, opened = eligible_rounds(version, variant, today)
    published = disclosure.published_rounds(rounds)
    if not published:
        return InstrumentReport(version=version, variant=variant, shown=False)
    round_ids = [r.round_id for r in published]
    report = InstrumentReport(
        version=version, variant=variant, shown=True,
        companies=len({r.organisation_id for r in published}), rounds=len(published),
        responses=sum(r.responses for r in published),
        first_day=min(opened[r.round_id] for r in published), last_day=max(r.closed_on for r in published))
    matrices = item_matrix(round_ids, variant, version)
    for dimension, (codes, matrix) in matrices.items():
        report.dimensions.append(psychometrics.dimension_quality(dimension, codes, matrix))
    report.structure = _structure_check(matrices)
    return report


_CHECKS = {}  # digest of the answers fitted -> StructureCheck, the newest last
_CHECKS_KEPT = 8


def _structure_check(matrices):
    """The confirmatory check (up to a few seconds) once per set of answers in this process,
    keyed by a digest of the answers themselves: a round added, a consent withdrawn or any
    answer changed is another key, so nothing needs forgetting. No user's data or rights are
    part of it (the area shows the same figures to every researcher)."""
    digest = hashlib.sha256()
    for dimension, (codes, matrix) in matrices.items():
        digest.update(repr((dimension, codes, matrix.shape)).encode())
        digest.update(np.ascontiguousarray(matrix).tobytes())
    key = digest.hexdigest()
    if key not in _CHECKS:
        check = structure.confirmatory_check(matrices)
        if check.status == structure.TIMED_OUT:
            return check  # a busy moment: try again next time
        _CHECKS[key] = check
        while len(_CHECKS) > _CHECKS_KEPT:
            _CHECKS.pop(next(iter(_CHECKS)))
    return _CHECKS[key]
