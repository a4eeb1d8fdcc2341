"""A confirmatory check of the scan's six-dimension structure: per questionnaire version and
group, over the complete responses of the published set (research.disclosure), a
maximum-likelihood confirmatory factor model with six correlated factors, each item loading on
its own dimension only (factor-analyzer's ConfirmatoryFactorAnalyzer).

Reported: the standardised loading of each item (loading / √ model-implied item variance; the
factors have variance 1) and global fit computed here with numpy/scipy from the sample
covariance S (divisor N, as the library uses) and the model-implied covariance Σ it returns:
- F = ln|Σ| + tr(SΣ⁻¹) − ln|S| − p, chi-square T = N·F (ML, lavaan's default "normal"
  likelihood), df = p(p+1)/2 − q with q = p loadings + p error variances + k(k−1)/2 factor
  correlations, p-value from the chi-square distribution;
- the baseline (independence) model: T₀ = N·(ln|diag S| − ln|S|), df₀ = p(p−1)/2;
- CFI = 1 − max(T−df, 0) / max(T₀−df₀, T−df, 0); TLI = (T₀/df₀ − T/df) / (T₀/df₀ − 1);
  RMSEA = √(max(T−df, 0) / (df·N)); SRMR = √(mean over i ≤ j of ((s_ij − σ_ij)/√(s_ii·s_jj))²).

"When n allows": only with at least max(MIN_RESPONSES, PER_PARAMETER · q) complete responses
(README, "Research"); otherwise no figures. A fit whose optimiser did not converge, or that is
improper (an error variance ≤ 0, a factor correlation of 1 or more, a standardised loading above
1), is reported as such, without figures. Converged means: the analytic gradient of F at the
library's answer is near zero (GRADIENT_TOLERANCE), whatever its optimiser reported. A fit that
runs longer than TIME_LIMIT seconds is stopped and reported as such.
"""
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from scipy import stats

MIN_RESPONSES = 200   # a common floor for maximum-likelihood CFA (Kline; Boomsma)
PER_PARAMETER = 5     # at least five responses per free parameter (Bentler & Chou, 1987)

FITTED, TOO_FEW, NOT_CONVERGED, IMPROPER, TIMED_OUT = "fitted", "too_few", "not_converged", "improper", "timed_out"
# The library's optimiser (L-BFGS-B on numerical gradients) can stop short of the optimum without
# a warning, and warns ("ABNORMAL") when it stops at the limit of its precision; so its answer is
# taken as converged exactly when F's analytic gradient there is below this.
GRADIENT_TOLERANCE = 1e-3
# The fit runs while the page is drawn: one that takes longer than this many seconds is stopped
# and reported as such (the employees' model on the demo takes about one second).
TIME_LIMIT = 6.0


@dataclass
class StructureCheck:
    status: str                       # FITTED, TOO_FEW, NOT_CONVERGED, IMPROPER or TIMED_OUT
    n: int                            # complete responses (every item answered)
    needed: int                       # the minimum for this model
    parameters: int                   # free parameters q
    loadings: dict = field(default_factory=dict)   # item code -> standardised loading (FITTED only)
    chi_square: Optional[float] = None
    df: Optional[int] = None
    p_value: Optional[float] = None
    cfi: Optional[float] = None
    tli: Optional[float] = None
    rmsea: Optional[float] = None
    srmr: Optional[float] = None


def free_parameters(items, factors):
    return 2 * items + factors * (factors - 1) // 2


def needed(items, factors):
    return max(MIN_RESPONSES, PER_PARAMETER * free_parameters(items, factors))


def fit_indices(sample, implied, n, parameters):
    """Global fit from the sample covariance (divisor N) and the model-implied covariance."""
    sample, implied = np.asarray(sample, dtype=float), np.asarray(implied, dtype=float)
    p = sample.shape[0]
    logdet_s = np.linalg.slogdet(sample)[1]
    f_ml = np.linalg.slogdet(implied)[1] + np.trace(sample @ np.linalg.inv(implied)) - logdet_s - p
    chi_square = max(n * f_ml, 0.0)
    df = p * (p + 1) // 2 - parameters
    baseline = n * (np.sum(np.log(np.diag(sample))) - logdet_s)
    baseline_df = p * (p - 1) // 2
    excess, baseline_excess = max(chi_square - df, 0.0), max(baseline - baseline_df, 0.0)
    denominator = max(baseline_excess, excess)
    scale = np.sqrt(np.outer(np.diag(sample), np.diag(sample)))
    lower = np.tril_indices(p)
    residuals = ((sample - implied) / scale)[lower]
    return {
        "chi_square": float(chi_square), "df": int(df),
        "p_value": float(stats.chi2.sf(chi_square, df)) if df > 0 else math.nan,
        "cfi": float(1 - excess / denominator) if denominator > 0 else 1.0,
        "tli": float((baseline / baseline_df - chi_square / df) / (baseline / baseline_df - 1)) if df > 0 else math.nan,
        "rmsea": float(math.sqrt(excess / (df * n))) if df > 0 else math.nan,
        "srmr": float(math.sqrt(np.mean(residuals ** 2))),
    }


