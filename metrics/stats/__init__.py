"""GrowthLab's statistics engine: pure Python on sufficient statistics, no Django.

The app, the REST calculator and the command line call the same functions:

- ``analyse(payload) -> dict``: one metric's variants in, SRM, one comparison per treatment
  (absolute, relative, sequential, CUPED, Bayesian, adjusted p-value, status, verdict) and the
  health findings out. See ``jsonio`` for the exact shape.
- ``analyse_many(payloads, correction) -> list[dict]``: several metrics of one experiment,
  the p-values corrected ("none", "holm" or "bh") across all treatments × metrics.
- ``plan_power(payload) -> dict``: sample size per variant, total, days, fits in a sprint.

Typed building blocks for sprint planning and other callers:

- ``Design(metric_type, baseline, baseline_sd=None, alpha=0.05, power=0.8, ratio=1.0,
  two_sided=True, n_variants=2, correction="none")``: a planned test;
- ``sample_size_per_variant(design, mde_relative) -> list[int]`` ([control, treatment, ...]);
- ``minimum_detectable_effect(design, n_control) -> float`` (relative, ``inf`` if none);
- ``days_to_reach(units_needed, units_per_day) -> int`` (the one count of days needed),
  ``expected_duration_days(total_units, daily_traffic) -> int`` and
  ``fits_in_sprint(days, sprint_days=21) -> bool``;
- ``BinomialStats``, ``MeanStats`` (with an optional ``Covariate`` for CUPED), ``RatioStats``:
  self-validating sufficient statistics;
- ``StatsInputError``: every invalid input, with ``.field`` naming it (``variants[1].n``).
"""

from metrics.stats.errors import StatsInputError
from metrics.stats.jsonio import analyse, analyse_many
from metrics.stats.power import (
    SPRINT_DAYS,
    Design,
    days_to_reach,
    expected_duration_days,
    fits_in_sprint,
    minimum_detectable_effect,
    sample_size_per_variant,
)
from metrics.stats.power_io import plan_power
from metrics.stats.sufficient import BinomialStats, Covariate, MeanStats, RatioStats

__all__ = [
    "SPRINT_DAYS",
    "BinomialStats",
    "Covariate",
    "Design",
    "MeanStats",
    "RatioStats",
    "StatsInputError",
    "analyse",
    "analyse_many",
    "days_to_reach",
    "expected_duration_days",
    "fits_in_sprint",
    "minimum_detectable_effect",
    "plan_power",
    "sample_size_per_variant",
]
