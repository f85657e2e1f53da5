"""The JSON interface of planning: ``{"metric_type", "baseline_rate" | "baseline_mean" +
"baseline_sd", "mde_relative", ...}`` in, ``{"n_per_variant", "total", "days",
"fits_in_sprint"}`` out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from metrics.stats import fields
from metrics.stats.errors import StatsInputError
from metrics.stats.power import (
    SPRINT_DAYS,
    Design,
    expected_duration_days,
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


def plan_power(payload: Any) -> dict[str, Any]:
    """Sample size per variant, total, days at ``daily_traffic`` and the sprint check."""
    if not isinstance(payload, Mapping):
        raise StatsInputError("payload", "must be an object")
    design = parse_design(payload)
    n_per_variant = sample_size_per_variant(design, fields.number(payload, "mde_relative"))
    daily_traffic = fields.positive(payload, "daily_traffic", None)
    sprint_days = fields.whole(payload, "sprint_days", SPRINT_DAYS)
    days = (
        None if daily_traffic is None else expected_duration_days(sum(n_per_variant), daily_traffic)
    )
    return {
        "n_per_variant": n_per_variant,
        "total": sum(n_per_variant),
        "days": days,
        "fits_in_sprint": None if days is None else fits_in_sprint(days, sprint_days),
        "sprint_days": sprint_days,
    }
