"""Did the win hold: the one rule that names held, faded or reversed, with plain numbers."""

import math

import pytest
import scipy.stats

from metrics.stats.readback import Outcome, readback_compare, readback_outcome
from metrics.stats.sufficient import BinomialStats, MeanStats


@pytest.mark.parametrize(
    ("lower", "upper", "higher_is_better", "expected"),
    [
        (0.01, 0.09, True, Outcome.HELD),  # still above 0: the win held
        (-0.02, 0.06, True, Outcome.FADED),  # 0 inside: no longer told from no effect
        (-0.09, -0.01, True, Outcome.REVERSED),  # now below 0: the change hurts
        (0.0, 0.05, True, Outcome.FADED),  # an end exactly at 0 counts as inside
        (-0.05, 0.0, True, Outcome.FADED),
        (-0.09, -0.01, False, Outcome.HELD),  # fewer returns was the win, and still is
        (0.01, 0.09, False, Outcome.REVERSED),
        (-0.01, 0.01, False, Outcome.FADED),
        (0.02, math.inf, True, Outcome.HELD),  # an open end changes nothing
    ],
)
def test_outcome_follows_the_side_of_zero_the_interval_lies_on(
    lower, upper, higher_is_better, expected
):
    assert readback_outcome(lower, upper, higher_is_better=higher_is_better) is expected


def test_compare_gives_the_relative_lift_and_its_delta_method_interval():
    # control: 1,000 customers, 100 retained; shipped: 1,000, 130 retained
    control, treatment = BinomialStats(1000, 100), BinomialStats(1000, 130)
    result = readback_compare(control, treatment, alpha=0.05)
    # worked by hand: lift 0.13/0.10 − 1 = 0.3; Var = v1/m0² + m1²·v0/m0⁴ with
    # v = p(1 − p)/n: 0.0001131/0.01 + 0.0169·0.00009/0.0001 = 0.01131 + 0.01521 = 0.02652
    se = math.sqrt(0.13 * 0.87 / 1000 / 0.01 + 0.0169 * 0.1 * 0.9 / 1000 / 0.0001)
    z = scipy.stats.norm.ppf(0.975)
    assert result.estimate == pytest.approx(0.3)
    assert result.ci_lower == pytest.approx(0.3 - z * se, rel=1e-9)
    assert result.ci_upper == pytest.approx(0.3 + z * se, rel=1e-9)
    assert readback_outcome(result.ci_lower, result.ci_upper, higher_is_better=True) is (
        Outcome.FADED  # 0.3 − 1.96 × 0.163 < 0: a 30 % lift on 1,000 a side is not enough
    )


def test_compare_of_means_uses_welch_degrees_of_freedom():
    # revenue per customer, raw values: control [10, 12, 14, 16], shipped [6, 8, 9, 9, 10]
    control = MeanStats(n=4, sum=52, sum_squares=100 + 144 + 196 + 256)
    treatment = MeanStats(n=5, sum=42, sum_squares=36 + 64 + 81 + 81 + 100)
    result = readback_compare(control, treatment)
    welch = scipy.stats.ttest_ind([6, 8, 9, 9, 10], [10, 12, 14, 16], equal_var=False)
    m0, m1 = 13.0, 8.4
    se = math.sqrt((2.3 / 5) / m0**2 + m1**2 * (20 / 3 / 4) / m0**4)
    t = scipy.stats.t.ppf(0.975, welch.df)
    assert result.estimate == pytest.approx(m1 / m0 - 1)
    assert result.ci_upper == pytest.approx(m1 / m0 - 1 + t * se, rel=1e-9)
    assert readback_outcome(result.ci_lower, result.ci_upper, higher_is_better=True) is (
        Outcome.REVERSED
    )
