"""The verdict: one comparison turned into a status and a sentence without jargon.

Each experiment reads its results by one decision rule, its settings' ``method``: the
sequential (always-valid) interval and p-value, or the fixed-horizon ones. A result counts as
real only when the rule's p-value and the multiplicity-corrected p-value are both below α, and
the interval every page shows is the rule's (``decision_interval``), so no sentence, column or
chart contradicts the decision. No winner is named before the plan's minimum sample and
runtime (``Progress.complete``); harm may be called at any time. With a one-sided test only the
good direction is tested, so harm is called out by two-sided tests only.

Guardrails are read on their own terms: harmed, not harmed (with the worst change the interval
allows), or not yet known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from metrics.stats import wording
from metrics.stats.health import MIN_CONVERSIONS, MIN_UNITS, has_too_few_units
from metrics.stats.power import SPRINT_DAYS

if TYPE_CHECKING:
    from metrics.stats.analysis import AnalysisInput, Comparison, Settings, StoredResult
    from metrics.stats.frequentist import TestResult
    from metrics.stats.srm import SrmResult


class Status(StrEnum):
    """Every status a comparison, a stored row or a whole test's headline can have."""

    SRM = "srm"
    TOO_FEW_UNITS = "too_few_units"
    SHIP = "ship"
    HARMFUL = "harmful"
    GUARDRAIL_OK = "guardrail_ok"
    GUARDRAIL_UNKNOWN = "guardrail_unknown"
    KEEP_RUNNING = "keep_running"
    NO_DIFFERENCE = "no_difference"
    # Only on stored rows: the control's own row, and a metric the engine refused.
    CONTROL = "control"
    ERROR = "error"
    # Only for a whole test: no primary result yet, or its latest refresh failed.
    NO_DATA = "no_data"
    FAILED = "failed"


SRM_SENTENCE = "Traffic split is broken (SRM): do not trust these numbers."
TOO_FEW_SENTENCE = (
    f"Too few users so far to read this result: each variant needs at least {MIN_UNITS} users"
    f" (and {MIN_CONVERSIONS} conversions)."
)
SHIP = "{variant} {moved} {metric} by {size} ({ci}). This is very unlikely to be chance. Ship it."
HARM = (
    "{variant} {moved} {metric} by {size} ({ci}). This is very unlikely to be chance."
    " Do not ship it."
)
EARLY_WIN = (
    "Too early to call a winner: {progress}. So far {variant} changed {metric} by {change}"
    " ({ci}); a winner is named once the planned sample is reached and the test has run"
    " {min_days} days."
)
GUARDRAIL_HARMED = (
    "Guardrail harmed: {metric} {updown} {size} ({ci}). Do not ship {variant} as it is."
)
GUARDRAIL_NOT_HARMED = (
    "Guardrail not harmed: with {variant}, {metric} is not worse than {worst} ({ci})."
)
GUARDRAIL_UNKNOWN = (
    "Guardrail not yet known: with {variant}, {metric} changed by {change} ({ci}), so it could"
    " still be worse by up to {worst}. {progress_clause}"
)
EARLY = "Keep running: {progress}. So far {variant} changed {metric} by {change} ({ci})."
TOO_EARLY = (
    "Too early: about {days} more days at today's traffic."
    " So far {variant} changed {metric} by {change} ({ci})."
)
TIE = (
    "No clear difference: {variant} changed {metric} by {change} ({ci}), and enough users have"
    " taken part to see a {mde} change. Call it a tie and keep the simpler version."
)
UNCLEAR = (
    "No clear difference yet: {variant} changed {metric} by {change} ({ci}). "
    "This could still be chance."
)


@dataclass(frozen=True)
class Verdict:
    """A status for the dashboard and the sentence a marketer reads."""

    status: Status
    sentence: str


