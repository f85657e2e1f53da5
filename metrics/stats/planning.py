"""Days a running test still needs, from its own control numbers and today's traffic.

The control's observed rate (or mean and sd) becomes the baseline of a :class:`power.Design`;
``daily_traffic`` units a day are shared out by the planned split. The sample size is the one
of the decision rule the test is read with, as its plan's is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from metrics.stats.errors import StatsInputError
from metrics.stats.power import (
    SPRINT_DAYS,
    Design,
    control_sample_size,
    days_to_reach,
    sequential_control_sample_size,
)

if TYPE_CHECKING:
    from metrics.stats.analysis import AnalysisInput

__all__ = ["SPRINT_DAYS", "DaysNeeded", "days_needed"]


@dataclass(frozen=True)
class DaysNeeded:
    """Days from the start the test needs in all, and the days still to go (0 when done)."""

    required: int
    remaining: int


def observed_design(inp: AnalysisInput, index: int) -> Design:
    """The design implied by the control's numbers and the analysis settings."""
    control, settings, split = inp.control.stats, inp.settings, inp.split
    return Design(
        metric_type=inp.metric_type,
        baseline=control.value,
        baseline_sd=None if inp.metric_type == "binomial" else math.sqrt(control.variance),
        alpha=settings.alpha,
        power=settings.power,
        ratio=split[index] / split[inp.control_index],
        two_sided=settings.two_sided,
        n_variants=len(inp.variants),
        # Holm and BH have no closed-form power; Bonferroni sizes a plan that is enough for both.
        correction="none" if settings.correction == "none" else "bonferroni",
    )


def control_sample_size_for(design: Design, settings) -> float:
    """Units the control needs under the test's decision rule (sequential or fixed-horizon)."""
    if settings.method == "sequential":
        return sequential_control_sample_size(
            design, settings.mde_relative, settings.tuning_parameter
        )
    return control_sample_size(design, settings.mde_relative)


def days_needed(inp: AnalysisInput, index: int) -> DaysNeeded | None:
    """Days for this treatment and the control to reach their sample sizes; None if unplanned."""
    settings = inp.settings
    if settings.daily_traffic is None or settings.mde_relative is None:
        return None
    try:
        design = observed_design(inp, index)
        control_n = control_sample_size_for(design, settings)
    except StatsInputError:
        return None  # e.g. a control sd of 0: no plan can be derived, and health says why
    # Rounded up per variant, as the sample-size plan shows them.
    arms = {
        inp.control_index: math.ceil(control_n - 1e-9),
        index: math.ceil(control_n * design.ratio - 1e-9),
    }
    per_day = [settings.daily_traffic * inp.split[i] / sum(inp.split) for i in arms]
    still_needed = [max(needed - inp.variants[i].stats.n, 0) for i, needed in arms.items()]
    return DaysNeeded(
        days_to_reach(list(arms.values()), per_day), days_to_reach(still_needed, per_day)
    )
