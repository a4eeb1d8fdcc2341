"""Scoring the learning-culture scan: reverse-scored items, respondent scores per dimension,
and group aggregates that are never shown for fewer than MIN_GROUP respondents.

Pure functions over plain data, so the rules are easy to test by hand.
"""
import json
import math
from fractions import Fraction
import os
from dataclasses import dataclass, field
from functools import lru_cache

MIN_GROUP = 5  # no figure is ever shown for a group smaller than this (privacy, DESIGN.md)
VARIANTS = ("employee", "management")


class AnswersInvalid(ValueError):
    """Answers that cannot be scored: ``missing`` and ``invalid`` list item codes."""

    def __init__(self, missing=(), invalid=()):
        super().__init__(f"missing: {sorted(missing)}, invalid: {sorted(invalid)}")
        self.missing = sorted(missing)
        self.invalid = sorted(invalid)


@lru_cache(maxsize=None)
def questionnaire(version=1):
    """The versioned questionnaire shipped in this package (read once)."""
    path = os.path.join(os.path.dirname(__file__), f"questionnaire_v{int(version)}.json")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    _check(data)
    return data


def _check(data):
    codes = set()
    dimensions = {d["code"] for d in data["dimensions"]}
    for item in all_items(data, "employee") + all_items(data, "management"):
        if item["code"] in codes:
            raise ValueError(f"duplicate item code {item['code']}")
        codes.add(item["code"])
        if item["dimension"] not in dimensions:
            raise ValueError(f"item {item['code']} names unknown dimension {item['dimension']}")
        if not item.get("nl") or not item.get("en"):
            raise ValueError(f"item {item['code']} needs Dutch and English text")


def all_items(data, variant):
    """Every item of a variant as a dict with its dimension code."""
    if variant == "management":
        return list(data["management"]["items"])
    return [dict(item, dimension=dimension["code"]) for dimension in data["dimensions"]
            for item in dimension["items"]]


def item_score(value, reverse=False):
    """1..5 as answered; a reverse-scored item counts the other way (1 <-> 5)."""
    return 6 - value if reverse else value


def validate(answers, variant="employee", version=1):
    """Every item answered with a whole number from 1 to 5; nothing else. Returns {code: int}."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    items = {item["code"] for item in all_items(questionnaire(version), variant)}
    if not isinstance(answers, dict):
        raise AnswersInvalid(missing=items)
    invalid = {code for code in answers if code not in items}
    invalid |= {code for code, value in answers.items() if code in items and not (
        isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5)}
    missing = items - set(answers)
    if missing or invalid:
        raise AnswersInvalid(missing=missing, invalid=invalid)
    return {code: answers[code] for code in items}


def dimension_totals(answers, variant="employee", version=1):
    """{dimension: (sum of the respondent's reverse-corrected item scores, number of items)}."""
    answers = validate(answers, variant, version)
    totals = {}
    for item in all_items(questionnaire(version), variant):
        total, items = totals.get(item["dimension"], (0, 0))
        totals[item["dimension"]] = (total + item_score(answers[item["code"]], item.get("reverse", False)), items + 1)
    return totals


def respondent_scores(answers, variant="employee", version=1):
    """One respondent's score per dimension: the mean of their (reverse-corrected) items."""
    return {dimension: total / items for dimension, (total, items) in dimension_totals(answers, variant, version).items()}


@dataclass
class DimensionResult:
    mean: float
    spread: float  # sample standard deviation of the respondents' dimension scores
    n: int


@dataclass
class GroupResult:
    """Aggregates of one group (e.g. a round's employees). ``shown`` is False below MIN_GROUP:
    then there are no figures at all, only the fact that the group is too small."""

    n: int
    shown: bool
    dimensions: dict = field(default_factory=dict)  # code -> DimensionResult


def aggregate(per_respondent):
    """Group results from a list of respondent_scores() dicts."""
    n = len(per_respondent)
    if n < MIN_GROUP:
        return GroupResult(n=n, shown=False)
    result = GroupResult(n=n, shown=True)
    for dimension in per_respondent[0]:
        values = [scores[dimension] for scores in per_respondent]
        mean = sum(values) / n
        spread = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
        result.dimensions[dimension] = DimensionResult(mean=round(mean, 2), spread=round(spread, 2), n=n)
    return result


def aggregate_totals(n, sums):
    """Group results from whole-number sums, as the database adds them up: ``sums`` is
    {dimension: (items per respondent, sum of totals, sum of squared totals)} over ``n``
    respondents. Exact arithmetic, then rounded as aggregate() rounds."""
    if n < MIN_GROUP:
        return GroupResult(n=n, shown=False)
    result = GroupResult(n=n, shown=True)
    for dimension, (items, total, squares) in sums.items():
        mean = Fraction(total, n * items)
        variance = Fraction(squares * n - total * total, n * (n - 1) * items * items)
        result.dimensions[dimension] = DimensionResult(mean=round(float(mean), 2),
                                                       spread=round(math.sqrt(variance), 2), n=n)
    return result


def weakest(result, count=2):
    """The dimension codes with the lowest means (for 'from scan to action')."""
    if not result.shown:
        return []
    ordered = sorted(result.dimensions.items(), key=lambda pair: (pair[1].mean, pair[0]))
    return [code for code, _ in ordered[:count]]
