"""Fixed-horizon tests of a difference between a treatment and the control.

Conventions, so that numbers match other tools:
- binomial: unpooled two-proportion z, Var = p₁(1 − p₁)/n₁ + p₀(1 − p₀)/n₀, the p-value and CI
  from the same standard error (statsmodels ``test_proportions_2indep(method="wald")``);
- mean: Welch t with Welch–Satterthwaite df (scipy ``ttest_ind_from_stats(equal_var=False)``);
- ratio: delta method per unit, normal reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from metrics.stats import reference
from metrics.stats.errors import StatsInputError
from metrics.stats.sufficient import Stats, uses_t_reference

Alternative = Literal["two-sided", "larger", "smaller"]

ZERO_VARIANCE = "every unit in every variant has the same value: the variance is 0"


@dataclass(frozen=True)
class Estimate:
    """A difference, its standard error and the df of its reference (``inf`` = normal)."""

    value: float
    std_error: float
    df: float = math.inf


@dataclass(frozen=True)
class TestResult:
    """Point estimate, confidence interval (an open end is ±inf) and p-value."""

    estimate: float
    ci_lower: float
    ci_upper: float
    p_value: float


def satterthwaite_df(v0: float, n0: int, v1: float, n1: int) -> float:
    """ν = (v₀ + v₁)² / (v₀²/(n₀ − 1) + v₁²/(n₁ − 1)), vᵢ the variance of arm i's mean."""
    denominator = v0**2 / (n0 - 1) + v1**2 / (n1 - 1)
    return (v0 + v1) ** 2 / denominator if denominator > 0 else math.inf


def welch_df(control: Stats, treatment: Stats) -> float:
    """Welch–Satterthwaite df for two means; inf (normal) for proportions and ratios."""
    if not uses_t_reference(control, treatment):
        return math.inf
    return satterthwaite_df(
        control.variance_of_value, control.n, treatment.variance_of_value, treatment.n
    )


def absolute_difference(control: Stats, treatment: Stats) -> Estimate:
    """Δ = m₁ − m₀ with SE √(Var(m₁) + Var(m₀)), arms independent."""
    variance = control.variance_of_value + treatment.variance_of_value
    return Estimate(
        treatment.value - control.value, math.sqrt(variance), welch_df(control, treatment)
    )


def p_value(statistic: float, df: float, alternative: Alternative) -> float:
    """P-value of a standardised statistic; "larger" means the treatment is higher."""
    if alternative == "larger":
        return reference.cdf(-statistic, df)
    if alternative == "smaller":
        return reference.cdf(statistic, df)
    return min(1.0, 2 * reference.cdf(-abs(statistic), df))


def interval(estimate: Estimate, half_width: float, alternative: Alternative) -> tuple:
    """(lower, upper); a one-sided interval is open (±inf) on the side it does not test."""
    lower = estimate.value - half_width if alternative != "smaller" else -math.inf
    upper = estimate.value + half_width if alternative != "larger" else math.inf
    return lower, upper


def critical_value(alpha: float, df: float, alternative: Alternative) -> float:
    """The quantile whose multiple of the SE gives the CI half-width."""
    tail = alpha / 2 if alternative == "two-sided" else alpha
    return reference.quantile(1 - tail, df)


def fixed_horizon_test(estimate: Estimate, alpha: float, alternative: Alternative) -> TestResult:
    """Wald-type test and CI from one SE; raise when the SE is 0 (nothing varies)."""
    if not estimate.std_error > 0:
        raise StatsInputError("variants", ZERO_VARIANCE)
    half_width = critical_value(alpha, estimate.df, alternative) * estimate.std_error
    statistic = estimate.value / estimate.std_error
    lower, upper = interval(estimate, half_width, alternative)
    return TestResult(estimate.value, lower, upper, p_value(statistic, estimate.df, alternative))
