"""CUPED: remove the part of the metric that a pre-period covariate x already predicts.

θ = Cov(y, x) / Var(x) over all units of the two compared arms taken together. Per arm the
adjusted variance is s²_y + θ² s²_x − 2θ s_yx, and the adjusted difference is
Δ = (ȳ₁ − ȳ₀) − θ(x̄₁ − x̄₀). The relative lift Δ / ȳ₀ divides by the *unadjusted* control
mean; its delta-method variance is Var(Δ)/ȳ₀² + Δ² Var(ȳ₀)/ȳ₀⁴ − 2Δ Cov(Δ, ȳ₀)/ȳ₀³ with
Cov(Δ, ȳ₀) = −(s²_y0 − θ s_yx0)/n₀. The variance reduction is 1 − Var(Δ) / Var(ȳ₁ − ȳ₀).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metrics.stats.errors import StatsInputError
from metrics.stats.frequentist import Estimate, satterthwaite_df
from metrics.stats.relative import CONTROL_MEAN_ZERO
from metrics.stats.sufficient import Covariate, MeanStats


@dataclass(frozen=True)
class CupedEstimates:
    """θ, the variance reduction achieved, and the adjusted absolute and relative estimates."""

    theta: float
    variance_reduction: float
    absolute: Estimate
    relative: Estimate


def _covariate(stats: MeanStats) -> Covariate:
    if stats.covariate is None:
        raise StatsInputError("pre_sum", "CUPED needs the pre-period totals of both arms")
    return stats.covariate


def pooled_theta(control: MeanStats, treatment: MeanStats) -> float:
    """θ = Σ(y − ȳ)(x − x̄) / Σ(x − x̄)² over both arms' units together."""
    c0, c1 = _covariate(control), _covariate(treatment)
    n = control.n + treatment.n
    sum_x, sum_y = c0.sum + c1.sum, control.sum + treatment.sum
    cxx = c0.sum_squares + c1.sum_squares - sum_x**2 / n
    cxy = c0.sum_products + c1.sum_products - sum_x * sum_y / n
    if not cxx > 0:
        raise StatsInputError("pre_sum_squares", "the covariate has zero variance")
    return cxy / cxx


def _arm_moments(stats: MeanStats) -> tuple[float, float]:
    """(s²_x, s_yx) within one arm, divided by n − 1."""
    cov, n = _covariate(stats), stats.n
    var_x = (cov.sum_squares - cov.sum**2 / n) / (n - 1)
    cov_yx = (cov.sum_products - cov.sum * stats.sum / n) / (n - 1)
    return var_x, cov_yx


def adjusted_variance(stats: MeanStats, theta: float) -> float:
    """Per-unit variance after adjustment: s²_y + θ² s²_x − 2θ s_yx (never below 0)."""
    var_x, cov_yx = _arm_moments(stats)
    return max(stats.variance + theta**2 * var_x - 2 * theta * cov_yx, 0.0)


def _relative(control: MeanStats, delta: float, var_delta: float, theta: float) -> float:
    """Delta-method variance of Δ / ȳ₀."""
    m0, v0 = control.value, control.variance_of_value
    _, cov_yx = _arm_moments(control)
    cov_delta_m0 = -(control.variance - theta * cov_yx) / control.n
    variance = var_delta / m0**2 + delta**2 * v0 / m0**4 - 2 * delta * cov_delta_m0 / m0**3
    return max(variance, 0.0)


def cuped_estimates(control: MeanStats, treatment: MeanStats) -> CupedEstimates:
    """Adjusted absolute and relative differences (Welch df from the adjusted variances)."""
    theta = pooled_theta(control, treatment)
    v0 = adjusted_variance(control, theta) / control.n
    v1 = adjusted_variance(treatment, theta) / treatment.n
    shift = _covariate(treatment).sum / treatment.n - _covariate(control).sum / control.n
    delta = treatment.value - control.value - theta * shift
    df = satterthwaite_df(v0, control.n, v1, treatment.n)
    if control.value == 0:
        raise StatsInputError("sum", CONTROL_MEAN_ZERO)
    relative_se = math.sqrt(_relative(control, delta, v0 + v1, theta))
    plain = control.variance_of_value + treatment.variance_of_value
    return CupedEstimates(
        theta=theta,
        variance_reduction=1 - (v0 + v1) / plain if plain > 0 else 0.0,
        absolute=Estimate(delta, math.sqrt(v0 + v1), df),
        relative=Estimate(delta / control.value, relative_se, df),
    )