@dataclass(frozen=True)
class Progress:
    """How far a test is along its plan: the smallest arm's share of the planned sample, the
    day of the data, and whether both minimums (sample and runtime) are reached."""

    sample_share: float | None
    day: int | None
    planned_days: int
    complete: bool

    def __str__(self) -> str:
        parts = []
        if self.sample_share is not None:
            parts.append(f"{wording.percent(self.sample_share)} of the planned sample")
        if self.day is not None:
            parts.append(f"day {self.day} of {self.planned_days}")
        return ", ".join(parts)


UNPLANNED = Progress(
    None, None, SPRINT_DAYS, complete=True
)  # no minimum checked: read when readable


def progress_of(settings: Settings, arm_units: tuple[int, ...]) -> Progress:
    """Progress of a comparison whose arms have ``arm_units`` users.

    Without a planned sample or a start day that minimum is not checked: an unplanned test
    (or the calculator) is read as soon as it has enough users.
    """
    share = None
    if settings.planned_sample:
        share = min(arm_units) / settings.planned_sample
    complete = (share is None or share >= 1) and (
        settings.days_run is None or settings.days_run >= settings.minimum_days
    )
    return Progress(share, settings.days_run, settings.planned_days, complete)


def decision_interval(settings: Settings, comparison: Comparison) -> TestResult:
    """The relative lift and interval of the experiment's decision rule."""
    if settings.method == "fixed":
        return comparison.relative
    return comparison.sequential_relative


def decision_absolute(settings: Settings, comparison: Comparison) -> TestResult:
    """The absolute effect and interval of the decision rule."""
    if settings.method == "fixed":
        return comparison.absolute
    return comparison.sequential_absolute


def decision_p_value(settings: Settings, comparison: Comparison) -> float:
    """The larger of the rule's p-value and the multiplicity-corrected one (nan if unknown)."""
    p_values = (decision_absolute(settings, comparison).p_value, comparison.p_value_adjusted)
    return math.nan if any(math.isnan(p) for p in p_values) else max(p_values)


def is_significant(settings: Settings, comparison: Comparison) -> bool:
    """The decision rule's and the multiplicity-corrected p-values are both below α."""
    return decision_p_value(settings, comparison) < settings.alpha


def is_good(settings: Settings, change: float) -> bool:
    """A change in the metric's good direction (lower is better for unsubscribes)."""
    return (change > 0) == (settings.direction == "increase")


def is_wrong_way_significant(settings: Settings, comparison: Comparison) -> bool:
    """A real move against the metric's good direction, whatever kept it from a verdict."""
    return is_significant(settings, comparison) and not is_good(
        settings, comparison.absolute.estimate
    )


def worst_change(settings: Settings, comparison: Comparison) -> float:
    """The end of the decision interval furthest in the bad direction (±inf if open)."""
    interval = decision_interval(settings, comparison)
    return interval.ci_lower if settings.direction == "increase" else interval.ci_upper


def _words(settings: Settings, comparison: Comparison) -> dict[str, str]:
    lift = decision_interval(settings, comparison)
    worst = worst_change(settings, comparison)
    return {
        "variant": comparison.variant,
        "metric": settings.metric_name or "the metric",
        "moved": "raised" if lift.estimate > 0 else "lowered",
        "updown": "up" if lift.estimate > 0 else "down",
        "size": wording.percent(lift.estimate),
        "change": wording.signed_percent(lift.estimate),
        "ci": wording.interval(lift.ci_lower, lift.ci_upper, settings.alpha),
        "worst": "an open end" if math.isinf(worst) else wording.signed_percent(worst),
        "progress": str(comparison.progress),
        "min_days": str(settings.minimum_days),
    }


