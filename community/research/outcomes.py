"""The learning-outcome monitor for researchers: across trajectories that are not confidential
(confidential ones are never counted), learning-log entries by value type, milestones (on time,
late, still open past due, open) and trajectories by status, optionally broken down per
community, sector or year; and the scan -> trajectory -> re-scan loop. Counts come from SQL
(GROUP BY) in a fixed number of statements; what may be shown is decided by
research.disclosure (cells of at least five companies, complementary suppression, and all
breakdowns together so that no cell of one minus a cell of another gives a smaller group).
"""
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa

from community.extensions import db
from community.models import (
    TRAJECTORY_STATUSES, VALUE_KINDS, Community, Milestone, Organisation, OutcomeEntry, ScanResponse, ScanRound,
    ScanScore, Trajectory,
)
from community.research import disclosure
from community.scan import scoring
from community.scan.results import closed_condition

BREAKDOWNS = ("none", "community", "sector", "year")
MILESTONE_STATES = ("on_time", "late", "overdue", "open")
TOTAL = "total"


@dataclass
class Cell:
    key: object                   # the breakdown's value (community id, sector, year) or TOTAL
    shown: bool
    companies: int = 0            # only filled when shown
    trajectories: int = 0
    entries: dict = field(default_factory=dict)      # value kind -> count
    milestones: dict = field(default_factory=dict)   # MILESTONE_STATES -> count
    statuses: dict = field(default_factory=dict)     # TRAJECTORY_STATUSES -> count


@dataclass
class Monitor:
    breakdown: str
    total: Cell
    cells: list                   # Cell per breakdown value, in a stable order (empty for "none")
    labels: dict                  # key -> label (community name, sector, year)


def counted():
    """SQL: the trajectories the monitor may count."""
    return Trajectory.visibility != "confidential"


def _year():
    return sa.func.coalesce(sa.extract("year", Trajectory.planned_start), sa.extract("year", Trajectory.created_at))


def _key(breakdown):
    return {"none": None, "community": Trajectory.community_id,
            "sector": sa.func.coalesce(Organisation.sector, ""), "year": _year()}[breakdown]


def published_trajectories():
    """The ids of the counted trajectories in the published set: whole steps of at least five
    companies in the order the trajectories were started (disclosure.published_rounds), so the
    figures of two moments never differ by the trajectories of one company. One statement."""
    rows = db.session.execute(sa.select(Trajectory.id, Trajectory.organisation_id, Trajectory.created_at)
                              .where(counted())).all()
    steps = disclosure.published_rounds(
        [disclosure.EligibleRound(trajectory_id, organisation_id, created_at, 0)
         for trajectory_id, organisation_id, created_at in rows])
    return [item.round_id for item in steps]


def _grouped(key, *columns, source, where=()):
    """SELECT key, columns..., count(*) FROM source (joined to its trajectory and company)
    GROUP BY key, columns; rows as (key or TOTAL, columns..., count)."""
    keys = [key] if key is not None else []
    query = sa.select(*keys, *columns, sa.func.count()).select_from(source)
    if source is not Trajectory:
        query = query.join(Trajectory, Trajectory.id == source.trajectory_id)
    query = query.join(Organisation, Organisation.id == Trajectory.organisation_id).where(counted(), *where)
    rows = db.session.execute(query.group_by(*keys, *columns)).all()
    return [tuple(row) if key is not None else (TOTAL, *row) for row in rows]


def _milestone_state(today):
    done_on = sa.func.date(Milestone.done_at)
    return sa.case(
        (sa.and_(Milestone.status == "done", Milestone.due_date.is_not(None),
                 done_on > sa.func.date(Milestone.due_date)), "late"),
        (Milestone.status == "done", "on_time"),
        (sa.and_(Milestone.due_date.is_not(None), Milestone.due_date < today), "overdue"),
        else_="open")


def _normal(key):
    """Years come back as floats or Decimals on some databases; keep them whole numbers."""
    return int(key) if key is not None and not isinstance(key, str) else key


