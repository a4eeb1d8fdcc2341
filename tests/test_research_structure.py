"""The confirmatory check of the six-dimension structure (community/research/structure.py)
against values computed independently of factor-analyzer:

- Recovery: data whose sample covariance (divisor N) is exactly a known correlated-factors
  model; maximum likelihood then returns that model, so the standardised loadings equal the
  chosen ones and the fit is perfect (chi-square 0, CFI 1, RMSEA 0, SRMR 0).
- Misfit: data from a model with a cross-loading, fitted without it. The reference is a separate
  maximum-likelihood fit written here (scipy's BFGS on its own parameters: loadings, log error
  variances, atanh factor correlations), and CFI, TLI and RMSEA are worked out from the two
  chi-squares by hand.
- Too few responses, non-convergence and improper solutions give no figures.
"""
import math
import warnings

import numpy as np
import pytest
from scipy import optimize

from community.research import structure

SIZES = (3, 3, 3)


@pytest.fixture(autouse=True)
def no_time_limit(monkeypatch):
    """A busy test machine must not turn a fit into a time-out (that has its own test)."""
    monkeypatch.setattr(structure, "TIME_LIMIT", 120.0)


def pattern(sizes):
    result = np.zeros((sum(sizes), len(sizes)))
    start = 0
    for index, size in enumerate(sizes):
        result[start:start + size, index] = 1
        start += size
    return result


def exact_data(sigma, n, seed=3):
    """n rows whose sample covariance with divisor N is exactly ``sigma`` (mean 3)."""
    z = np.random.default_rng(seed).normal(size=(n, sigma.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, ddof=0))).T
    return z @ np.linalg.cholesky(sigma).T + 3


def matrices(data, sizes):
    result, start = {}, 0
    for index, size in enumerate(sizes):
        result[f"d{index}"] = ([f"d{index}i{j}" for j in range(size)], data[:, start:start + size])
        start += size
    return result


def model_sigma(loadings, phi):
    sigma = loadings @ phi @ loadings.T
    np.fill_diagonal(sigma, 1.0)   # standardised items: error variance 1 − common variance
    return sigma


def test_loadings_of_a_known_structure_are_recovered_with_a_perfect_fit():
    lam = np.array([0.8, 0.7, 0.6, 0.75, 0.65, 0.55, 0.7, 0.6, 0.5])
    loadings = pattern(SIZES) * lam[:, None]
    phi = np.array([[1, 0.4, 0.3], [0.4, 1, 0.5], [0.3, 0.5, 1]])
    check = structure.confirmatory_check(matrices(exact_data(model_sigma(loadings, phi), 250), SIZES))
    assert check.status == structure.FITTED and check.n == 250
    assert check.parameters == 2 * 9 + 3 and check.df == 45 - 21
    assert [round(v, 3) for v in check.loadings.values()] == lam.tolist()
    assert round(check.chi_square, 3) == 0 and round(check.p_value, 3) == 1
    assert round(check.cfi, 3) == 1 and round(check.rmsea, 3) == 0 and round(check.srmr, 3) == 0


def _reference_fit(sample, mask, n):
    """Maximum likelihood by hand: minimise F = ln|Σ| + tr(SΣ⁻¹) − ln|S| − p."""
    p, k = mask.shape
    rows, cols = np.nonzero(mask)
    lower = np.tril_indices(k, -1)

    def sigma_of(theta):
        loadings = np.zeros((p, k))
        loadings[rows, cols] = theta[:len(rows)]
        psi = np.exp(theta[len(rows):len(rows) + p])
        phi = np.eye(k)
        phi[lower] = np.tanh(theta[len(rows) + p:])
        phi = phi + np.tril(phi, -1).T
        return loadings @ phi @ loadings.T + np.diag(psi), loadings

    def f(theta):
        sigma, _ = sigma_of(theta)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10
        return logdet + np.trace(sample @ np.linalg.inv(sigma)) - np.linalg.slogdet(sample)[1] - p

    start = np.concatenate([np.full(len(rows), 0.7), np.full(p, np.log(0.5)), np.full(len(lower[0]), 0.3)])
    result = optimize.minimize(f, start, method="BFGS", options={"gtol": 1e-10, "maxiter": 10000})
    sigma, loadings = sigma_of(result.x)
    return n * result.fun, loadings.sum(axis=1) / np.sqrt(np.diag(sigma))


def test_a_misfitting_model_matches_an_independent_fit_and_hand_computed_indices():
    lam = np.array([0.8, 0.7, 0.6, 0.75, 0.65, 0.55, 0.7, 0.6, 0.5])
    loadings = pattern(SIZES) * lam[:, None]
    loadings[2, 1] = 0.45           # item 3 also loads on the second factor: the model leaves that out
    phi = np.array([[1, 0.3, 0.2], [0.3, 1, 0.4], [0.2, 0.4, 1]])
    n = 300
    data = exact_data(model_sigma(loadings, phi), n)
    check = structure.confirmatory_check(matrices(data, SIZES))
    assert check.status == structure.FITTED
    sample = np.cov(data, rowvar=False, ddof=0)
    chi_square, reference_loadings = _reference_fit(sample, pattern(SIZES), n)
    assert round(check.chi_square, 3) == round(chi_square, 3) and chi_square > 5
    assert [round(v, 3) for v in check.loadings.values()] == [round(v, 3) for v in reference_loadings]
    # By hand from the two chi-squares (baseline: independence, N·(Σ ln s_ii − ln|S|), 36 df).
    baseline = n * (np.log(np.diag(sample)).sum() - np.linalg.slogdet(sample)[1])
    df, baseline_df = 24, 36
    assert round(check.cfi, 3) == round(1 - (chi_square - df) / (baseline - baseline_df), 3)
    assert round(check.tli, 3) == round((baseline / baseline_df - chi_square / df) / (baseline / baseline_df - 1), 3)
    assert round(check.rmsea, 3) == round(math.sqrt((chi_square - df) / (df * n)), 3)
    assert 0 < check.srmr < 0.1 and 0 < check.p_value < 1


