"""The headline across metrics: the most urgent answer first, in a marketer's words."""

from dashboard.headline import badge, verdict_headline
from tests.dashboard import engine_results as er


def test_a_clear_primary_win_says_ship_the_variant():
    assert verdict_headline([er.winner(), er.guardrail_holding()]) == ("ship", "Ship B")


def test_the_best_of_two_winning_variants_is_named():
    output = er.binomial("Order conversion", "primary", [0.05, 0.06, 0.065])
    assert verdict_headline([output]) == ("ship", "Ship C")


def test_on_a_decrease_is_good_metric_the_winner_is_the_one_that_lowered_it_most():
    # Bounce rate 10% → 9% (B) and 8% (C): both win, C lowers it twice as much.
    output = er.binomial("Bounce rate", "primary", [0.10, 0.09, 0.08], direction="decrease")
    assert verdict_headline([output]) == ("ship", "Ship C")


def test_a_harmed_guardrail_outranks_a_primary_win():
    # Unsubscribes 1.0% → 1.4%: the sequential estimate is +40%.
    status, sentence = verdict_headline([er.winner(), er.guardrail_harmed()])
    assert (status, sentence) == ("harmful", "Guardrail harmed: Unsubscribes up 40%")


def test_a_losing_primary_metric_says_do_not_ship():
    output = er.binomial("Order conversion", "primary", [0.06, 0.05])
    assert verdict_headline([output]) == ("harmful", "Do not ship B: Order conversion down 17%")


def test_a_broken_split_outranks_everything():
    srm = er.binomial("Order conversion", "primary", [0.05, 0.06], n=[20000, 21000])
    assert verdict_headline([srm, er.guardrail_harmed()]) == (
        "srm",
        "Data problem: traffic split is broken",
    )


def test_an_unclear_result_before_the_planned_size_says_how_many_days_remain():
    # 2,000 users a day; a 10% lift on 5% needs ~31,000 per arm: 31 days, 3,000 each so far.
    output = er.binomial("Order conversion", "primary", [0.05, 0.051], n=3000)
    comparison = output.comparisons[0]
    assert comparison.verdict.status == "keep_running"
    days = comparison.days.remaining
    assert verdict_headline([output]) == (
        "keep_running",
        f"Keep running: about {days} more days at today's traffic",
    )
    assert days > 20


def test_an_unclear_result_at_full_size_is_no_difference():
    # A +10 % change on 5 % needs 71,128 users per arm for the sequential interval.
    output = er.binomial("Order conversion", "primary", [0.05, 0.0502], n=72000)
    assert verdict_headline([output]) == ("no_difference", "No difference worth acting on")


def test_too_few_users_is_too_early():
    output = er.binomial("Order conversion", "primary", [0.1, 0.1], n=40)
    assert verdict_headline([output]) == (
        "too_few_units",
        "Too early: too few users so far to read a result",
    )


def test_a_win_before_the_planned_sample_and_a_full_week_is_no_winner_yet():
    # The same clear win, at 20,000 of a planned 176,000 users per arm, on day 2 of 14.
    output = er.binomial(
        "Order conversion",
        "primary",
        [0.05, 0.06],
        planned_sample_per_variant=176_000,
        days_run=2,
        planned_days=14,
    )
    assert output.comparisons[0].verdict.status == "keep_running"
    assert verdict_headline([output]) == (
        "keep_running",
        "Keep running: 11% of the planned sample, day 2 of 14",
    )
    planned = er.binomial(
        "Order conversion",
        "primary",
        [0.05, 0.06],
        planned_sample_per_variant=20_000,
        days_run=7,
        planned_days=14,
    )
    assert verdict_headline([planned]) == ("ship", "Ship B")


def test_no_primary_result_is_no_data():
    assert verdict_headline([None, er.guardrail_holding()]) == ("no_data", "No results yet")


def test_badges_speak_in_actions():
    assert badge("ship") == "Ship now"
    assert badge("harmful") == "Roll back now"
    assert badge("keep_running", 9) == "About 9 days left"
    assert badge("srm") == "Unhealthy"
    assert badge("no_difference") == "Ready for review"
