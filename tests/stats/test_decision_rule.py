"""One decision rule per test, the plan's minimums, guardrail wording, and reading results back.

Every figure here comes from ``analyse`` on plain counts; the stored dict is read back with
``result_from_dict`` exactly as the pages read it.
"""

import math

import pytest

from metrics.stats import analyse, wording
from metrics.stats.jsonio import decision_blocks_of, result_from_dict
from metrics.stats.verdict import GuardrailState, Status, decision_interval, guardrail_state

from .payloads import binomial_payload


def only(payload):
    return result_from_dict(analyse(payload)).comparisons[0]


def test_the_sentence_quotes_the_interval_of_the_decision_rule_and_the_column_shows_it_too():
    payload = binomial_payload(treatment_counts=(10_000, 600), metric_name="conversion")
    for method in ("sequential", "fixed"):
        output = analyse({**payload, "method": method})
        stored = result_from_dict(output)
        comparison = stored.comparisons[0]
        shown = decision_interval(stored.settings, comparison)
        expected = comparison.relative if method == "fixed" else comparison.sequential_relative
        assert shown == expected
        words = wording.interval(shown.ci_lower, shown.ci_upper, 0.05)
        assert words in comparison.verdict.sentence
        # The flat API and the experiment page read the stored dict by the same rule.
        assert decision_blocks_of(output["comparisons"][0])[1] == shown


def test_the_fixed_rule_calls_a_result_the_sequential_rule_still_doubts():
    # 500 → 590 of 10,000: fixed p ≈ 0.006, but the always-valid interval still holds 0.
    payload = binomial_payload(treatment_counts=(10_000, 590))
    assert only({**payload, "method": "sequential"}).verdict.status == Status.NO_DIFFERENCE
    assert only({**payload, "method": "fixed"}).verdict.status == Status.SHIP


def test_a_clear_win_before_the_planned_sample_is_not_a_winner_and_says_how_far_along():
    payload = binomial_payload(
        treatment_counts=(10_000, 650),
        metric_name="conversion",
        planned_sample_per_variant=26_000,
        days_run=4,
        planned_days=14,
    )
    comparison = only(payload)
    assert comparison.verdict.status == Status.KEEP_RUNNING
    assert comparison.verdict.sentence.startswith(
        "Too early to call a winner: 38% of the planned sample, day 4 of 14."
    )
    assert "Ship" not in comparison.verdict.sentence


def test_the_planned_sample_alone_is_not_enough_a_full_week_is_needed_too():
    payload = binomial_payload(
        treatment_counts=(10_000, 650), planned_sample_per_variant=10_000, planned_days=14
    )
    assert only({**payload, "days_run": 3}).verdict.status == Status.KEEP_RUNNING
    assert only({**payload, "days_run": 7}).verdict.status == Status.SHIP


def test_harm_is_called_at_any_time():
    payload = binomial_payload(
        treatment_counts=(10_000, 380), planned_sample_per_variant=100_000, days_run=2
    )
    assert only(payload).verdict.status == Status.HARMFUL


def guardrail(treatment_conversions, n=400_000, **settings):
    """Unsubscribes (lower is better) at 10% in the control."""
    return binomial_payload(
        control_counts=(n, n // 10),
        treatment_counts=(n, treatment_conversions),
        metric_name="unsubscribes",
        role="guardrail",
        direction="decrease",
        **settings,
    )


def test_a_guardrail_that_improved_is_not_harmed_with_its_bound_never_a_tie():
    # 10% → 9.82% of 300,000: -1.8%, its fixed interval about -3.3% to -0.3%; the
    # sequential one still holds 0, so a sequential rule would not have called it.
    payload = guardrail(29_460, n=300_000, mde_relative=0.05, daily_traffic=1e6)
    comparison = only({**payload, "method": "fixed"})
    worst = wording.signed_percent(comparison.relative.ci_upper)
    assert comparison.verdict.status == Status.GUARDRAIL_OK
    assert comparison.verdict.sentence == (
        f"Guardrail not harmed: with treatment, unsubscribes is not worse than {worst}"
        f" ({wording.interval(comparison.relative.ci_lower, comparison.relative.ci_upper, 0.05)})."
    )
    assert "tie" not in comparison.verdict.sentence


def test_a_guardrail_short_of_its_plan_whose_interval_allows_harm_is_not_yet_known():
    payload = guardrail(40_200, n=400_000, planned_sample_per_variant=1_000_000, days_run=3)
    comparison = only(payload)
    assert comparison.verdict.status == Status.GUARDRAIL_UNKNOWN
    assert comparison.verdict.sentence.startswith("Guardrail not yet known:")
    assert "40% of the planned sample, day 3 of 21" in comparison.verdict.sentence


def test_a_guardrail_at_its_plan_without_harm_is_not_harmed_by_at_most_its_bound():
    comparison = only(guardrail(40_200, planned_sample_per_variant=400_000, days_run=14))
    worst = wording.signed_percent(comparison.sequential_relative.ci_upper)
    assert comparison.verdict.status == Status.GUARDRAIL_OK
    assert f"not worse than {worst}" in comparison.verdict.sentence


def test_a_broken_split_leaves_a_guardrail_not_known():
    stored = result_from_dict(analyse(guardrail(40_000, n=400_000, expected_split=[1, 1.1])))
    assert guardrail_state(stored, stored.comparisons[0]) == GuardrailState.UNKNOWN


def test_a_stored_output_reads_back_into_the_engine_s_own_types():
    output = analyse(binomial_payload(two_sided=False, metric_name="conversion"))
    stored = result_from_dict(output)
    comparison = stored.comparisons[0]
    assert stored.settings.alternative == "larger" and stored.metric_name == "conversion"
    assert comparison.relative.ci_upper == math.inf  # the open end, stored as null
    assert comparison.verdict.status == Status(output["comparisons"][0]["status"])
    assert comparison.p_value_adjusted == pytest.approx(
        output["comparisons"][0]["p_value_adjusted"]
    )


def test_a_row_stored_before_the_decision_rule_was_recorded_reads_as_sequential():
    output = analyse({**binomial_payload(), "method": "fixed"})
    for comparison in output["comparisons"]:
        del comparison["decision"], comparison["progress"]
    del output["method"]["decision"]
    stored = result_from_dict(output)
    assert stored.settings.method == "sequential"
    assert stored.comparisons[0].progress.complete
    lift = decision_blocks_of(output["comparisons"][0])[1]
    assert lift == stored.comparisons[0].sequential_relative
