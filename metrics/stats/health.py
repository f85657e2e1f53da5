"""Health checks: small functions that each return a :class:`Finding` or nothing.

``findings_for`` runs every check in ``HEALTH_CHECKS``; a check that raises is logged and
skipped, so one broken check never hides what the others found.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from metrics.stats import wording
from metrics.stats.sufficient import BinomialStats, Stats

if TYPE_CHECKING:
    from metrics.stats.analysis import AnalysisInput, Comparison
    from metrics.stats.srm import SrmResult

logger = logging.getLogger(__name__)

MIN_UNITS = 50
MIN_CONVERSIONS = 5  # the np ≥ 5 rule of thumb for the normal approximation


@dataclass(frozen=True)
class Finding:
    """A problem a marketer can read: a machine code, a title and the evidence in words.

    ``params`` holds the evidence unworded (JSON types), so a page can word the finding of
    ``code`` in its reader's language; a finding stored before it existed has none.
    """

    code: str
    title: str
    detail: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HealthContext:
    """What the checks look at: the input, the SRM test and the corrected comparisons."""

    input: AnalysisInput
    srm: SrmResult
    comparisons: tuple[Comparison, ...]


def has_too_few_units(stats: Stats) -> bool:
    """Under 50 units, or (binomial) under 5 conversions or 5 non-conversions."""
    if stats.n < MIN_UNITS:
        return True
    if isinstance(stats, BinomialStats):
        return min(stats.conversions, stats.n - stats.conversions) < MIN_CONVERSIONS
    return False


def sample_ratio_mismatch(ctx: HealthContext) -> Finding | None:
    """Flag a split that differs from the plan with p < 0.001."""
    if not ctx.srm.mismatch:
        return None
    counts = ", ".join(f"{v.name}: {v.stats.n}" for v in ctx.input.variants)
    return Finding(
        code="srm",
        title="Visitors were not split between the variants as planned",
        detail=f"Units per variant ({counts}) differ from the planned split "
        f"(chi-square {wording.p_equals(ctx.srm.p_value)}). Do not trust these numbers.",
        params={
            "units": [[v.name, v.stats.n] for v in ctx.input.variants],
            "p_value": ctx.srm.p_value,
        },
    )


def too_few_units(ctx: HealthContext) -> Finding | None:
    """Flag variants with too few units (or conversions) for the tests to be trusted."""
    small = [v.name for v in ctx.input.variants if has_too_few_units(v.stats)]
    if not small:
        return None
    return Finding(
        code="too_few_units",
        title="Too few users to read this result yet",
        detail=f"{', '.join(small)}: each variant needs at least {MIN_UNITS} users"
        f" and, for conversion metrics, {MIN_CONVERSIONS} conversions and non-conversions.",
        params={"variants": small, "min_units": MIN_UNITS, "min_conversions": MIN_CONVERSIONS},
    )


def zero_variance(ctx: HealthContext) -> Finding | None:
    """Flag variants where every unit has the same value."""
    flat = [v.name for v in ctx.input.variants if v.stats.variance == 0]
    if not flat:
        return None
    return Finding(
        code="zero_variance",
        title="A variant shows no variation at all",
        detail=f"{', '.join(flat)}: every user has the same value; check how the metric is read.",
        params={"variants": flat},
    )


def control_value_not_positive(ctx: HealthContext) -> Finding | None:
    """Flag a control value at or below 0, where a relative lift reads backwards."""
    control = ctx.input.control
    if control.stats.value > 0:
        return None
    return Finding(
        code="control_value_not_positive",
        title="Relative lift is hard to read here",
        detail=f"The control's value is {control.stats.value:.4g}; a percentage change "
        "from a value at or below 0 can point the wrong way. Read the absolute difference.",
        params={"value": control.stats.value if math.isfinite(control.stats.value) else None},
    )


def underpowered(ctx: HealthContext) -> Finding | None:
    """Flag a test that cannot reach its sample size within the planned duration."""
    planned = ctx.input.settings.planned_days
    slow = [c for c in ctx.comparisons if c.days is not None and c.days.required > planned]
    if not slow:
        return None
    longest = max(c.days.required for c in slow)
    mde = ctx.input.settings.mde_relative
    return Finding(
        code="underpowered",
        title="This test cannot detect the planned effect in time",
        detail=f"At today's traffic it needs about {longest} days to detect a"
        f" {wording.percent(mde)} change; it is planned for {planned}.",
        params={"days": longest, "mde": mde, "planned_days": planned},
    )


HEALTH_CHECKS: tuple[Callable[[HealthContext], Finding | None], ...] = (
    sample_ratio_mismatch,
    too_few_units,
    zero_variance,
    control_value_not_positive,
    underpowered,
)


def findings_for(
    ctx: HealthContext, checks: Sequence[Callable[[HealthContext], Finding | None]] = HEALTH_CHECKS
) -> list[Finding]:
    """Findings of every check, in registry order; a check that raises is logged and skipped."""
    findings = []
    for check in checks:
        try:
            finding = check(ctx)
        except Exception:
            logger.exception("health check %s failed; the other checks still ran", check.__name__)
            continue
        if finding is not None:
            findings.append(finding)
    return findings
