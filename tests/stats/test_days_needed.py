"""One count of days needed: the sample-size plan and the running test's health check agree."""

import math

import pytest

from metrics.stats import StatsInputError, analyse, days_to_reach, plan_power

# Three variants on a 34/33/33 split of 3000 users a day, a 10% conversion baseline, a 10%
# relative lift to find, α 0.05 two-sided with Bonferroni over two treatments, power 0.8.
DESIGN = {"metric_type": "binomial", "mde_relative": 0.1, "alpha": 0.05, "power": 0.8}
SPLIT = [34, 33, 33]
DAILY_TRAFFIC = 3000
PLANNED = DESIGN | {
    "baseline_rate": 0.1,
    "n_variants": 3,
    "correction": "bonferroni",
    "daily_traffic": DAILY_TRAFFIC,
    "expected_split": SPLIT,
}


def test_days_to_reach_waits_for_the_variant_with_the_smallest_share():
    # 17,864 users each; the 33% variants get 990 a day: 17,864 / 990 = 18.04 days, so 19.
    per_day = [DAILY_TRAFFIC * share / 100 for share in SPLIT]
    assert days_to_reach([17_864] * 3, per_day) == 19
    # 9,000 users at 1,000 a day is exactly 9 days, not 10.
    assert days_to_reach([9_000], [1_000]) == 9
    assert days_to_reach([0, 0], [10, 10]) == 0


def test_days_to_reach_refuses_a_variant_that_gets_no_traffic():
    with pytest.raises(StatsInputError) as caught:
        days_to_reach([100, 100], [50, 0])
    assert caught.value.field == "daily_traffic"


def test_the_plan_counts_days_on_the_planned_split():
    plan = plan_power(PLANNED)
    assert plan["n_per_variant"] == [17_864] * 3
    # Not 53,592 / 3000 = 17.9 → 18: the 33% variants are the last to reach their users.
    assert plan["days"] == 19


def test_the_plan_and_the_health_check_give_the_same_days_on_the_same_numbers():
    # 40/40/20: the plan sizes the treatments at 20/40 = half the control's users, and the
    # control, at 40% of the traffic, is the last to reach its users.
    split = [40, 40, 20]
    plan = plan_power(PLANNED | {"ratio": 0.5, "expected_split": split})
    control_users = plan["n_per_variant"][0]
    assert plan["days"] == math.ceil(control_users / (0.4 * DAILY_TRAFFIC))
    # A running test whose control converts at exactly the planned 10% so far.
    variants = [{"name": name, "n": 2000, "conversions": 200} for name in ("A", "B", "C")]
    running = {"variants": variants, "expected_split": split, "daily_traffic": DAILY_TRAFFIC}
    output = analyse(DESIGN | running | {"correction": "holm", "method": "fixed"})
    assert max(c["days_required"] for c in output["comparisons"]) == plan["days"]


def test_a_sequential_test_needs_the_days_of_its_sequential_plan():
    split = [40, 40, 20]
    tuning = {"sequential_tuning_parameter": 5000}
    plan = plan_power(PLANNED | tuning | {"ratio": 0.5, "expected_split": split})
    fixed = plan_power(PLANNED | {"ratio": 0.5, "expected_split": split})
    assert plan["days"] > fixed["days"]
    variants = [{"name": name, "n": 2000, "conversions": 200} for name in ("A", "B", "C")]
    running = {"variants": variants, "expected_split": split, "daily_traffic": DAILY_TRAFFIC}
    output = analyse(DESIGN | running | tuning | {"correction": "holm", "method": "sequential"})
    assert max(c["days_required"] for c in output["comparisons"]) == plan["days"]


def test_a_split_that_does_not_match_the_variants_is_named():
    with pytest.raises(StatsInputError) as caught:
        plan_power(DESIGN | {"baseline_rate": 0.1, "daily_traffic": 100, "expected_split": [1]})
    assert caught.value.field == "expected_split"
