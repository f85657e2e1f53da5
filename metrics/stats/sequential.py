"""Always-valid inference: asymptotic confidence sequences, so looking every day is safe.

Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas (2023), "Time-uniform central limit theory and
asymptotic confidence sequences", eq. 9: after t units, with σ̂ the per-unit standard deviation,

    θ̂ₜ ± σ̂ √( 2(tρ² + 1) / (t²ρ²) · ln(√(tρ² + 1) / α) ),

with ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*, which makes the sequence tightest near t = N*.
For a difference t is the units of both arms and σ̂ = SE·√t, so the half-width is
SE · √( 2(tρ² + 1)/(tρ²) · ln(√(tρ² + 1)/α) ). Inverting it gives the always-valid p-value
p = min(1, √(tρ² + 1) · exp(−z² tρ² / (2(tρ² + 1)))): p ≤ α exactly when 0 is outside.
"""

from __future__ import annotations

import math

from metrics.stats import frequentist
from metrics.stats.frequentist import Alternative, Estimate, TestResult

DEFAULT_TUNING_PARAMETER = 5000


def rho_squared(alpha: float, tuning_parameter: float) -> float:
    """ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*."""
    log_alpha = math.log(alpha)
    return (-2 * log_alpha + math.log(1 - 2 * log_alpha)) / tuning_parameter


def boundary_in_std_errors(units: int, alpha: float, tuning_parameter: float) -> float:
    """Half-width of the two-sided confidence sequence, in standard errors."""
    spread = units * rho_squared(alpha, tuning_parameter)
    return math.sqrt(2 * (spread + 1) / spread * math.log(math.sqrt(spread + 1) / alpha))


def always_valid_p_value(statistic: float, units: int, alpha: float, tuning: float) -> float:
    """min(1, √(tρ² + 1) · exp(−z² tρ² / (2(tρ² + 1)))), two-sided."""
    spread = units * rho_squared(alpha, tuning)
    exponent = -(statistic**2) * spread / (2 * (spread + 1))
    return min(1.0, math.sqrt(spread + 1) * math.exp(exponent))


def _in_good_direction(value: float, alternative: Alternative) -> bool:
    return alternative == "two-sided" or (value > 0) == (alternative == "larger")


def sequential_test(
    estimate: Estimate,
    units: int,
    alpha: float,
    alternative: Alternative,
    tuning_parameter: float = DEFAULT_TUNING_PARAMETER,
) -> TestResult:
    """Confidence sequence and always-valid p-value at ``units`` units.

    A one-sided test keeps the two-sided boundary (valid, slightly conservative) and opens the
    untested side. The interval is never narrower than the fixed-horizon one: with very few
    units a Welch t reference can be wider than this normal-based sequence.
    """
    fixed = frequentist.fixed_horizon_test(estimate, alpha, alternative)
    multiplier = max(
        boundary_in_std_errors(units, alpha, tuning_parameter),
        frequentist.critical_value(alpha, estimate.df, alternative),
    )
    lower, upper = frequentist.interval(estimate, multiplier * estimate.std_error, alternative)
    statistic = estimate.value / estimate.std_error
    p_value = always_valid_p_value(statistic, units, alpha, tuning_parameter)
    if not _in_good_direction(estimate.value, alternative):
        p_value = 1.0
    return TestResult(estimate.value, lower, upper, max(p_value, fixed.p_value))
