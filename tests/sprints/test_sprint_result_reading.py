"""Reading engine outputs for the review, with plain dicts in the engine's shape."""

import pytest

from sprints.results import harmed_guardrails, outcome_of, shipped_lift


def output(role: str, direction: str, *comparisons: dict, name: str = "Return rate") -> dict:
    return {"metric_name": name, "role": role, "srm": {"mismatch": False},
            "method": {"alpha": 0.05, "direction": direction},
            "comparisons": list(comparisons)}  # fmt: skip


def comparison(variant: str, lift: float, p: float, status: str) -> dict:
    return {"variant": variant, "status": status, "verdict": "", "p_value_adjusted": p,
            "absolute": {"estimate": lift / 100}, "days_remaining": None,
            "sequential": {"absolute": {"p_value": p}, "relative": {"estimate": lift}}}  # fmt: skip


def test_a_broken_split_does_not_hide_a_guardrail_that_moved_the_wrong_way():
    # The engine says "srm" first, but returns rose 30 % past both p-values' checks.
    masked = output("guardrail", "decrease", comparison("B", 0.3, 0.001, "srm"))
    (harm,) = harmed_guardrails("test", [masked])
    assert (harm.metric, harm.variant, harm.lift) == ("Return rate", "B", 0.3)


def test_a_guardrail_moving_the_wrong_way_by_chance_is_not_harmed():
    unclear = output("guardrail", "decrease", comparison("B", 0.3, 0.2, "no_difference"))
    good_way = output("guardrail", "decrease", comparison("B", -0.3, 0.001, "guardrail_ok"))
    assert harmed_guardrails("test", [unclear, good_way, None]) == []


def test_outcome_falls_back_to_the_decision_without_results():
    assert outcome_of([], "iterate") == ("Lost: iterating", "")


def test_shipped_lift_is_the_best_treatment_in_the_metric_s_good_direction():
    bounce = output("primary", "decrease", comparison("B", -0.04, 0.01, "ship"),
                    comparison("C", -0.09, 0.01, "ship"), name="Bounce rate")  # fmt: skip
    assert shipped_lift([bounce]) == pytest.approx(-0.09)
    assert shipped_lift([output("guardrail", "decrease")]) is None
