"""CUPED against the same adjustment done on raw users with numpy and scipy."""

import numpy as np
import pytest
import scipy.stats

from metrics.stats import StatsInputError
from metrics.stats.cuped import cuped_estimates, pooled_theta
from metrics.stats.frequentist import absolute_difference, fixed_horizon_test

from .raw import mean_of

# revenue this month (y) and last month (x) per user
CONTROL_Y = [12.0, 0.0, 30.5, 8.0, 15.0, 0.0, 22.0, 5.5]
CONTROL_X = [10.0, 1.0, 28.0, 9.0, 11.0, 0.0, 20.0, 7.0]
TREATMENT_Y = [14.0, 3.0, 33.0, 9.5, 18.0, 1.0, 25.0, 6.0, 11.0]
TREATMENT_X = [9.0, 2.0, 30.0, 8.0, 14.0, 0.0, 21.0, 6.0, 10.0]


def cuped_pair():
    return mean_of(CONTROL_Y, CONTROL_X), mean_of(TREATMENT_Y, TREATMENT_X)


def adjusted_users(theta):
    x_bar = np.mean(CONTROL_X + TREATMENT_X)
    return [
        np.array(y) - theta * (np.array(x) - x_bar)
        for y, x in ((CONTROL_Y, CONTROL_X), (TREATMENT_Y, TREATMENT_X))
    ]


def test_theta_is_pooled_over_both_arms():
    x = np.array(CONTROL_X + TREATMENT_X)
    y = np.array(CONTROL_Y + TREATMENT_Y)
    expected = np.cov(y, x, ddof=1)[0, 1] / np.var(x, ddof=1)
    assert pooled_theta(*cuped_pair()) == pytest.approx(expected, rel=1e-9)


def test_adjusted_test_matches_welch_on_the_adjusted_users():
    control, treatment = cuped_pair()
    estimates = cuped_estimates(control, treatment)
    adjusted_control, adjusted_treatment = adjusted_users(estimates.theta)
    theirs = scipy.stats.ttest_ind(adjusted_treatment, adjusted_control, equal_var=False)
    ours = fixed_horizon_test(estimates.absolute, 0.05, "two-sided")
    assert ours.estimate == pytest.approx(adjusted_treatment.mean() - adjusted_control.mean())
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-6)
    assert estimates.absolute.df == pytest.approx(theirs.df, rel=1e-9)


def test_variance_reduction_is_reported_as_a_fraction():
    control, treatment = cuped_pair()
    estimates = cuped_estimates(control, treatment)
    plain = absolute_difference(control, treatment).std_error ** 2
    assert estimates.variance_reduction == pytest.approx(
        1 - estimates.absolute.std_error**2 / plain
    )
    assert 0.5 < estimates.variance_reduction < 1  # last month predicts this month well


def test_relative_lift_divides_by_the_unadjusted_control_mean():
    control, treatment = cuped_pair()
    estimates = cuped_estimates(control, treatment)
    assert estimates.relative.value == pytest.approx(estimates.absolute.value / np.mean(CONTROL_Y))


def test_relative_se_matches_a_bootstrap_free_linearisation():
    # Δ/ȳ₀ is linear in the users' adjusted values once θ is fixed: R ≈ (m₁' − m₀')/ȳ₀, whose
    # influence values per control user are −(y' − m₀')/ȳ₀ − R (y − ȳ₀)/ȳ₀ and per treatment
    # user (y' − m₁')/ȳ₀; their variances give the delta-method variance.
    control, treatment = cuped_pair()
    estimates = cuped_estimates(control, treatment)
    adjusted_control, adjusted_treatment = adjusted_users(estimates.theta)
    y0 = np.array(CONTROL_Y)
    ratio = estimates.relative.value
    influence_control = (-adjusted_control - ratio * y0) / y0.mean()
    influence_treatment = adjusted_treatment / y0.mean()
    variance = influence_control.var(ddof=1) / y0.size + influence_treatment.var(ddof=1) / len(
        TREATMENT_Y
    )
    assert estimates.relative.std_error == pytest.approx(np.sqrt(variance), rel=1e-9)


def test_cuped_needs_covariates():
    with pytest.raises(StatsInputError) as caught:
        cuped_estimates(mean_of(CONTROL_Y), mean_of(TREATMENT_Y))
    assert caught.value.field == "pre_sum"
