"""Sample size and duration of a demo test's plan: the normal approximation, standard library only.

n per variant = 2 σ² (z₁₋α/₂ + z_power)² / δ², with δ = baseline × MDE and σ² = p(1 − p) for a
conversion or the per-user variance for a mean or ratio. Close enough for demo plans; the app's
own planner (the statistics engine) may differ by a few percent.
"""

from math import ceil
from statistics import NormalDist

z_score = NormalDist().inv_cdf


def sample_size_per_variant(
    *, baseline: float, sd: float | None, mde_relative: float, alpha: float, power: float
) -> int:
    """Users each variant needs to detect a relative change of `mde_relative` percent."""
    variance = sd**2 if sd else baseline * (1 - baseline)
    delta = baseline * mde_relative / 100
    return ceil(2 * variance * (z_score(1 - alpha / 2) + z_score(power)) ** 2 / delta**2)


def days_needed(*, per_variant: int, daily_traffic: int, smallest_share: float) -> int:
    """Days until the smallest variant, at its share of daily traffic, has enough users."""
    return ceil(per_variant / (daily_traffic * smallest_share / 100))
