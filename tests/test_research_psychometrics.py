"""Psychometric figures against values worked out by hand (not by the code under test).

The data set is built so that its sample covariance is exactly a one-factor correlation matrix
with loadings 0.8, 0.7, 0.6, 0.5 (uniquenesses 1 − λ²). Then, by hand:
- the sum of all covariances is (Σλ)² + Σψ = 2.6² + 2.26 = 9.02, so
  alpha = 4/3 · (1 − 4/9.02) = 0.742 (to 3 decimals);
- omega total = (Σλ)² / ((Σλ)² + Σψ) = 6.76 / 9.02 = 0.749;
- item 1's item–rest correlation = 0.8·1.8 / √(1.8² + 1.9) = 1.44 / √5.14 = 0.635;
- alpha without item 4 (loadings 0.8, 0.7, 0.6): 3/2 · (1 − 3/(2.1² + 1.51)) = 3/2 · (1 − 3/5.92) = 0.740.
A second, small hand-checked set covers floor, ceiling, missing answers and the mean/SD.
"""
import math

import numpy as np
import pytest

from community.research import psychometrics

LOADINGS = np.array([0.8, 0.7, 0.6, 0.5])


def one_factor_data(n=200, seed=1):
    sigma = np.outer(LOADINGS, LOADINGS)
    np.fill_diagonal(sigma, 1.0)
    z = np.random.default_rng(seed).normal(size=(n, 4))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T  # sample covariance exactly I
    return z @ np.linalg.cholesky(sigma).T + 3  # sample covariance exactly sigma


def test_alpha_omega_and_item_figures_equal_the_hand_computed_values():
    data = one_factor_data()
    assert round(psychometrics.cronbach_alpha(data), 3) == 0.742
    assert round(psychometrics.omega_total(data), 3) == 0.749
    quality = psychometrics.dimension_quality("d", ["a", "b", "c", "d"], data)
    assert round(quality.alpha, 3) == 0.742 and round(quality.omega, 3) == 0.749
    assert round(quality.items[0].item_rest, 3) == 0.635
    assert round(quality.items[3].alpha_if_deleted, 3) == round(1.5 * (1 - 3 / (2.1 ** 2 + 1.51)), 3) == 0.740
    assert quality.n == 200


def test_floor_ceiling_missing_mean_and_sd_on_a_small_set():
    nan = math.nan
    scores = [[1, 1, 1], [5, 5, 5], [3, 4, 5], [2, nan, 4], [4, 4, 4]]
    quality = psychometrics.dimension_quality("d", ["x", "y", "z"], scores)
    assert quality.n == 4 and quality.missing == pytest.approx(0.2)   # one of five lacks an item
    # Dimension scores of the complete responses: 1, 5, 4, 4 -> mean 3.5, SD sqrt(3)
    assert quality.mean == pytest.approx(3.5) and quality.sd == pytest.approx(math.sqrt(3))
    assert quality.floor == pytest.approx(0.25) and quality.ceiling == pytest.approx(0.25)
    x, y, z = quality.items
    assert x.floor == pytest.approx(0.2) and z.ceiling == pytest.approx(0.4)   # of each item's answers
    assert y.missing == pytest.approx(0.2) and x.missing == 0
    assert y.mean == pytest.approx(3.5)


def test_figures_that_cannot_be_computed_are_nan_not_errors():
    assert math.isnan(psychometrics.cronbach_alpha([[3, 3], [3, 3]]))        # no variance
    assert math.isnan(psychometrics.omega_total([[1, 2], [2, 3], [3, 4]]))   # two items: no omega
    empty = psychometrics.dimension_quality("d", ["x", "y", "z"], np.empty((0, 3)))
    assert empty.n == 0 and math.isnan(empty.mean) and math.isnan(empty.alpha)
