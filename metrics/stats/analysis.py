"""One analysis: the variants of one metric in, one comparison per treatment out.

``analyse_input`` runs, in order: the SRM test, each treatment against the control (fixed
horizon, relative, sequential, CUPED, Bayesian), the multiple-comparison correction, the
health checks, and the verdict. ``analyse_inputs`` does the same for several metrics of one
experiment, correcting across treatments × metrics.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from metrics.stats import planning
from metrics.stats.bayesian import BayesianResult, Direction, NormalPrior, bayesian_lift
from metrics.stats.corrections import DEFAULT_CORRECTION, Correction, adjust_p_values
from metrics.stats.cuped import cuped_estimates
from metrics.stats.errors import StatsInputError
from metrics.stats.frequentist import (
    Alternative,
    TestResult,
    absolute_difference,
    fixed_horizon_test,
)
from metrics.stats.health import Finding, HealthContext, findings_for
from metrics.stats.relative import relative_lift
from metrics.stats.sequential import DEFAULT_TUNING_PARAMETER, sequential_test
from metrics.stats.srm import SrmResult, srm_test
from metrics.stats.sufficient import MeanStats, RatioStats, Stats
from metrics.stats.verdict import UNPLANNED, Progress, Verdict, progress_of, verdict_for

Role = Literal["primary", "secondary", "guardrail"]
Method = Literal["sequential", "fixed"]
MIN_RUNTIME_DAYS = 7  # one full weekly cycle: weekday and weekend users both take part


@dataclass(frozen=True)
class Variant:
    """A named arm and its sufficient statistics."""

    name: str
    stats: Stats


@dataclass(frozen=True)
class Settings:
    """How to test and how to read the result; a field left out takes a team's starting default."""

    alpha: float = 0.05
    two_sided: bool = True
    direction: Direction = "increase"
    correction: Correction = DEFAULT_CORRECTION
    tuning_parameter: float = DEFAULT_TUNING_PARAMETER
    prior: NormalPrior | None = None
    role: Role = "primary"
    metric_name: str = ""
    daily_traffic: float | None = None
    mde_relative: float | None = None
    power: float = 0.8
    planned_days: int = planning.SPRINT_DAYS
    method: Method = "sequential"
    planned_sample: int | None = None
    days_run: int | None = None

    @property
    def alternative(self) -> Alternative:
        """ "two-sided", or the one-sided alternative in the metric's good direction."""
        if self.two_sided:
            return "two-sided"
        return "larger" if self.direction == "increase" else "smaller"

    @property
    def minimum_days(self) -> int:
        """Days a test runs before any winner is called: a full week, or all of a shorter plan."""
        return min(MIN_RUNTIME_DAYS, self.planned_days)


@dataclass(frozen=True)
class AnalysisInput:
    """Everything one analysis needs: variants, the control's index, planned split, settings."""

    metric_type: str
    variants: tuple[Variant, ...]
    control_index: int = 0
    expected_split: tuple[float, ...] | None = None
    settings: Settings = Settings()

    @property
    def control(self) -> Variant:
        """The variant every treatment is compared with."""
        return self.variants[self.control_index]

    @property
    def split(self) -> tuple[float, ...]:
        """Planned weights, equal unless given."""
        return self.expected_split or (1.0,) * len(self.variants)


@dataclass(frozen=True)
class CupedResult:
    """θ, the variance reduction, and the adjusted absolute and relative tests."""

    theta: float
    variance_reduction: float
    absolute: TestResult
    relative: TestResult


@dataclass(frozen=True)
class Comparison:
    """One treatment against the control; p_value_adjusted and verdict are filled in last."""

    variant: str
    variant_index: int
    absolute: TestResult
    relative: TestResult
    sequential_absolute: TestResult
    sequential_relative: TestResult
    cuped: CupedResult | None
    bayesian: BayesianResult
    days: planning.DaysNeeded | None
    progress: Progress = UNPLANNED
    p_value_adjusted: float = math.nan
    verdict: Verdict | None = None


