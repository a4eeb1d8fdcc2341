"""What the research area may publish: aggregates over sets of at least MIN_COMPANIES companies,
never one company's or one response's figures, and no two published sets whose difference is a
smaller group.

Rules (README, "Research"):
- A round counts only when its company consented to research use (``research_consent``), it is
  closed, and its group (employees or management) has at least ``scoring.MIN_GROUP`` responses.
- The published set grows in steps: rounds are taken in the order they closed, and a step is
  added only when it holds rounds of at least MIN_COMPANIES different companies. Until the first
  step is complete nothing is shown. So the figures of any two moments differ by a step of at
  least five companies, never by one company or one round (a figure cannot be "subtracted").
- There are no filters that cut the published set (no date range, no sector): each figure is
  over the whole published set of a questionnaire version and group.
- The learning-outcome monitor's breakdowns (none, community, sector, year) are decided together
  (joint_shown): no shown cell, or union of shown cells of one breakdown, minus a shown cell or
  union of another breakdown whose trajectories lie inside it, leaves a group of 1 to
  MIN_COMPANIES - 1 companies; cells are withheld until none does.
"""
from dataclasses import dataclass

from community.scan.results import MIN_COMPANIES  # the same five as the scan's sector benchmark


@dataclass(frozen=True)
class EligibleRound:
    round_id: int
    organisation_id: int
    closed_on: object  # date
    responses: int


def published_rounds(rounds, min_companies=MIN_COMPANIES):
    """The rounds (EligibleRound, any order) in the published set: whole steps of at least
    ``min_companies`` companies, in the order the rounds closed (then by id)."""
    published, step, companies = [], [], set()
    for item in sorted(rounds, key=lambda r: (r.closed_on, r.round_id)):
        step.append(item)
        companies.add(item.organisation_id)
        if len(companies) >= min_companies:
            published += step
            step, companies = [], set()
    return published


# --- the learning-outcome monitor (research/outcomes.py) --------------------------------------
#
# The counted (non-confidential) trajectories are published in steps like the rounds above
# (published_rounds, in the order they were started), so the figures of two moments never
# differ by the trajectories of one company; the loop's two sides grow in steps the same way.
# (What happens inside a published trajectory, a new log entry or a milestone done, still
# shows at once: those are the figures the monitor is for.)
# Rules for a breakdown of counts (per community, sector or year) whose cells partition the
# published trajectories, so the total is the sum of the cells:
# - A cell is shown only when its trajectories come from at least MIN_COMPANIES companies; the
#   total only when all trajectories together do (otherwise nothing is shown).
# - Complementary suppression: the withheld cells together must span at least MIN_COMPANIES
#   companies, or "total minus the shown cells" would give a figure of fewer companies. While
#   they span fewer (which is always the case when exactly one cell is withheld), the shown cell
#   with the fewest companies is withheld too (then by key), until the withheld cells span at
#   least MIN_COMPANIES companies or every cell is withheld (the total alone is then still an
#   aggregate over at least MIN_COMPANIES companies).
# - Only codes and counts leave this module; company ids are used to count companies, never shown.


def shown_cells(cells, min_companies=MIN_COMPANIES):
    """cells: {key: set of company ids}. Returns (total shown, set of keys of the shown cells)."""
    everyone = set().union(*cells.values()) if cells else set()
    if len(everyone) < min_companies:
        return False, set()
    shown = {key for key, companies in cells.items() if len(companies) >= min_companies}
    withheld = set(cells) - shown

    def span():
        return len(set().union(*(cells[key] for key in withheld)))

    while withheld and span() < min_companies and shown:
        smallest = min(shown, key=lambda key: (len(cells[key]), str(key)))
        shown.discard(smallest)
        withheld.add(smallest)
    return True, shown


# --- all breakdowns together ---------------------------------------------------------------------
#
# A reader can switch breakdowns and subtract: a community cell over companies {1..6} minus a
# sector cell over {1..5} whose trajectories all lie in it gives company 6's figures. So the cells
# of every breakdown (the total is the one cell of "none") are decided together:
# - A "derivable set" is a shown cell or a union of shown cells of one breakdown (their figures
#   add up, since the cells of a breakdown do not overlap).
# - For any two derivable sets U and V of different breakdowns with V's trajectories inside U's,
#   U − V must be empty or span at least MIN_COMPANIES companies.
# - While some pair does not, the shown cell with the fewest companies among those in U and V is
#   withheld too (then by breakdown and key; the total last), and the check starts again. Withholding
#   only removes derivable sets, so this ends, at worst with the total alone.
# The search is exact without listing every pair of unions: for a union U of one side, only the
# largest V inside it matters (all shown cells of the other breakdown inside U); for a union V,
# only the smallest U around it (all cells meeting V); any other choice adds a whole shown cell of
# at least MIN_COMPANIES companies to the difference. Per pair of breakdowns the cells fall apart
# into groups that share trajectories, and a leak shows within one group, so the subsets of the
# smaller side of each group are listed; a group too large to list (MAX_LISTED cells on its
# smaller side) has its smallest cell withheld until it is small enough.
# Not covered: sums and differences of three or more sets across breakdowns, and a difference of
# sets that only overlap (neither inside the other).

