"""CUPED against the same adjustment done on raw users with numpy and scipy."""

import numpy as np
import pytest
import scipy.stats

from metrics.stats import Covariate, MeanStats, StatsInputError
from metrics.stats.cuped import cuped_estimates, pooled_theta
from metrics.stats.frequentist import absolute_difference, fixed_horizon_test
from metrics.stats.relative import relative_lift, relative_variance

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


def test_relative_variance_without_adjustment_is_the_plain_relative_lifts():
    # With θ = 0 GrowthBook's CUPED variance is exactly the delta-method variance of m₁/m₀.
    control, treatment = cuped_pair()
    plain = relative_lift(control, treatment)
    assert relative_variance(
        control.value, control.variance_of_value, treatment.value, treatment.variance_of_value
    ) == pytest.approx(plain.std_error**2, rel=1e-12)


# Sufficient statistics of generated revenue tests (numpy seed 20261203, last month's revenue x
# ~ Gamma(2, 20) rounded to cents, this month's y = max(0, 0.8x + Normal(10·lift, 15))), and what
# gbstats 0.8.0 reports for them: RegressionAdjustedStatistic per arm with
# theta = compute_theta(control, treatment), then
# TwoSidedTTest(control, treatment, FrequentistConfig(difference_type="relative")).compute_result().
GBSTATS_CASES = {
    "two arms": {
        "arms": [
            (
                480,
                20200.559999999998,
                1200717.835,
                19803.129999999997,
                1198296.4667000002,
                1146624.159,
            ),
            (510, 23050.86, 1438525.0886000001, 20122.58, 1208684.5298, 1255662.9783),
        ],
        # theta, relative lift, 95 % CI low, high, two-sided p-value, per treatment
        "gbstats": [
            (
                0.8257863333920333,
                0.10930574960517224,
                0.06548504894682214,
                0.15312645026352234,
                1.1482011776919876e-06,
            ),
        ],
    },
    "three arms": {
        "arms": [
            (300, 12070.11, 674540.4169000001, 11546.09, 618386.1619, 611076.5504000001),
            (290, 11786.25, 656519.4403000001, 10725.16, 569188.3158, 578730.1599),
            (310, 11878.45, 670975.8737, 11698.33, 678992.1896999999, 634122.9789),
        ],
        "gbstats": [
            (
                0.8339426209519321,
                0.0413211927651638,
                -0.017510996485767857,
                0.10015338201609546,
                0.16828549733620224,
            ),
            (
                0.8080571781322449,
                -0.03255326945895124,
                -0.09032654111370764,
                0.025220002195805162,
                0.26891493563844504,
            ),
        ],
    },
}


def revenue_arm(n, total, squares, pre_total, pre_squares, products):
    return MeanStats(n, total, squares, Covariate(pre_total, pre_squares, products))


@pytest.mark.parametrize("case", GBSTATS_CASES, ids=str)
def test_relative_lift_interval_and_p_value_agree_with_gbstats(case):
    arms = [revenue_arm(*arm) for arm in GBSTATS_CASES[case]["arms"]]
    control = arms[0]
    for treatment, expected in zip(arms[1:], GBSTATS_CASES[case]["gbstats"], strict=True):
        theta, lift, low, high, p = expected
        estimates = cuped_estimates(control, treatment)
        result = fixed_horizon_test(estimates.relative, 0.05, "two-sided")
        assert estimates.theta == pytest.approx(theta, abs=1e-12)
        assert result.estimate == pytest.approx(lift, abs=1e-12)
        assert result.ci_lower == pytest.approx(low, abs=1e-9)
        assert result.ci_upper == pytest.approx(high, abs=1e-9)
        assert result.p_value == pytest.approx(p, abs=1e-9, rel=1e-6)


def test_cuped_needs_covariates():
    with pytest.raises(StatsInputError) as caught:
        cuped_estimates(mean_of(CONTROL_Y), mean_of(TREATMENT_Y))
    assert caught.value.field == "pre_sum"