def gradient(sample, implied, loadings, correlations, pattern):
    """The largest absolute derivative of F (above) with respect to the free parameters, at a
    solution: with W = Σ⁻¹(Σ − S)Σ⁻¹, ∂F/∂Λ = 2WΛΦ (free loadings), ∂F/∂ψᵢ = Wᵢᵢ and
    ∂F/∂φₖₗ = 2(ΛᵀWΛ)ₖₗ (k ≠ l). Zero at a stationary point."""
    try:
        inverse = np.linalg.inv(implied)
    except np.linalg.LinAlgError:
        return math.inf
    w = inverse @ (implied - sample) @ inverse
    by_loading = (2 * w @ loadings @ correlations)[pattern == 1]
    by_correlation = (2 * loadings.T @ w @ loadings)[np.tril_indices(pattern.shape[1], -1)]
    return float(np.max(np.abs(np.concatenate([by_loading, np.diag(w), by_correlation]))))


def _analyzer():
    """factor-analyzer 0.5.1 calls scikit-learn's check_array with ``force_all_finite``, which
    scikit-learn 1.8 renamed to ``ensure_all_finite``; translate that one keyword for its module."""
    from factor_analyzer import confirmatory_factor_analyzer as module  # a heavy import, only here

    if not getattr(module.check_array, "leerkring_adapter", False):
        original = module.check_array

        def check_array(array, *args, force_all_finite=True, **kwargs):
            return original(array, *args, ensure_all_finite=force_all_finite, **kwargs)

        check_array.leerkring_adapter = True
        module.check_array = check_array
    return module


class _TimedOut(Exception):
    pass


def _fit(module, specification, data):
    """The library's fit, stopped (_TimedOut) once it has run TIME_LIMIT seconds: its objective
    is called for every step of the optimiser, so the clock is read there."""
    deadline = time.monotonic() + TIME_LIMIT

    class Bounded(module.ConfirmatoryFactorAnalyzer):
        def _objective(self, *args):
            if time.monotonic() > deadline:
                raise _TimedOut
            return super()._objective(*args)

    return Bounded(specification, disp=False, max_iter=1000).fit(data)


def confirmatory_check(matrices):
    """matrices: {dimension: (item codes, responses × items with NaN for missing)} as
    instrument.item_matrix gives them (every array over the same responses, in the same order).
    Returns a StructureCheck."""
    dimensions = list(matrices)
    codes = [code for dimension in dimensions for code in matrices[dimension][0]]
    data = np.hstack([matrices[dimension][1] for dimension in dimensions]) if dimensions else np.empty((0, 0))
    complete = data[~np.isnan(data).any(axis=1)] if data.size else data
    p, k = len(codes), len(dimensions)
    check = StructureCheck(status=TOO_FEW, n=int(complete.shape[0]), needed=needed(p, k),
                           parameters=free_parameters(p, k))
    if check.n < check.needed:
        return check
    pattern = np.zeros((p, k), dtype=int)
    column = 0
    for index, dimension in enumerate(dimensions):
        width = len(matrices[dimension][0])
        pattern[column:column + width, index] = 1
        column += width
    if np.any(complete.std(axis=0) == 0):
        check.status = IMPROPER
        return check
    module = _analyzer()
    # The dict parser writes into a read-only array under pandas 3; the array parser copies.
    specification = module.ModelSpecificationParser.parse_model_specification_from_array(complete, pattern)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # its optimiser's messages; convergence is checked below
        try:
            model = _fit(module, specification, complete)
            implied = model.get_model_implied_cov()
        except _TimedOut:
            check.status = TIMED_OUT
            return check
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            check.status = NOT_CONVERGED
            return check
    if not np.all(np.isfinite(implied)) or (
            gradient(model.cov_, implied, model.loadings_, model.factor_varcovs_, pattern) > GRADIENT_TOLERANCE):
        check.status = NOT_CONVERGED
        return check
    # A factor's sign is arbitrary: turn each so that its items' loadings sum to a positive value.
    signs = np.where(model.loadings_.sum(axis=0) < 0, -1.0, 1.0)
    loadings = (model.loadings_ * signs).sum(axis=1) / np.sqrt(np.diag(implied))
    correlations = (model.factor_varcovs_ * np.outer(signs, signs))[np.tril_indices(k, -1)]
    if (np.any(model.error_vars_ <= 0) or np.any(np.abs(loadings) > 1) or np.any(np.abs(correlations) >= 1)
            or np.linalg.eigvalsh(implied).min() <= 0):
        check.status = IMPROPER
        return check
    check.status = FITTED
    check.loadings = {code: float(value) for code, value in zip(codes, loadings)}
    for name, value in fit_indices(model.cov_, implied, check.n, check.parameters).items():
        setattr(check, name, value)
    return check