def _guardrail(settings: Settings, comparison: Comparison) -> Verdict:
    words = _words(settings, comparison)
    if is_wrong_way_significant(settings, comparison):
        return Verdict(Status.HARMFUL, GUARDRAIL_HARMED.format(**words))
    worst = worst_change(settings, comparison)
    clear_of_harm = not math.isinf(worst) and is_good(settings, worst)
    if clear_of_harm or (comparison.progress.complete and not math.isinf(worst)):
        return Verdict(Status.GUARDRAIL_OK, GUARDRAIL_NOT_HARMED.format(**words))
    progress = str(comparison.progress)
    clause = f"We will know at the planned sample ({progress} so far)." if progress else ""
    sentence = GUARDRAIL_UNKNOWN.format(progress_clause=clause, **words).strip()
    return Verdict(Status.GUARDRAIL_UNKNOWN, sentence)


def _real_effect(settings: Settings, comparison: Comparison) -> Verdict:
    words = _words(settings, comparison)
    if not is_good(settings, comparison.absolute.estimate):
        return Verdict(Status.HARMFUL, HARM.format(**words))
    if not comparison.progress.complete:
        return Verdict(Status.KEEP_RUNNING, EARLY_WIN.format(**words))
    return Verdict(Status.SHIP, SHIP.format(**words))


def _no_clear_effect(settings: Settings, comparison: Comparison) -> Verdict:
    words = _words(settings, comparison)
    if not comparison.progress.complete:
        return Verdict(Status.KEEP_RUNNING, EARLY.format(**words))
    if comparison.days is None:
        return Verdict(Status.NO_DIFFERENCE, UNCLEAR.format(**words))
    if comparison.days.remaining > 0:
        days = comparison.days.remaining
        return Verdict(Status.KEEP_RUNNING, TOO_EARLY.format(days=days, **words))
    mde = wording.percent(settings.mde_relative or 0.0)
    return Verdict(Status.NO_DIFFERENCE, TIE.format(mde=mde, **words))


def verdict_for(inp: AnalysisInput, comparison: Comparison, srm: SrmResult) -> Verdict:
    """Status and sentence: srm, too_few_units, then for a guardrail harmful, guardrail_ok or
    guardrail_unknown; for another metric harmful, ship, keep_running or no_difference."""
    if srm.mismatch:
        return Verdict(Status.SRM, SRM_SENTENCE)
    arms = (inp.control.stats, inp.variants[comparison.variant_index].stats)
    if any(has_too_few_units(stats) for stats in arms):
        return Verdict(Status.TOO_FEW_UNITS, TOO_FEW_SENTENCE)
    if inp.settings.role == "guardrail":
        return _guardrail(inp.settings, comparison)
    if is_significant(inp.settings, comparison):
        return _real_effect(inp.settings, comparison)
    return _no_clear_effect(inp.settings, comparison)


def best_treatment(result: StoredResult) -> Comparison | None:
    """The winning treatment furthest in the metric's good direction; None without a winner."""
    winners = [c for c in result.comparisons if c.verdict and c.verdict.status == Status.SHIP]
    return furthest_good(result.settings, winners)


def furthest_good(settings: Settings, comparisons: list[Comparison]) -> Comparison | None:
    """Of ``comparisons``, the one whose decision lift goes furthest in the good direction."""
    known = [c for c in comparisons if not math.isnan(decision_interval(settings, c).estimate)]
    if not known:
        return None
    sign = 1 if settings.direction == "increase" else -1
    return max(known, key=lambda c: sign * decision_interval(settings, c).estimate)


class GuardrailState(StrEnum):
    HARMED = "harmed"
    NOT_HARMED = "not_harmed"
    UNKNOWN = "unknown"


def guardrail_state(result: StoredResult, comparison: Comparison) -> GuardrailState:
    """Harmed (even when a broken split or too few users kept it from its verdict), not
    harmed (only from a trusted, readable result), or not yet known."""
    status = comparison.verdict.status if comparison.verdict else None
    if status == Status.HARMFUL or is_wrong_way_significant(result.settings, comparison):
        return GuardrailState.HARMED
    if status == Status.GUARDRAIL_OK and not result.srm.mismatch:
        return GuardrailState.NOT_HARMED
    return GuardrailState.UNKNOWN
