"""A test's business case in money: what a year of the change is worth if the lift holds.

value per year = baseline × daily users × 365 × relative lift × value of one unit

The baseline is the metric per user (a conversion rate such as 0.05, or revenue per user), so
baseline × users is the conversions (or revenue) a day; the lift is relative (0.05 = +5 %);
the value of one unit is what one conversion is worth, or what one unit of revenue leaves
(a margin). An interval of the lift gives an interval of the value by the same product, since
the value is linear in the lift; an open end (±inf) stays open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class ValueRange:
    """Money per year: the estimate and its interval (an open end is ±inf)."""

    estimate: float
    lower: float
    upper: float


def annual_value(baseline: float, daily_users: float, lift: float, value_per_unit: float) -> float:
    """baseline × daily users × 365 × lift × value of one unit."""
    return baseline * daily_users * DAYS_PER_YEAR * lift * value_per_unit


def projected_value(
    baseline: float,
    daily_users: float,
    lift: tuple[float, float, float],
    value_per_unit: float,
) -> ValueRange:
    """The annual value of a measured lift (estimate, lower, upper) with its interval."""
    scale = baseline * daily_users * DAYS_PER_YEAR * value_per_unit
    ends = sorted(_times(scale, end) for end in lift[1:])
    return ValueRange(_times(scale, lift[0]), ends[0], ends[1])


def _times(scale: float, lift: float) -> float:
    # 0 × inf is nan in floats; a zero scale is worth nothing whatever the lift.
    if scale == 0:
        return 0.0
    return scale * lift if math.isfinite(lift) else math.copysign(math.inf, scale * lift)
