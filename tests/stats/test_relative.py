import math

import pytest

from metrics.stats import BinomialStats, MeanStats, StatsInputError
from metrics.stats.frequentist import fixed_horizon_test
from metrics.stats.relative import relative_lift


def test_relative_lift_includes_the_controls_uncertainty():
    # control 500/10 000 = 5%, treatment 560/10 000 = 5.6%: lift +12%
    lift = relative_lift(BinomialStats(10_000, 500), BinomialStats(10_000, 560))
    v0, v1 = 0.05 * 0.95 / 10_000, 0.056 * 0.944 / 10_000
    # delta method by hand: Var(p1/p0) = v1/p0² + p1² v0/p0⁴
    expected_se = math.sqrt(v1 / 0.05**2 + 0.056**2 * v0 / 0.05**4)
    assert lift.value == pytest.approx(0.12)
    assert lift.std_error == pytest.approx(expected_se, rel=1e-12)
    # dividing the absolute SE by p0 ignores the control's noise and is narrower
    assert lift.std_error > math.sqrt(v0 + v1) / 0.05


def test_relative_ci_is_symmetric_with_its_own_p_value():
    lift = relative_lift(BinomialStats(10_000, 500), BinomialStats(10_000, 560))
    result = fixed_horizon_test(lift, 0.05, "two-sided")
    assert result.ci_upper - 0.12 == pytest.approx(0.12 - result.ci_lower)
    # z = 0.12 / SE = 0.12 / 0.06706653 = 1.78928; two-sided p = 0.0735717 (normal tables)
    assert result.p_value == pytest.approx(0.0735717, abs=1e-6)


def test_relative_lift_of_means_uses_the_welch_df():
    # control n 5 mean 10 s² 4; treatment n 5 mean 12 s² 4 → Welch df = 8
    control = MeanStats(5, 50, 4 * 4 + 5 * 100)
    treatment = MeanStats(5, 60, 4 * 4 + 5 * 144)
    lift = relative_lift(control, treatment)
    assert lift.df == pytest.approx(8)
    assert lift.value == pytest.approx(0.2)


def test_control_mean_zero_is_refused():
    # revenue per user: every control user spent [-1, 1, 0] → mean 0
    control = MeanStats(3, 0, 2)
    with pytest.raises(StatsInputError, match="relative lift has no meaning") as caught:
        relative_lift(control, MeanStats(3, 3, 5))
    assert caught.value.field == "sum"
