"""What the sprint pages read from stored analysis results: outcomes, harmed guardrails, lifts.

Plain functions of the engine's output dicts (`metrics.stats.jsonio.result_to_dict`), as
`dashboard.selectors.outputs_by_experiment` returns them, so they are tested with plain dicts.
"""

from dataclasses import dataclass

from dashboard.headline import verdict_headline

# The headline status of a test's results, as the review meeting says how a test ended.
RESULT_OUTCOMES = {
    "ship": "Won",
    "harmful": "Lost",
    "no_difference": "Inconclusive",
    "keep_running": "Inconclusive",
    "too_early": "Inconclusive",
    "srm": "Inconclusive: broken traffic split",
}
# Without stored results, the decision says how it ended.
DECISION_OUTCOMES = {
    "ship": "Won",
    "iterate": "Lost: iterating",
    "abandon": "Abandoned",
    "inconclusive": "Inconclusive",
}


def outcome_of(outputs: list[dict], decision: str) -> tuple[str, str]:
    """(outcome, headline sentence) from the results; from the decision when there are none."""
    status, sentence = verdict_headline([o for o in outputs if o])
    if status in RESULT_OUTCOMES:
        return RESULT_OUTCOMES[status], sentence
    return DECISION_OUTCOMES.get(decision, ""), ""


@dataclass(frozen=True)
class HarmedGuardrail:
    experiment: object
    metric: str
    variant: str
    lift: float | None  # relative change, 0.08 = +8 %
    sentence: str


def wrong_way_significant(output: dict, comparison: dict) -> bool:
    """Moved against the metric's good direction, past both the peeking and multiplicity checks.

    The same test as `metrics.stats.verdict.is_significant`; it also catches harm that a
    broken split or too few users kept from being called "harmful".
    """
    method = output["method"]
    p_values = (comparison["sequential"]["absolute"]["p_value"], comparison["p_value_adjusted"])
    if any(p is None for p in p_values) or max(p_values) >= method["alpha"]:
        return False
    estimate = comparison["absolute"]["estimate"] or 0.0
    return (estimate > 0) != (method["direction"] == "increase")


def harmed_guardrails(experiment, outputs: list[dict]) -> list[HarmedGuardrail]:
    """Each guardrail comparison of the test's results that was harmed."""
    harmed = []
    for output in outputs:
        if not output or output["role"] != "guardrail":
            continue
        for comparison in output["comparisons"]:
            if comparison["status"] == "harmful" or wrong_way_significant(output, comparison):
                lift = comparison["sequential"]["relative"]["estimate"]
                harmed.append(HarmedGuardrail(experiment, output["metric_name"],
                                              comparison["variant"], lift,
                                              comparison["verdict"]))  # fmt: skip
    return harmed


def shipped_lift(outputs: list[dict]) -> float | None:
    """The primary metric's measured relative lift of the best treatment; None without results.

    The best is the one furthest in the metric's good direction, as the shipped variant is
    not recorded with the decision.
    """
    primary = next((o for o in outputs if o and o["role"] == "primary"), None)
    if primary is None or not primary["comparisons"]:
        return None
    lifts = [c["sequential"]["relative"]["estimate"] for c in primary["comparisons"]]
    lifts = [lift for lift in lifts if lift is not None]
    if not lifts:
        return None
    return max(lifts) if primary["method"]["direction"] == "increase" else min(lifts)