def _trajectory_rows(published):
    """(trajectory id, company, status, {breakdown: key}) of the published trajectories: one statement."""
    rows = db.session.execute(
        sa.select(Trajectory.id, Trajectory.organisation_id, Trajectory.status, Trajectory.community_id,
                  sa.func.coalesce(Organisation.sector, ""), _year())
        .join(Organisation, Organisation.id == Trajectory.organisation_id).where(counted(), *published)).all()
    return [(trajectory_id, organisation_id, status,
             {"none": TOTAL, "community": community_id, "sector": sector, "year": _normal(year)})
            for trajectory_id, organisation_id, status, community_id, sector, year in rows]


def monitor(breakdown, today):
    """The figures for a breakdown ("none", "community", "sector", "year") over the published
    trajectories: four statements (a fifth for the community names). Which cells are shown is
    decided for all breakdowns together (disclosure.joint_shown), so switching breakdowns and
    subtracting gives no group under five companies."""
    key = _key(breakdown)
    published = [Trajectory.id.in_(published_trajectories())]
    rows = _trajectory_rows(published)
    entries = _grouped(key, OutcomeEntry.value_kind, source=OutcomeEntry, where=published)
    state = _milestone_state(today)
    milestones = _grouped(key, state, source=Milestone, where=published)
    members = {name: {} for name in BREAKDOWNS}
    company = {}
    figures = {}
    for trajectory_id, organisation_id, status, keys in rows:
        company[trajectory_id] = organisation_id
        for name in BREAKDOWNS:
            members[name].setdefault(keys[name], set()).add(trajectory_id)
        group = keys[breakdown] if breakdown != "none" else TOTAL
        cell = figures.setdefault(group, Cell(key=group, shown=False))
        cell.statuses[status] = cell.statuses.get(status, 0) + 1
        cell.trajectories += 1
    for group, value_kind, n in entries:
        cell = figures[_normal(group)]
        cell.entries[value_kind] = cell.entries.get(value_kind, 0) + n
    for group, milestone_state, n in milestones:
        cell = figures[_normal(group)]
        cell.milestones[milestone_state] = cell.milestones.get(milestone_state, 0) + n
    shown = disclosure.joint_shown(members, company_of=company.get)
    total = Cell(key=TOTAL, shown=TOTAL in shown["none"])
    if total.shown:
        total.companies = len(set(company.values()))
        for cell in figures.values():
            total.trajectories += cell.trajectories
            for name in ("entries", "milestones", "statuses"):
                mine, theirs = getattr(total, name), getattr(cell, name)
                for code, n in theirs.items():
                    mine[code] = mine.get(code, 0) + n
    _complete(total)
    result = []
    if breakdown != "none":
        for group in sorted(figures, key=lambda k: (str(type(k)), k)):
            cell = figures[group]
            if group in shown[breakdown]:
                cell.shown, cell.companies = True, len({company[t] for t in members[breakdown][group]})
            else:
                cell = Cell(key=group, shown=False)
            result.append(_complete(cell))
    return Monitor(breakdown=breakdown, total=total, cells=result, labels=_labels(breakdown, figures))


def _complete(cell):
    """Every code present (0 where none), nothing when withheld."""
    if cell.shown:
        cell.entries = {code: cell.entries.get(code, 0) for code in VALUE_KINDS}
        cell.milestones = {code: cell.milestones.get(code, 0) for code in MILESTONE_STATES}
        cell.statuses = {code: cell.statuses.get(code, 0) for code in TRAJECTORY_STATUSES}
    else:
        cell.trajectories, cell.entries, cell.milestones, cell.statuses = 0, {}, {}, {}
    return cell


def _labels(breakdown, figures):
    if breakdown == "community" and figures:
        return dict(db.session.execute(sa.select(Community.id, Community.name).where(Community.id.in_(list(figures)))).all())
    return {key: str(key) for key in figures}


# --- the scan -> trajectory -> re-scan loop -----------------------------------------------------

@dataclass
class LoopRow:
    dimension: str
    shown: bool
    with_trajectory: int = 0           # companies (only filled when shown)
    without_trajectory: int = 0
    change_with: Optional[float] = None
    change_without: Optional[float] = None


