"""Fixed-horizon tests against statsmodels, scipy and published worked examples."""

import math

import numpy as np
import pytest
import scipy.stats
from statsmodels.stats import proportion

from metrics.stats import BinomialStats, MeanStats
from metrics.stats.frequentist import absolute_difference, fixed_horizon_test

from .raw import mean_of, ratio_of


def z_test(control, treatment, alternative="two-sided", alpha=0.05):
    return fixed_horizon_test(absolute_difference(control, treatment), alpha, alternative)


def test_newcombe_1998_wald_interval_56_of_70_against_48_of_80():
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, example (a), method 1
    # (simple asymptotic, no continuity correction): 56/70 − 48/80, 95% CI 0.0575 to 0.3425.
    result = z_test(BinomialStats(80, 48), BinomialStats(70, 56))
    assert result.estimate == pytest.approx(0.2)
    assert round(result.ci_lower, 4) == 0.0575
    assert round(result.ci_upper, 4) == 0.3425


def test_newcombe_1998_wald_interval_9_of_10_against_3_of_10():
    # Newcombe (1998), Table II, example (b), method 1: 9/10 − 3/10, 95% CI 0.2605 to 0.9395
    result = z_test(BinomialStats(10, 3), BinomialStats(10, 9))
    assert (round(result.ci_lower, 4), round(result.ci_upper, 4)) == (0.2605, 0.9395)


@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_two_proportion_z_matches_statsmodels_wald(alternative):
    # control: 500 of 10 000 converted; treatment: 560 of 10 000
    ours = z_test(BinomialStats(10_000, 500), BinomialStats(10_000, 560), alternative)
    theirs = proportion.test_proportions_2indep(
        560, 10_000, 500, 10_000, method="wald", compare="diff", alternative=alternative
    )
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-6)


def test_two_proportion_ci_matches_statsmodels_wald():
    ours = z_test(BinomialStats(10_000, 500), BinomialStats(10_000, 560))
    low, upp = proportion.confint_proportions_2indep(560, 10_000, 500, 10_000, method="wald")
    assert ours.ci_lower == pytest.approx(low, rel=1e-6)
    assert ours.ci_upper == pytest.approx(upp, rel=1e-6)


def test_welch_wikipedia_example_1():
    # Wikipedia, "Welch's t-test", Examples, example 1: t = −2.46, p = 0.021 (df from scipy)
    a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
    a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
    difference = absolute_difference(mean_of(a2), mean_of(a1))
    result = fixed_horizon_test(difference, 0.05, "two-sided")
    assert round(difference.value / difference.std_error, 2) == -2.46
    assert difference.df == pytest.approx(scipy.stats.ttest_ind(a2, a1, equal_var=False).df)
    assert round(result.p_value, 3) == 0.021


def test_welch_nist_handbook_auto83b_us_against_japan():
    # NIST/SEMATECH e-Handbook 1.3.5.3: US cars N = 249, mean 20.14458, sd 6.41470; Japanese
    # N = 79, mean 30.48101, sd 6.10771; unequal variances: T = −12.94627, ν = 136.8750.
    def from_summary(n, mean, sd):
        return MeanStats(n, n * mean, (n - 1) * sd**2 + n * mean**2)

    difference = absolute_difference(
        from_summary(79, 30.48101, 6.10771), from_summary(249, 20.14458, 6.41470)
    )
    assert round(difference.value / difference.std_error, 5) == -12.94627
    assert round(difference.df, 3) == 136.875


@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_welch_matches_scipy_on_the_same_users(alternative):
    control = [0.0, 12.5, 0.0, 30.0, 8.5]
    treatment = [14.0, 0.0, 22.5, 9.0, 31.0, 0.0]
    ours = z_test(mean_of(control), mean_of(treatment), alternative)
    scipy_name = {"two-sided": "two-sided", "larger": "greater", "smaller": "less"}[alternative]
    theirs = scipy.stats.ttest_ind(treatment, control, equal_var=False, alternative=scipy_name)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-6)
    low, high = theirs.confidence_interval(0.95)
    if alternative != "smaller":
        assert ours.ci_lower == pytest.approx(low, rel=1e-6)
    if alternative != "larger":
        assert ours.ci_upper == pytest.approx(high, rel=1e-6)


def test_welch_matches_scipy_from_stats():
    # revenue per user summarised: control n 4000, mean 12.1, sd 30;
    # treatment n 4100, mean 13.0, sd 33
    control = MeanStats(4000, 4000 * 12.1, 3999 * 30**2 + 4000 * 12.1**2)
    treatment = MeanStats(4100, 4100 * 13.0, 4099 * 33**2 + 4100 * 13.0**2)
    ours = z_test(control, treatment)
    theirs = scipy.stats.ttest_ind_from_stats(13.0, 33, 4100, 12.1, 30, 4000, equal_var=False)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-6)


def test_one_sided_interval_is_open_on_the_untested_side():
    result = z_test(BinomialStats(10_000, 500), BinomialStats(10_000, 560), "larger")
    assert result.ci_upper == math.inf
    assert result.ci_lower == pytest.approx(
        0.006
        - scipy.stats.norm.ppf(0.95) * math.sqrt(0.05 * 0.95 / 10_000 + 0.056 * 0.944 / 10_000)
    )


def test_ratio_metric_delta_method_agrees_with_the_linearised_users():
    # revenue per order; a ratio's delta-method SE equals the SE of the mean of the linearised
    # values (x − R y) / ȳ, which numpy computes here from the raw users.
    rng = np.random.default_rng(7)
    orders = [rng.integers(1, 4, size=300), rng.integers(1, 4, size=320)]
    revenue = [o * rng.gamma(2.0, 20.0, size=o.size) for o in orders]
    ours = absolute_difference(
        ratio_of(list(revenue[0]), list(orders[0])), ratio_of(list(revenue[1]), list(orders[1]))
    )
    variances = []
    for x, y in zip(revenue, orders, strict=True):
        linear = (x - x.sum() / y.sum() * y) / y.mean()
        variances.append(linear.var(ddof=1) / x.size)
    assert ours.std_error == pytest.approx(math.sqrt(sum(variances)), rel=1e-9)
    assert ours.df == math.inf
