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
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

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


# Each sentence by its code, worded from its parameters (``Verdict.params``). These English
# templates are the engine's own wording; a page in another language words the same code and
# parameters from its catalogue (analysis/wording.py), so a stored verdict reads in its reader's
# language, not in the language of the worker that computed it.
SENTENCES = {
    "srm": "Traffic split is broken (SRM): do not trust these numbers.",
    "too_few_units": (
        "Too few users so far to read this result: each variant needs at least {min_units} users"
        " (and {min_conversions} conversions)."
    ),
    "ship": (
        "{variant} {moved} {metric} by {size} ({ci}). This is very unlikely to be chance. Ship it."
    ),
    "harm": (
        "{variant} {moved} {metric} by {size} ({ci}). This is very unlikely to be chance."
        " Do not ship it."
    ),
    "early_win": (
        "Too early to call a winner: {progress}. So far {variant} changed {metric} by {change}"
        " ({ci}); a winner is named once the planned sample is reached and the test has run"
        " {min_days} days."
    ),
    "guardrail_harmed": (
        "Guardrail harmed: {metric} {updown} {size} ({ci}). Do not ship {variant} as it is."
    ),
    "guardrail_not_harmed": (
        "Guardrail not harmed: with {variant}, {metric} is not worse than {worst} ({ci})."
    ),
    "guardrail_unknown": (
        "Guardrail not yet known: with {variant}, {metric} changed by {change} ({ci}), so it"
        " could still be worse by up to {worst}."
    ),
    "guardrail_unknown_progress": (
        "Guardrail not yet known: with {variant}, {metric} changed by {change} ({ci}), so it"
        " could still be worse by up to {worst}. We will know at the planned sample"
        " ({progress} so far)."
    ),
    "early": "Keep running: {progress}. So far {variant} changed {metric} by {change} ({ci}).",
    "too_early": (
        "Too early: about {days} more days at today's traffic."
        " So far {variant} changed {metric} by {change} ({ci})."
    ),
    "tie": (
        "No clear difference: {variant} changed {metric} by {change} ({ci}), and enough users"
        " have taken part to see a {mde} change. Call it a tie and keep the simpler version."
    ),
    "unclear": (
        "No clear difference yet: {variant} changed {metric} by {change} ({ci}). "
        "This could still be chance."
    ),
}


@dataclass(frozen=True)
class Verdict:
    """A status for the dashboard and the sentence a marketer reads.

    ``code`` names the sentence in ``SENTENCES`` and ``params`` holds its numbers unworded
    (JSON types only; an open interval end is None), so a page can word it in its reader's
    language. A verdict stored before codes existed has an empty code: its sentence is all
    there is.
    """

    status: Status
    sentence: str
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


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

    def params(self) -> dict[str, Any]:
        return {
            "sample_share": self.sample_share,
            "day": self.day,
            "planned_days": self.planned_days,
        }


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


def _open(value: float) -> float | None:
    """JSON holds no infinity or nan: an open end (or an unknown number) is None."""
    return value if math.isfinite(value) else None


def params_of(settings: Settings, comparison: Comparison) -> dict[str, Any]:
    """The numbers every comparison sentence is worded from, unworded."""
    lift = decision_interval(settings, comparison)
    return {
        "variant": comparison.variant,
        "metric": settings.metric_name,
        "estimate": _open(lift.estimate),
        "ci_lower": _open(lift.ci_lower),
        "ci_upper": _open(lift.ci_upper),
        "alpha": settings.alpha,
        "worst": _open(worst_change(settings, comparison)),
        "min_days": settings.minimum_days,
        **comparison.progress.params(),
    }


def _closed(value: float | None, open_end: float) -> float:
    return open_end if value is None else value


def english_words(params: Mapping[str, Any]) -> dict[str, str]:
    """The English words of a sentence's parameters."""
    estimate = _closed(params.get("estimate"), math.nan)
    lower = _closed(params.get("ci_lower"), -math.inf)
    upper = _closed(params.get("ci_upper"), math.inf)
    worst = params.get("worst")
    progress = Progress(
        params.get("sample_share"),
        params.get("day"),
        params.get("planned_days", SPRINT_DAYS),
        complete=False,
    )
    return {
        **{key: str(value) for key, value in params.items()},
        "metric": params.get("metric") or "the metric",
        "moved": "raised" if estimate > 0 else "lowered",
        "updown": "up" if estimate > 0 else "down",
        "size": wording.percent(estimate),
        "change": wording.signed_percent(estimate),
        "ci": wording.interval(lower, upper, params.get("alpha", 0.05)),
        "worst": "an open end" if worst is None else wording.signed_percent(worst),
        "progress": str(progress),
        "mde": wording.percent(params.get("mde", 0.0)),
    }


def worded(status: Status, code: str, params: Mapping[str, Any]) -> Verdict:
    """A verdict of ``code`` with its English sentence."""
    return Verdict(status, SENTENCES[code].format(**english_words(params)), code, dict(params))


def _guardrail(settings: Settings, comparison: Comparison) -> Verdict:
    params = params_of(settings, comparison)
    if is_wrong_way_significant(settings, comparison):
        return worded(Status.HARMFUL, "guardrail_harmed", params)
    worst = worst_change(settings, comparison)
    clear_of_harm = not math.isinf(worst) and is_good(settings, worst)
    if clear_of_harm or (comparison.progress.complete and not math.isinf(worst)):
        return worded(Status.GUARDRAIL_OK, "guardrail_not_harmed", params)
    code = "guardrail_unknown_progress" if str(comparison.progress) else "guardrail_unknown"
    return worded(Status.GUARDRAIL_UNKNOWN, code, params)


def _real_effect(settings: Settings, comparison: Comparison) -> Verdict:
    params = params_of(settings, comparison)
    if not is_good(settings, comparison.absolute.estimate):
        return worded(Status.HARMFUL, "harm", params)
    if not comparison.progress.complete:
        return worded(Status.KEEP_RUNNING, "early_win", params)
    return worded(Status.SHIP, "ship", params)


def _no_clear_effect(settings: Settings, comparison: Comparison) -> Verdict:
    params = params_of(settings, comparison)
    if not comparison.progress.complete:
        return worded(Status.KEEP_RUNNING, "early", params)
    if comparison.days is None:
        return worded(Status.NO_DIFFERENCE, "unclear", params)
    if comparison.days.remaining > 0:
        days = comparison.days.remaining
        return worded(Status.KEEP_RUNNING, "too_early", {**params, "days": days})
    mde = settings.mde_relative or 0.0
    return worded(Status.NO_DIFFERENCE, "tie", {**params, "mde": mde})


MINIMUMS = {"min_units": MIN_UNITS, "min_conversions": MIN_CONVERSIONS}


def verdict_for(inp: AnalysisInput, comparison: Comparison, srm: SrmResult) -> Verdict:
    """Status and sentence: srm, too_few_units, then for a guardrail harmful, guardrail_ok or
    guardrail_unknown; for another metric harmful, ship, keep_running or no_difference."""
    if srm.mismatch:
        return worded(Status.SRM, "srm", {})
    arms = (inp.control.stats, inp.variants[comparison.variant_index].stats)
    if any(has_too_few_units(stats) for stats in arms):
        return worded(Status.TOO_FEW_UNITS, "too_few_units", MINIMUMS)
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
