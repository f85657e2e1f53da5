"""The verdict: one comparison turned into a status code and a sentence without jargon.

A result counts as real only when it survives both peeking and multiple comparisons: the
always-valid (sequential) p-value and the corrected p-value must both be below α. The range
shown is the sequential one, so the sentence never contradicts the decision. With a one-sided
test only the good direction is tested, so harm is called out by two-sided tests only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from metrics.stats import wording
from metrics.stats.health import MIN_CONVERSIONS, MIN_UNITS, has_too_few_units

if TYPE_CHECKING:
    from metrics.stats.analysis import AnalysisInput, Comparison
    from metrics.stats.srm import SrmResult

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
GUARDRAIL_HARMED = (
    "Guardrail harmed: {metric} {updown} {size} ({ci}). Do not ship {variant} as it is."
)
GUARDRAIL_HOLDING = "Guardrail holding: {metric} {updown} {size} ({ci})."
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
    """A short machine code for the dashboard and the sentence a marketer reads."""

    status: str
    sentence: str


def is_significant(comparison: Comparison, alpha: float) -> bool:
    """Both the always-valid and the multiplicity-corrected p-values are below α."""
    return max(comparison.sequential_absolute.p_value, comparison.p_value_adjusted) < alpha


def _words(inp: AnalysisInput, comparison: Comparison) -> dict[str, str]:
    lift, settings = comparison.sequential_relative, inp.settings
    return {
        "variant": comparison.variant,
        "metric": settings.metric_name or "the metric",
        "moved": "raised" if lift.estimate > 0 else "lowered",
        "updown": "up" if lift.estimate > 0 else "down",
        "size": wording.percent(lift.estimate),
        "change": wording.signed_percent(lift.estimate),
        "ci": wording.interval(lift.ci_lower, lift.ci_upper, settings.alpha),
    }


def _real_effect(inp: AnalysisInput, comparison: Comparison) -> Verdict:
    good = (comparison.absolute.estimate > 0) == (inp.settings.direction == "increase")
    words = _words(inp, comparison)
    if inp.settings.role == "guardrail":
        if good:
            return Verdict("guardrail_ok", GUARDRAIL_HOLDING.format(**words))
        return Verdict("harmful", GUARDRAIL_HARMED.format(**words))
    return (
        Verdict("ship", SHIP.format(**words)) if good else Verdict("harmful", HARM.format(**words))
    )


def _no_clear_effect(inp: AnalysisInput, comparison: Comparison) -> Verdict:
    words = _words(inp, comparison)
    if comparison.days is None:
        return Verdict("no_difference", UNCLEAR.format(**words))
    if comparison.days.remaining > 0:
        return Verdict("keep_running", TOO_EARLY.format(days=comparison.days.remaining, **words))
    mde = wording.percent(inp.settings.mde_relative or 0.0)
    return Verdict("no_difference", TIE.format(mde=mde, **words))


def verdict_for(inp: AnalysisInput, comparison: Comparison, srm: SrmResult) -> Verdict:
    """Status and sentence: srm, too_few_units, ship, harmful, guardrail_ok, keep_running
    or no_difference, in that order of precedence."""
    if srm.mismatch:
        return Verdict("srm", SRM_SENTENCE)
    arms = (inp.control.stats, inp.variants[comparison.variant_index].stats)
    if any(has_too_few_units(stats) for stats in arms):
        return Verdict("too_few_units", TOO_FEW_SENTENCE)
    if is_significant(comparison, inp.settings.alpha):
        return _real_effect(inp, comparison)
    return _no_clear_effect(inp, comparison)
