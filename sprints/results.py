"""What the sprint pages read from stored analysis results: outcomes, guardrails, lifts.

Plain functions of stored results read back into the engine's types (`StoredResult`), as
`dashboard.selectors.outputs_by_experiment` returns them; every statistical decision (is a
guardrail harmed, which treatment went furthest) is the engine's, in `metrics.stats.verdict`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from analysis import wording
from dashboard.headline import verdict_headline
from metrics.stats import verdict
from metrics.stats.analysis import StoredResult
from metrics.stats.verdict import GuardrailState, Status

# The headline status of a test's results, as the review meeting says how a test ended.
RESULT_OUTCOMES = {
    Status.SHIP: _("Won"),
    Status.HARMFUL: _("Lost"),
    Status.NO_DIFFERENCE: _("Inconclusive"),
    Status.KEEP_RUNNING: _("Inconclusive"),
    Status.TOO_FEW_UNITS: _("Inconclusive"),
    Status.SRM: _("Inconclusive: broken traffic split"),
}
# Without stored results, the decision says how it ended.
DECISION_OUTCOMES = {
    "ship": _("Won"),
    "iterate": _("Lost: iterating"),
    "abandon": _("Abandoned"),
    "inconclusive": _("Inconclusive"),
}


def outcome_of(results: list[StoredResult], decision: str) -> tuple[str, str]:
    """(outcome, headline sentence) from the results; from the decision when there are none."""
    status, sentence = verdict_headline(results)
    if status in RESULT_OUTCOMES:
        return RESULT_OUTCOMES[status], sentence
    return DECISION_OUTCOMES.get(decision, ""), ""


@dataclass(frozen=True)
class GuardrailReading:
    """One guardrail of one treatment as the review reads it: harmed, not harmed or unknown."""

    experiment: object
    metric: str
    variant: str
    state: GuardrailState
    lift: float | None  # relative change, 0.08 = +8 %
    sentence: str


HarmedGuardrail = GuardrailReading  # the review's API lists the harmed ones by this name


def guardrail_readings(experiment, results: list[StoredResult]) -> list[GuardrailReading]:
    """Every guardrail comparison of the test's results, read by the engine's rule."""
    readings = []
    for result in results:
        if result.role != "guardrail":
            continue
        for comparison in result.comparisons:
            lift = verdict.decision_interval(result.settings, comparison).estimate
            readings.append(
                GuardrailReading(
                    experiment=experiment,
                    metric=result.metric_name,
                    variant=comparison.variant,
                    state=verdict.guardrail_state(result, comparison),
                    lift=lift,
                    sentence=wording.verdict_sentence(comparison.verdict),
                )
            )
    return readings


NO_DATA_SENTENCE = _("No analysed data for this guardrail yet.")


def guardrail_review(
    experiment, guardrails: list[str], results: list[StoredResult]
) -> list[GuardrailReading]:
    """Every guardrail of a launched test: its readings, and a "not known" for each named
    guardrail with no analysed result (no data, or the engine could not read it)."""
    readings = guardrail_readings(experiment, results)
    read = {r.metric for r in readings}
    return readings + [
        GuardrailReading(experiment, name, "", GuardrailState.UNKNOWN, None, NO_DATA_SENTENCE)
        for name in guardrails
        if name not in read
    ]


def harmed_guardrails(experiment, results: list[StoredResult]) -> list[GuardrailReading]:
    """Each guardrail comparison of the test's results that was harmed."""
    readings = guardrail_readings(experiment, results)
    return [r for r in readings if r.state == GuardrailState.HARMED]


def shipped_lift(results: list[StoredResult]) -> float | None:
    """The primary metric's measured relative lift of the best treatment; None without results.

    The best is the one furthest in the metric's good direction, as the shipped variant is
    not recorded with the decision.
    """
    primary = next((r for r in results if r.role == "primary"), None)
    if primary is None:
        return None
    best = verdict.furthest_good(primary.settings, list(primary.comparisons))
    return None if best is None else verdict.decision_interval(primary.settings, best).estimate