def _rounds(today):
    """Consented, closed rounds with at least MIN_GROUP employee responses, per company in the
    order they were held: {company: [(round id, opens_on, closed_on)]}."""
    rows = db.session.execute(
        sa.select(ScanRound.id, ScanRound.organisation_id, ScanRound.opens_on, ScanRound.closes_on, ScanRound.closed_at)
        .join(ScanResponse, sa.and_(ScanResponse.round_id == ScanRound.id, ScanResponse.variant == "employee"))
        .where(ScanRound.research_consent.is_(True), closed_condition(today))
        .group_by(ScanRound.id, ScanRound.organisation_id, ScanRound.opens_on, ScanRound.closes_on,
                  ScanRound.closed_at)
        .having(sa.func.count(ScanResponse.id) >= scoring.MIN_GROUP)).all()
    rounds = {}
    for round_id, organisation_id, opens_on, closes_on, closed_at in rows:
        closed_on = min(closed_at.date(), closes_on) if closed_at is not None else closes_on
        rounds.setdefault(organisation_id, []).append((round_id, opens_on, closed_on))
    for held in rounds.values():
        held.sort(key=lambda r: (r[1], r[0]))
    return rounds


def _means(round_ids):
    """{(round id, dimension): employees' mean} from the stored scores, one statement."""
    if not round_ids:
        return {}
    rows = db.session.execute(
        sa.select(ScanScore.round_id, ScanScore.dimension, sa.func.avg(ScanScore.total * 1.0 / ScanScore.items))
        .where(ScanScore.round_id.in_(round_ids), ScanScore.variant == "employee", ScanScore.items > 0)
        .group_by(ScanScore.round_id, ScanScore.dimension)).all()
    return {(round_id, dimension): float(mean) for round_id, dimension, mean in rows}


def _starts():
    """{(company, dimension): the first start of a counted trajectory on that dimension}."""
    rows = db.session.execute(
        sa.select(Trajectory.organisation_id, Trajectory.scan_dimension, Trajectory.planned_start,
                  Trajectory.created_at)
        .where(counted(), Trajectory.scan_dimension.is_not(None))).all()
    starts = {}
    for organisation_id, dimension, planned_start, created_at in rows:
        start = planned_start or created_at.date()
        if (organisation_id, dimension) not in starts or start < starts[(organisation_id, dimension)]:
            starts[(organisation_id, dimension)] = start
    return starts


def _around(held, start):
    """The last round closed on or before the start and the first that opened after it."""
    before = [r for r in held if r[2] <= start]
    after = [r for r in held if r[1] > start]
    return (before[-1], after[0]) if before and after else None


def loop(today, min_companies=disclosure.MIN_COMPANIES):
    """Per dimension: the mean change (employees) of companies that ran a trajectory on it,
    between their round before and their first round after its start, beside the change
    between the last two consecutive rounds of companies that did not; only when both groups
    have at least ``min_companies`` companies; each side grows in steps of at least that many
    companies (disclosure.published_rounds). Three statements."""
    rounds = _rounds(today)
    starts = _starts()
    means = _means([r[0] for held in rounds.values() for r in held])
    result = []
    for dimension in [d["code"] for d in scoring.questionnaire()["dimensions"]]:
        changes, treated, control = {}, [], []
        for organisation_id, held in rounds.items():
            start = starts.get((organisation_id, dimension))
            pair = _around(held, start) if start is not None else (
                (held[-2], held[-1]) if len(held) >= 2 else None)
            if pair is None:
                continue
            first, second = (means.get((r[0], dimension)) for r in pair)
            if first is not None and second is not None:
                changes[organisation_id] = second - first
                item = disclosure.EligibleRound(pair[1][0], organisation_id, pair[1][2], 0)
                (treated if start is not None else control).append(item)
        # Each side in whole steps of at least five companies, in the order their later round closed.
        treated = [changes[r.organisation_id] for r in disclosure.published_rounds(treated, min_companies)]
        control = [changes[r.organisation_id] for r in disclosure.published_rounds(control, min_companies)]
        if len(treated) >= min_companies and len(control) >= min_companies:
            result.append(LoopRow(dimension, True, len(treated), len(control),
                                  sum(treated) / len(treated), sum(control) / len(control)))
        else:
            result.append(LoopRow(dimension, False))
    return result
