"""Reading engine outputs for the review, with plain dicts in the engine's shape."""

import pytest

from sprints.results import guardrail_review, harmed_guardrails, outcome_of, shipped_lift
from tests.dashboard import engine_results as er


def returns(rates, **settings):
    """A guardrail on returns (lower is better) of 20,000 users per variant."""
    return er.binomial("Return rate", "guardrail", rates, direction="decrease", **settings)


def test_a_broken_split_does_not_hide_a_guardrail_that_moved_the_wrong_way():
    # The engine says "srm" first, but returns rose 30 % past both p-values' checks.
    masked = returns([0.10, 0.13], n=[20000, 21000])
    assert masked.comparisons[0].verdict.status == "srm"
    (harm,) = harmed_guardrails("test", [masked])
    assert (harm.metric, harm.variant) == ("Return rate", "B")
    assert harm.lift == pytest.approx(0.3, abs=0.01)


def test_a_guardrail_moving_the_wrong_way_by_chance_is_not_harmed():
    unclear = returns([0.10, 0.101])
    good_way = returns([0.13, 0.10])
    assert harmed_guardrails("test", [unclear, good_way]) == []


def test_a_guardrail_with_no_data_or_a_broken_split_is_not_known_never_not_harmed():
    broken = returns([0.10, 0.10], n=[20000, 21000])
    (split,) = guardrail_review("test", ["Return rate"], [broken])
    (missing,) = guardrail_review("test", ["Unsubscribes"], [])
    assert (split.state, missing.state) == ("unknown", "unknown")
    assert missing.sentence == "No analysed data for this guardrail yet."


def test_outcome_falls_back_to_the_decision_without_results():
    assert outcome_of([], "iterate") == ("Lost: iterating", "")


def test_shipped_lift_is_the_best_treatment_in_the_metric_s_good_direction():
    bounce = er.binomial(
        "Bounce rate", "primary", [0.10, 0.096, 0.091], n=200_000, direction="decrease"
    )
    assert shipped_lift([bounce]) == pytest.approx(-0.09, abs=0.002)
    assert shipped_lift([returns([0.1, 0.1])]) is None
