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
