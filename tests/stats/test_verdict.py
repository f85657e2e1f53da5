"""Verdicts through ``analyse``: the status code and the sentence a marketer reads."""

from metrics.stats import analyse, analyse_many

from .payloads import binomial_payload


def only_comparison(payload):
    return analyse(payload)["comparisons"][0]


def test_clear_win_says_ship_it():
    # 500/10 000 → 650/10 000: lift +30%, relative SE 0.07511, sequential half-width
    # 3.1271 SE = 0.2349, so the always-valid range is +6.5% to +53%
    comparison = only_comparison(
        binomial_payload(treatment_counts=(10_000, 650), metric_name="conversion")
    )
    assert comparison["status"] == "ship"
    assert comparison["verdict"] == (
        "treatment raised conversion by 30% (95% CI +6.5% to +53%)."
        " This is very unlikely to be chance. Ship it."
    )


def test_guardrail_that_moves_the_wrong_way_is_called_out():
    payload = binomial_payload(
        treatment_counts=(10_000, 650),
        metric_name="unsubscribes",
        role="guardrail",
        direction="decrease",
    )
    comparison = only_comparison(payload)
    assert comparison["status"] == "harmful"
    assert comparison["verdict"] == (
        "Guardrail harmed: unsubscribes up 30% (95% CI +6.5% to +53%)."
        " Do not ship treatment as it is."
    )


def test_primary_metric_that_falls_is_harmful():
    comparison = only_comparison(binomial_payload(treatment_counts=(10_000, 380)))
    assert comparison["status"] == "harmful"
    assert comparison["verdict"].startswith("treatment lowered the metric by 24%")
    assert comparison["verdict"].endswith("Do not ship it.")


def test_broken_split_overrides_everything():
    # 10 000 vs 10 700 users on a 50/50 plan: SRM p ≈ 1e-6, even though the lift is large
    result = analyse(binomial_payload(treatment_counts=(10_700, 700)))
    assert result["srm"]["mismatch"] is True
    assert result["comparisons"][0]["status"] == "srm"
    assert result["comparisons"][0]["verdict"] == (
        "Traffic split is broken (SRM): do not trust these numbers."
    )
    assert [f["code"] for f in result["findings"]] == ["srm"]


def test_too_few_users_are_not_read():
    comparison = only_comparison(binomial_payload((40, 4), (40, 12)))
    assert comparison["status"] == "too_few_units"
    assert comparison["verdict"].startswith("Too few users so far")


def test_a_fixed_horizon_winner_is_not_shipped_while_peeking():
    # 500/10 000 → 570/10 000: fixed-horizon p = 0.028, but the always-valid p is 1
    comparison = only_comparison(binomial_payload(treatment_counts=(10_000, 570)))
    assert comparison["absolute"]["p_value"] < 0.05
    assert comparison["status"] == "no_difference"
    assert comparison["verdict"].startswith("No clear difference yet: treatment changed")


def test_too_early_counts_the_days_left_at_todays_traffic():
    # +10% needs 31 233.4 users per arm (statsmodels); 10 000 each so far; 1000 a day per arm
    # → 21.2 more days, rounded up to 22 (read with the fixed-horizon rule those numbers are for)
    payload = binomial_payload(daily_traffic=2000, mde_relative=0.1, method="fixed")
    comparison = only_comparison(payload)
    assert comparison["status"] == "keep_running"
    assert comparison["verdict"].startswith("Too early: about 22 more days at today's traffic.")
    assert comparison["days_remaining"] == 22


def test_enough_users_and_no_effect_is_a_tie():
    payload = binomial_payload(
        (40_000, 2000), (40_000, 2010), daily_traffic=2000, mde_relative=0.1, method="fixed"
    )
    comparison = only_comparison(payload)
    assert comparison["status"] == "no_difference"
    assert comparison["days_remaining"] == 0
    assert "enough users have taken part to see a 10% change" in comparison["verdict"]


def test_correction_across_metrics_can_hold_back_a_borderline_win():
    # alone, 1000 → 1148 of 20 000 is a win (z = 3.28, p = 0.00103, past the sequential
    # boundary of 3.21); among 60 metrics with nothing else going on, Holm makes it 0.062
    borderline = binomial_payload((20_000, 1000), (20_000, 1148))
    flat = [binomial_payload((20_000, 1000), (20_000, 1001)) for _ in range(59)]
    assert only_comparison(borderline)["status"] == "ship"
    results = analyse_many([borderline, *flat], correction="holm")
    held_back = results[0]["comparisons"][0]
    assert held_back["p_value_adjusted"] > 0.05
    assert held_back["status"] == "no_difference"