@dataclass(frozen=True)
class AnalysisResult:
    """The input, the SRM test, the comparisons and the health findings."""

    input: AnalysisInput
    srm: SrmResult
    comparisons: tuple[Comparison, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class VariantSummary:
    """A variant as a stored result names it: users and the metric's value."""

    name: str
    n: int
    value: float


@dataclass(frozen=True)
class StoredResult:
    """One metric's analysis read back from storage: everything but the raw statistics.

    ``jsonio.result_from_dict`` builds it from ``result_to_dict``'s output, so every page reads
    the engine's own types and decisions (``verdict.decision_interval``, ``best_treatment``).
    """

    metric_type: str
    control: str
    settings: Settings
    srm: SrmResult
    variants: tuple[VariantSummary, ...]
    comparisons: tuple[Comparison, ...]
    findings: tuple[Finding, ...]

    @property
    def role(self) -> Role:
        return self.settings.role

    @property
    def metric_name(self) -> str:
        return self.settings.metric_name

    def comparison_of(self, variant: str) -> Comparison | None:
        """The comparison of ``variant`` against the control; None for the control itself."""
        return next((c for c in self.comparisons if c.variant == variant), None)


def _cuped(control: Stats, treatment: Stats, settings: Settings) -> CupedResult | None:
    if not isinstance(control, MeanStats | RatioStats):
        return None
    if control.covariate is None or treatment.covariate is None:
        return None
    adjusted = cuped_estimates(control, treatment)
    alpha, alternative = settings.alpha, settings.alternative
    return CupedResult(
        theta=adjusted.theta,
        variance_reduction=adjusted.variance_reduction,
        absolute=fixed_horizon_test(adjusted.absolute, alpha, alternative),
        relative=fixed_horizon_test(adjusted.relative, alpha, alternative),
    )


def compare(inp: AnalysisInput, index: int) -> Comparison:
    """Every method for variant ``index`` against the control, before any correction."""
    control, treatment, settings = inp.control.stats, inp.variants[index].stats, inp.settings
    alpha, alternative = settings.alpha, settings.alternative
    units, tuning = control.n + treatment.n, settings.tuning_parameter
    absolute = absolute_difference(control, treatment)
    try:
        relative = relative_lift(control, treatment)
        cuped = _cuped(control, treatment, settings)
    except StatsInputError as error:
        raise error.within(f"variants[{inp.control_index}]") from None
    return Comparison(
        variant=inp.variants[index].name,
        variant_index=index,
        absolute=fixed_horizon_test(absolute, alpha, alternative),
        relative=fixed_horizon_test(relative, alpha, alternative),
        sequential_absolute=sequential_test(absolute, units, alpha, alternative, tuning),
        sequential_relative=sequential_test(relative, units, alpha, alternative, tuning),
        cuped=cuped,
        bayesian=bayesian_lift(relative, alpha, settings.direction, settings.prior),
        days=planning.days_needed(inp, index),
        progress=progress_of(settings, (control.n, treatment.n)),
    )


@dataclass(frozen=True)
class Look:
    """One treatment at one look of a day-by-day chart: its relative lift by the fixed-horizon
    and the sequential test, and its chance to win."""

    variant: str
    relative: TestResult
    sequential_relative: TestResult
    chance_to_win: float


def look(inp: AnalysisInput, index: int) -> Look:
    """``compare``'s numbers of what a chart of daily looks draws, refused exactly where
    ``compare`` refuses (a control of 0, nothing varying, a covariate CUPED cannot use), without
    the tests and plans that no chart shows."""
    control, treatment, settings = inp.control.stats, inp.variants[index].stats, inp.settings
    alpha, alternative = settings.alpha, settings.alternative
    absolute = absolute_difference(control, treatment)
    try:
        relative = relative_lift(control, treatment)
        _cuped(control, treatment, settings)
    except StatsInputError as error:
        raise error.within(f"variants[{inp.control_index}]") from None
    fixed_horizon_test(absolute, alpha, alternative)  # refuses when nothing varies
    # In compare's order: a relative lift without variance is refused before the Bayesian
    # reading would divide by its standard error.
    fixed = fixed_horizon_test(relative, alpha, alternative)
    units, tuning = control.n + treatment.n, settings.tuning_parameter
    sequential = sequential_test(relative, units, alpha, alternative, tuning)
    bayesian = bayesian_lift(relative, alpha, settings.direction, settings.prior)
    return Look(inp.variants[index].name, fixed, sequential, bayesian.chance_to_win)


def looks_all(inp: AnalysisInput) -> list[Look]:
    """The look of every treatment, in variant order."""
    return [look(inp, i) for i in range(len(inp.variants)) if i != inp.control_index]


def compare_all(inp: AnalysisInput) -> list[Comparison]:
    """Comparisons of every treatment, in variant order."""
    return [compare(inp, i) for i in range(len(inp.variants)) if i != inp.control_index]


def finish(
    inp: AnalysisInput, comparisons: list[Comparison], adjusted: list[float]
) -> AnalysisResult:
    """Attach adjusted p-values, run the health checks, then word each verdict."""
    srm = srm_test([variant.stats.n for variant in inp.variants], inp.split)
    corrected = [
        dataclasses.replace(c, p_value_adjusted=p)
        for c, p in zip(comparisons, adjusted, strict=True)
    ]
    findings = tuple(findings_for(HealthContext(inp, srm, tuple(corrected))))
    worded = tuple(dataclasses.replace(c, verdict=verdict_for(inp, c, srm)) for c in corrected)
    return AnalysisResult(inp, srm, worded, findings)


def analyse_input(inp: AnalysisInput) -> AnalysisResult:
    """One metric: its comparisons corrected across its treatments."""
    comparisons = compare_all(inp)
    raw = [c.absolute.p_value for c in comparisons]
    return finish(inp, comparisons, adjust_p_values(raw, inp.settings.correction))


def analyse_inputs(inputs: Sequence[AnalysisInput], correction: Correction) -> list[AnalysisResult]:
    """Several metrics of one experiment, corrected across all treatments × metrics."""
    return analyse_compared([(inp, compare_all(inp)) for inp in inputs], correction)


def analyse_compared(
    compared: Sequence[tuple[AnalysisInput, list[Comparison]]], correction: Correction
) -> list[AnalysisResult]:
    """Finish metrics already compared (``compare_all``), correcting across all of them."""
    raw = [c.absolute.p_value for _, comparisons in compared for c in comparisons]
    adjusted = iter(adjust_p_values(raw, correction))
    return [
        finish(inp, comparisons, [next(adjusted) for _ in comparisons])
        for inp, comparisons in compared
    ]
