"""Instrument quality of the learning-culture scan: per dimension, over a set of responses,
the reliability (Cronbach's alpha, McDonald's omega total), item–rest correlations, alpha if an
item is deleted, floor and ceiling shares and missing answers.

Pure functions over plain arrays (one row per response, one column per item, reverse-scored
items already turned round, NaN for a missing answer), computed with numpy and, for omega, a
one-factor maximum-likelihood model (scikit-learn's FactorAnalysis). Which responses may be used, and
whether a figure may be shown, is decided before these run (community.research.disclosure).
"""
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

SCALE_MIN, SCALE_MAX = 1, 5


@dataclass
class ItemQuality:
    code: str
    mean: float
    sd: float
    item_rest: float          # correlation of the item with the sum of the other items
    alpha_if_deleted: float   # Cronbach's alpha of the dimension without this item
    floor: float              # share of answers at the lowest point (0..1)
    ceiling: float            # share of answers at the highest point
    missing: float            # share of responses without an answer to this item


@dataclass
class DimensionQuality:
    code: str
    n: int                    # responses with every item of the dimension answered
    mean: float               # of the respondents' dimension scores (mean of their items)
    sd: float
    alpha: float
    omega: float              # McDonald's omega total (one-factor model); nan when it cannot be fitted
    floor: float              # share of respondents at the lowest possible dimension score
    ceiling: float
    missing: float            # share of responses missing at least one item of the dimension
    items: list = field(default_factory=list)


def cronbach_alpha(scores):
    """k/(k-1) · (1 − Σ item variances / variance of the sum), sample variances (ddof=1)."""
    scores = np.asarray(scores, dtype=float)
    k = scores.shape[1]
    if k < 2 or scores.shape[0] < 2:
        return math.nan
    total_variance = scores.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return math.nan
    return float(k / (k - 1) * (1 - scores.var(axis=0, ddof=1).sum() / total_variance))


def omega_total(scores):
    """(Σλ)² / ((Σλ)² + Σψ) from a one-factor maximum-likelihood model of the items'
    correlations (λ the standardised loadings, ψ = 1 − λ² the uniquenesses)."""
    scores = np.asarray(scores, dtype=float)
    if scores.shape[1] < 3 or scores.shape[0] <= scores.shape[1] or np.any(scores.std(axis=0) == 0):
        return math.nan
    from sklearn.decomposition import FactorAnalysis  # a heavy import, only where it is used

    standardised = (scores - scores.mean(axis=0)) / scores.std(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = FactorAnalysis(n_components=1, tol=1e-8, max_iter=10000, random_state=0).fit(standardised)
        except (ValueError, np.linalg.LinAlgError):
            return math.nan
    loadings = np.abs(model.components_[0])
    uniquenesses = model.noise_variance_
    common = loadings.sum() ** 2
    return float(common / (common + uniquenesses.sum()))


def _correlation(a, b):
    if a.std() == 0 or b.std() == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])


def dimension_quality(code, item_codes, scores):
    """The figures of one dimension from ``scores`` (responses × items, NaN = missing)."""
    scores = np.asarray(scores, dtype=float).reshape(-1, len(item_codes))
    answered = ~np.isnan(scores)
    complete = scores[answered.all(axis=1)]
    n = complete.shape[0]
    dimension_scores = complete.mean(axis=1) if n else np.array([])
    items = []
    for index, item in enumerate(item_codes):
        column = scores[answered[:, index], index]
        rest = np.delete(complete, index, axis=1)
        items.append(ItemQuality(
            code=item,
            mean=float(column.mean()) if column.size else math.nan,
            sd=float(column.std(ddof=1)) if column.size > 1 else math.nan,
            item_rest=_correlation(complete[:, index], rest.sum(axis=1)) if n > 2 and rest.size else math.nan,
            alpha_if_deleted=cronbach_alpha(rest) if n > 1 else math.nan,
            floor=float((column == SCALE_MIN).mean()) if column.size else math.nan,
            ceiling=float((column == SCALE_MAX).mean()) if column.size else math.nan,
            missing=float(1 - answered[:, index].mean()) if scores.shape[0] else math.nan,
        ))
    return DimensionQuality(
        code=code, n=n,
        mean=float(dimension_scores.mean()) if n else math.nan,
        sd=float(dimension_scores.std(ddof=1)) if n > 1 else math.nan,
        alpha=cronbach_alpha(complete),
        omega=omega_total(complete),
        floor=float((dimension_scores == SCALE_MIN).mean()) if n else math.nan,
        ceiling=float((dimension_scores == SCALE_MAX).mean()) if n else math.nan,
        missing=float(1 - answered.all(axis=1).mean()) if scores.shape[0] else math.nan,
        items=items)
