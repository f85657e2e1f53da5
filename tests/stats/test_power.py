import itertools

import pytest
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail

from metrics.stats import (
    Design,
    StatsInputError,
    expected_duration_days,
    fits_in_sprint,
    minimum_detectable_effect,
    sample_size_per_variant,
)
from metrics.stats.power import control_sample_size, sequential_control_sample_size
from metrics.stats.sequential import boundary_in_std_errors


@pytest.mark.parametrize(("effect_size", "per_group"), [(0.5, 64), (0.8, 26)])
def test_cohen_1988_table_of_sample_sizes(effect_size, per_group):
    # Cohen (1988), Statistical Power Analysis for the Behavioral Sciences, Table 2.4.1:
    # two-sided α = 0.05, power 0.80, d = 0.5 → n = 64 per group; d = 0.8 → n = 26.
    design = Design("mean", baseline=10.0, baseline_sd=1.0 / effect_size)
    assert sample_size_per_variant(design, 0.1) == [per_group, per_group]


BINOMIAL_GRID = list(
    itertools.product([0.02, 0.05, 0.3], [0.05, 0.2], [0.5, 1.0, 2.0], [True, False])
)


@pytest.mark.parametrize(("rate", "mde", "ratio", "two_sided"), BINOMIAL_GRID)
def test_binomial_sample_size_within_1_percent_of_statsmodels(rate, mde, ratio, two_sided):
    design = Design("binomial", baseline=rate, ratio=ratio, two_sided=two_sided)
    treatment_n = control_sample_size(design, mde) * ratio
    # statsmodels: sample 1 is the treatment, nobs2 = ratio · nobs1 is the control
    theirs = samplesize_proportions_2indep_onetail(
        rate * mde, rate, 0.8, ratio=1 / ratio, alternative="two-sided" if two_sided else "larger"
    )
    assert treatment_n == pytest.approx(theirs, rel=0.01)


MEAN_GRID = list(itertools.product([0.05, 0.2, 0.5, 1.0], [0.5, 1.0, 3.0], [True, False]))


@pytest.mark.parametrize(("effect_size", "ratio", "two_sided"), MEAN_GRID)
def test_mean_sample_size_within_1_percent_of_ttestindpower(effect_size, ratio, two_sided):
    design = Design("mean", 10.0, 1.0 / effect_size, ratio=ratio, two_sided=two_sided)
    theirs = TTestIndPower().solve_power(
        effect_size=effect_size,
        alpha=0.05,
        power=0.8,
        ratio=ratio,
        alternative="two-sided" if two_sided else "larger",
    )
    assert control_sample_size(design, 0.1) == pytest.approx(theirs, rel=0.01)


def test_bonferroni_splits_alpha_over_the_treatments():
    three_arms = Design("binomial", 0.05, n_variants=3, correction="bonferroni")
    theirs = samplesize_proportions_2indep_onetail(0.005, 0.05, 0.8, alpha=0.025)
    assert control_sample_size(three_arms, 0.1) == pytest.approx(theirs, rel=1e-9)
    assert len(sample_size_per_variant(three_arms, 0.1)) == 3


def test_unequal_allocation_gives_each_treatment_ratio_times_the_control():
    design = Design("mean", 10.0, 5.0, ratio=2.0)
    control, treatment = sample_size_per_variant(design, 0.1)
    assert treatment == pytest.approx(2 * control, abs=2)


@pytest.mark.parametrize(
    "design",
    [Design("binomial", 0.05), Design("mean", 20.0, 35.0, ratio=0.5, two_sided=False)],
)
def test_minimum_detectable_effect_inverts_the_sample_size(design):
    n = control_sample_size(design, 0.07)
    assert minimum_detectable_effect(design, n) == pytest.approx(0.07, rel=1e-6)


def test_duration_rounds_up_and_checks_the_sprint():
    # 2 × 31 234 users at 3000 a day: 20.8 days → 21, which fits a 21-day sprint
    assert expected_duration_days(62_468, 3000) == 21
    assert fits_in_sprint(21)
    assert not fits_in_sprint(22)
    assert expected_duration_days(63_000, 3000) == 21


@pytest.mark.parametrize(
    ("kwargs", "mde", "field"),
    [
        ({"metric_type": "binomial", "baseline": 1.2}, 0.1, "baseline_rate"),
        ({"metric_type": "mean", "baseline": 0.0, "baseline_sd": 1.0}, 0.1, "baseline_mean"),
        ({"metric_type": "mean", "baseline": 5.0, "baseline_sd": 0.0}, 0.1, "baseline_sd"),
        ({"metric_type": "binomial", "baseline": 0.5}, 1.0, "mde_relative"),
        ({"metric_type": "binomial", "baseline": 0.5, "power": 1.0}, 0.1, "power"),
        ({"metric_type": "binomial", "baseline": 0.5, "ratio": 0.0}, 0.1, "ratio"),
        # The changed rate rounds to the baseline (found by the API fuzz test as a 500).
        ({"metric_type": "binomial", "baseline": 0.99999}, 1.2e-38, "mde_relative"),
        ({"metric_type": "mean", "baseline": 7e11, "baseline_sd": 1.0}, 1e-30, "mde_relative"),
    ],
)
def test_impossible_designs_name_the_field(kwargs, mde, field):
    with pytest.raises(StatsInputError) as caught:
        sample_size_per_variant(Design(**kwargs), mde)
    assert caught.value.field == field


def test_a_plan_read_by_the_sequential_interval_is_sized_for_that_interval():
    design = Design(metric_type="mean", baseline=10.0, baseline_sd=5.0)
    fixed = sample_size_per_variant(design, 0.05)[0]
    control = sequential_control_sample_size(design, 0.05, tuning_parameter=5000)
    # At that size the always-valid half-width plus z_β standard errors reaches the MDE.
    se = 5.0 * (2 / control) ** 0.5
    boundary = boundary_in_std_errors(2 * control, 0.05, 5000)
    assert control > 1.5 * fixed
    assert (boundary + design.z_beta) * se == pytest.approx(0.5, rel=0.01)
