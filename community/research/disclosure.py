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