def test_fit_indices_by_hand_on_a_two_by_two_case():
    """S and Σ differing in one covariance: every index from the formulas, worked out here."""
    sample = np.array([[1.0, 0.5], [0.5, 1.0]])
    implied = np.eye(2)
    figures = structure.fit_indices(sample, implied, n=100, parameters=2)
    f = 0 + 2 - math.log(0.75) - 2         # ln|Σ| = 0, tr(SΣ⁻¹) = 2, ln|S| = ln 0.75
    assert figures["chi_square"] == pytest.approx(100 * f) and figures["df"] == 1
    assert figures["srmr"] == pytest.approx(math.sqrt(0.25 / 3))    # one residual of 0.5 among three
    assert figures["rmsea"] == pytest.approx(math.sqrt((100 * f - 1) / 100))
    assert figures["cfi"] == pytest.approx(0.0)                     # the model is the baseline


def test_too_few_responses_give_no_figures():
    rng = np.random.default_rng(0)
    needed = structure.needed(9, 3)
    assert needed == max(structure.MIN_RESPONSES, 5 * 21) == 200
    few = rng.integers(1, 6, size=(needed - 1, 9)).astype(float)
    check = structure.confirmatory_check(matrices(few, SIZES))
    assert check.status == structure.TOO_FEW and check.n == 199 and check.loadings == {} and check.cfi is None
    # A missing answer makes a response incomplete: it does not count.
    enough = np.vstack([few, [[np.nan] + [3.0] * 8]])
    assert structure.confirmatory_check(matrices(enough, SIZES)).n == 199
    assert structure.needed(26, 6) == 5 * 67    # the employees' questionnaire: 335


def test_non_convergence_is_reported_without_figures(monkeypatch):
    """Converged means a zero gradient of F at the library's answer, whatever its optimiser said."""
    lam = np.array([0.8, 0.7, 0.6, 0.75, 0.65, 0.55, 0.7, 0.6, 0.5])
    data = exact_data(model_sigma(pattern(SIZES) * lam[:, None], np.eye(3)), 250)
    module = structure._analyzer()
    original = module.ConfirmatoryFactorAnalyzer.fit

    def stopped_early(warn):
        def fit(self, X, y=None):
            if warn:
                warnings.warn("The optimization routine failed to converge: ABNORMAL")
            fitted = original(self, X, y)
            fitted.loadings_ = fitted.loadings_ * 1.2      # off the optimum
            return fitted
        return fit

    for warn in (True, False):
        monkeypatch.setattr(module.ConfirmatoryFactorAnalyzer, "fit", stopped_early(warn))
        check = structure.confirmatory_check(matrices(data, SIZES))
        assert check.status == structure.NOT_CONVERGED and check.loadings == {} and check.chi_square is None
    # The warning at the optimum (the optimiser's precision limit) is not a failure.
    monkeypatch.setattr(module.ConfirmatoryFactorAnalyzer, "fit", lambda self, X, y=None: (
        warnings.warn("The optimization routine failed to converge: ABNORMAL"), original(self, X, y))[1])
    assert structure.confirmatory_check(matrices(data, SIZES)).status == structure.FITTED


def test_a_fit_that_runs_too_long_is_stopped(monkeypatch):
    lam = np.array([0.8, 0.7, 0.6, 0.75, 0.65, 0.55, 0.7, 0.6, 0.5])
    data = exact_data(model_sigma(pattern(SIZES) * lam[:, None], np.eye(3)), 250)
    monkeypatch.setattr(structure, "TIME_LIMIT", 0.0)
    check = structure.confirmatory_check(matrices(data, SIZES))
    assert check.status == structure.TIMED_OUT and check.loadings == {} and check.cfi is None


def test_the_gradient_is_zero_at_the_optimum_and_not_beside_it():
    lam = np.array([0.8, 0.7, 0.6, 0.75, 0.65, 0.55, 0.7, 0.6, 0.5])
    loadings = pattern(SIZES) * lam[:, None]
    sigma = model_sigma(loadings, np.eye(3))
    assert structure.gradient(sigma, sigma, loadings, np.eye(3), pattern(SIZES)) == pytest.approx(0, abs=1e-12)
    moved = loadings * 1.1
    implied = moved @ moved.T + np.diag(1 - lam ** 2)
    assert structure.gradient(sigma, implied, moved, np.eye(3), pattern(SIZES)) > 0.01


def test_an_improper_solution_is_reported_without_figures():
    """Two dimensions that are the same construct (their items identical up to noise-free
    copies) force a factor correlation of 1 or an error variance of 0."""
    rng = np.random.default_rng(5)
    level = rng.normal(size=(250, 1))
    data = np.hstack([level + rng.normal(scale=0.5, size=(250, 3)), level + rng.normal(scale=0.5, size=(250, 3)),
                      rng.normal(size=(250, 3))])
    data[:, 5] = data[:, 0]
    check = structure.confirmatory_check(matrices(data, SIZES))
    assert check.status in (structure.IMPROPER, structure.NOT_CONVERGED) and check.loadings == {}
