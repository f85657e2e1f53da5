"""Relative lift (m₁ − m₀) / m₀ with a delta-method variance that includes the control's noise.

Var(m₁/m₀) ≈ Var(m₁)/m₀² + m₁² Var(m₀)/m₀⁴ (arms independent). The CI is symmetric on the
relative scale and uses the reference distribution of the metric's absolute test. Dividing the
absolute CI by m₀ would pretend the control mean is known exactly: it is not done here.
"""

from __future__ import annotations

import math

from metrics.stats.errors import StatsInputError
from metrics.stats.frequentist import Estimate, welch_df
from metrics.stats.sufficient import BinomialStats, MeanStats, Stats

CONTROL_MEAN_ZERO = "the control's value is 0, so a relative lift has no meaning"


def _field_making_value(stats: Stats) -> str:
    if isinstance(stats, BinomialStats):
        return "conversions"
    return "sum" if isinstance(stats, MeanStats) else "num_sum"


def relative_variance(m0: float, v0: float, m1: float, v1: float) -> float:
    """Delta-method Var(m₁/m₀): v₁/m₀² + m₁² v₀/m₀⁴."""
    return v1 / m0**2 + m1**2 * v0 / m0**4


def relative_lift(control: Stats, treatment: Stats) -> Estimate:
    """m₁/m₀ − 1 with its delta-method SE; raise when the control's value is 0."""
    m0, m1 = control.value, treatment.value
    if m0 == 0:
        raise StatsInputError(_field_making_value(control), CONTROL_MEAN_ZERO)
    variance = relative_variance(m0, control.variance_of_value, m1, treatment.variance_of_value)
    return Estimate(m1 / m0 - 1, math.sqrt(variance), welch_df(control, treatment))
