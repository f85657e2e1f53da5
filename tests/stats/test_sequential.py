import math

import pytest

from metrics.stats import BinomialStats
from metrics.stats.frequentist import Estimate, absolute_difference, fixed_horizon_test
from metrics.stats.sequential import (
    always_valid_p_value,
    boundary_in_std_errors,
    rho_squared,
    sequential_test,
)


def test_rho_is_tuned_for_the_sample_size_n_star():
    # ρ² = (−2 ln 0.05 + ln(1 − 2 ln 0.05)) / 5000 = (5.991465 + 1.944690) / 5000
    assert rho_squared(0.05, 5000) == pytest.approx(7.936155 / 5000, rel=1e-6)


def test_boundary_is_equation_9_in_standard_errors():
    # t = 20 000 units, α = 0.05, N* = 5000: tρ² = 31.744618
    t_rho2 = 20_000 * rho_squared(0.05, 5000)
    expected = math.sqrt(2 * (t_rho2 + 1) / t_rho2 * math.log(math.sqrt(t_rho2 + 1) / 0.05))
    assert boundary_in_std_errors(20_000, 0.05, 5000) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(3.1271, abs=1e-4)  # vs 1.96 at a fixed horizon


def test_always_valid_p_value_crosses_alpha_exactly_at_the_boundary():
    boundary = boundary_in_std_errors(20_000, 0.05, 5000)
    assert always_valid_p_value(boundary, 20_000, 0.05, 5000) == pytest.approx(0.05, rel=1e-9)
    assert always_valid_p_value(boundary * 1.01, 20_000, 0.05, 5000) < 0.05
    assert always_valid_p_value(0.0, 20_000, 0.05, 5000) == 1.0


def test_sequential_interval_is_wider_than_fixed_and_its_p_value_larger():
    # control 500/10 000, treatment 600/10 000: clearly significant at a fixed horizon
    difference = absolute_difference(BinomialStats(10_000, 500), BinomialStats(10_000, 600))
    fixed = fixed_horizon_test(difference, 0.05, "two-sided")
    sequential = sequential_test(difference, 20_000, 0.05, "two-sided")
    assert sequential.ci_lower < fixed.ci_lower
    assert sequential.ci_upper > fixed.ci_upper
    assert sequential.p_value > fixed.p_value
    half_width = boundary_in_std_errors(20_000, 0.05, 5000) * difference.std_error
    assert sequential.ci_lower == pytest.approx(0.01 - half_width)


def test_one_sided_sequential_opens_the_untested_side_and_ignores_the_wrong_direction():
    sequential = sequential_test(Estimate(-0.01, 0.003), 20_000, 0.05, "larger")
    assert sequential.ci_upper == math.inf
    assert sequential.p_value == 1.0
