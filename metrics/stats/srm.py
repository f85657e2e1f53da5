"""Sample ratio mismatch: Pearson's chi-square goodness of fit against the planned split.

χ² = Σ (oᵢ − eᵢ)² / eᵢ with eᵢ = N wᵢ / Σw, on k − 1 degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metrics.stats import reference
from metrics.stats.errors import StatsInputError

SRM_ALERT_P_VALUE = 0.001  # checked on every refresh: a looser threshold would cry wolf


@dataclass(frozen=True)
class SrmResult:
    """χ² statistic, its p-value, and whether the split is broken (p < 0.001)."""

    statistic: float
    p_value: float
    mismatch: bool


def _check_weights(counts: Sequence[int], weights: Sequence[float]) -> None:
    if len(weights) != len(counts):
        raise StatsInputError("expected_split", f"needs {len(counts)} weights, one per variant")
    if any(not weight > 0 for weight in weights):
        raise StatsInputError("expected_split", "every weight must be positive")


def srm_test(counts: Sequence[int], weights: Sequence[float]) -> SrmResult:
    """Pearson χ² test of the observed units per variant against the planned weights."""
    _check_weights(counts, weights)
    total, weight_total = sum(counts), sum(weights)
    expected = [total * weight / weight_total for weight in weights]
    statistic = sum((o - e) ** 2 / e for o, e in zip(counts, expected, strict=True))
    p_value = reference.chi_square_sf(statistic, len(counts) - 1)
    return SrmResult(statistic, p_value, p_value < SRM_ALERT_P_VALUE)