MAX_LISTED = 12


def joint_shown(breakdowns, company_of=None, min_companies=MIN_COMPANIES):
    """breakdowns: {breakdown: {key: set of members}}, the cells of each breakdown disjoint (members
    are company ids, or trajectory ids with ``company_of`` giving a member's company). Returns
    {breakdown: set of shown keys}: shown_cells per breakdown first, then withheld further until
    no derivable set minus another inside it leaves 1 to min_companies − 1 companies."""
    company = company_of or (lambda member: member)

    def companies(members):
        return {company(member) for member in members}

    spans = {name: {key: companies(members) for key, members in cells.items()}
             for name, cells in breakdowns.items()}
    shown = {}
    for name, cells in spans.items():
        total, keys = shown_cells(cells, min_companies)
        shown[name] = keys if total else set()
    while True:
        leak = _first_leak(breakdowns, shown, companies, min_companies)
        if leak is None:
            return shown
        single = {name for name, cells in breakdowns.items() if len(cells) == 1}
        name, key = min(leak, key=lambda cell: (cell[0] in single, len(spans[cell[0]][cell[1]]), cell[0], str(cell[1])))
        shown[name].discard(key)


def _union(cells, keys):
    return set().union(*(cells[key] for key in keys)) if keys else set()


def _groups(outer, inner):
    """The shown cells of two breakdowns in groups that share members: [(outer keys, inner keys)]."""
    remaining_outer, remaining_inner, groups = set(outer), set(inner), []
    while remaining_outer:
        group_outer, group_inner = {remaining_outer.pop()}, set()
        grew = True
        while grew:
            members = _union(outer, group_outer)
            more_inner = {key for key in remaining_inner if inner[key] & members}
            remaining_inner -= more_inner
            group_inner |= more_inner
            members = _union(inner, group_inner)
            more_outer = {key for key in remaining_outer if outer[key] & members}
            remaining_outer -= more_outer
            group_outer |= more_outer
            grew = bool(more_inner or more_outer)
        groups.append((sorted(group_outer, key=str), sorted(group_inner, key=str)))
    return groups


def _subsets(keys):
    for mask in range(1, 1 << len(keys)):
        yield [key for index, key in enumerate(keys) if mask >> index & 1]


def _first_leak(breakdowns, shown, companies, min_companies):
    """A list of (breakdown, key) of the shown cells in a leaking pair, or None."""
    for outer_name, outer_cells in breakdowns.items():
        for inner_name, inner_cells in breakdowns.items():
            if outer_name == inner_name:
                continue
            outer = {key: outer_cells[key] for key in shown[outer_name]}
            inner = {key: inner_cells[key] for key in shown[inner_name]}
            covered = _union(outer, outer)
            for outer_keys, inner_keys in _groups(outer, inner):
                involved = [(outer_name, k) for k in outer_keys] + [(inner_name, k) for k in inner_keys]
                if min(len(outer_keys), len(inner_keys)) > MAX_LISTED:
                    return involved
                if len(outer_keys) <= len(inner_keys):
                    for chosen in _subsets(outer_keys):       # U: cells of the outer breakdown
                        u = _union(outer, chosen)
                        inside = [k for k in inner_keys if inner[k] <= u]
                        difference = companies(u - _union(inner, inside))
                        if 0 < len(difference) < min_companies:
                            return [(outer_name, k) for k in chosen] + [(inner_name, k) for k in inside]
                else:
                    for chosen in _subsets(inner_keys):       # V: cells of the inner breakdown
                        v = _union(inner, chosen)
                        if not v <= covered:
                            continue
                        around = [k for k in outer_keys if outer[k] & v]
                        difference = companies(_union(outer, around) - v)
                        if 0 < len(difference) < min_companies:
                            return [(outer_name, k) for k in around] + [(inner_name, k) for k in chosen]
    return None
