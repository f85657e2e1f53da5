"""The JSON interface of planning: ``{"metric_type", "baseline_rate" | "baseline_mean" +
"baseline_sd", "mde_relative", ...}`` in (with ``sequential_tuning_parameter`` the plan is sized
for the sequential interval), ``{"n_per_variant", "total", "days", "fits_in_sprint"}`` out.
With ``"expected_split"`` (traffic weights, control first) "days" is the time until the variant
with the smallest share has its users."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from metrics.stats import fields
from metrics.stats.errors import StatsInputError
from metrics.stats.jsonio import parse_split
from metrics.stats.power import (
    SPRINT_DAYS,
    Design,
    days_to_reach,
    fits_in_sprint,
    sample_size_per_variant,
)


def parse_design(payload: Mapping) -> Design:
    """The design of the planned test, validated field by field."""
    metric_type = fields.choice(payload, "metric_type", ("binomial", "mean", "ratio"))
    binomial = metric_type == "binomial"
    return Design(
        metric_type=metric_type,
        baseline=fields.number(payload, "baseline_rate" if binomial else "baseline_mean"),
        baseline_sd=None if binomial else fields.number(payload, "baseline_sd"),
        alpha=fields.fraction(payload, "alpha", 0.05),
        power=fields.fraction(payload, "power", 0.8),
        ratio=fields.positive(payload, "ratio", 1.0),
        two_sided=fields.boolean(payload, "two_sided", True),
        n_variants=_n_variants(payload),
        correction=fields.choice(payload, "correction", ("none", "bonferroni"), "none"),
    )


def _n_variants(payload: Mapping) -> int:
    value = fields.whole(payload, "n_variants", 2, largest=26)
    if value < 2:
        raise StatsInputError("n_variants", "must be at least 2 (a control and a treatment)")
    return value


def _split(payload: Mapping, n_variants: int, n_per_variant: list[int]) -> list[float]:
    """The planned traffic weights, control first; by default in proportion to the sizes."""
    weights = parse_split(payload, n_variants)
    return [float(n) for n in n_per_variant] if weights is None else list(weights)


def plan_power(payload: Any) -> dict[str, Any]:
    """Sample size per variant, total, days at ``daily_traffic`` and the sprint check."""
    if not isinstance(payload, Mapping):
        raise StatsInputError("payload", "must be an object")
    design = parse_design(payload)
    tuning = fields.positive(payload, "sequential_tuning_parameter", None)
    mde = fields.number(payload, "mde_relative")
    n_per_variant = sample_size_per_variant(design, mde, sequential_tuning=tuning)
    daily_traffic = fields.positive(payload, "daily_traffic", None)
    sprint_days = fields.whole(payload, "sprint_days", SPRINT_DAYS)
    split = _split(payload, design.n_variants, n_per_variant)
    days = None
    if daily_traffic is not None:
        per_day = [daily_traffic * share / sum(split) for share in split]
        days = days_to_reach(n_per_variant, per_day)
    return {
        "n_per_variant": n_per_variant,
        "total": sum(n_per_variant),
        "days": days,
        "fits_in_sprint": None if days is None else fits_in_sprint(days, sprint_days),
        "sprint_days": sprint_days,
    }
