import pytest
import scipy.stats

from metrics.stats import StatsInputError
from metrics.stats.srm import srm_test


def test_kohavi_tang_xu_srm_example():
    # Kohavi, Tang & Xu (2020), Trustworthy Online Controlled Experiments, ch. 3: a 50/50 test
    # with 821,588 vs 815,482 users (ratio 0.993) has SRM p-value 1.8e-6.
    result = srm_test([821_588, 815_482], [1, 1])
    assert f"{result.p_value:.1e}" == "1.8e-06"
    assert result.mismatch


def test_mendel_peas_goodness_of_fit_against_9_3_3_1():
    # Mendel's dihybrid cross, the textbook chi-square goodness-of-fit example:
    # 315, 108, 101, 32 peas against 9:3:3:1 give χ² = 0.470 (3 df), p = 0.925.
    result = srm_test([315, 108, 101, 32], [9, 3, 3, 1])
    assert round(result.statistic, 3) == 0.470
    assert round(result.p_value, 3) == 0.925
    assert not result.mismatch


def test_srm_matches_scipy_chisquare_with_an_unequal_split():
    # planned 20/40/40; observed 2050, 3900, 4050 users
    ours = srm_test([2050, 3900, 4050], [20, 40, 40])
    theirs = scipy.stats.chisquare([2050, 3900, 4050], [2000, 4000, 4000])
    assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-9)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-6)


def test_mismatch_threshold_is_one_in_a_thousand():
    # 10 000 vs 10 400 users: χ² = 200²·2/10 200 = 7.84, p = 0.0051: worth watching, not broken
    assert not srm_test([10_000, 10_400], [1, 1]).mismatch
    # 10 000 vs 10 700 users: χ² = 23.7, p ≈ 1e-6: broken
    assert srm_test([10_000, 10_700], [1, 1]).mismatch


@pytest.mark.parametrize("weights", [[1, 1, 1], [1, 0]])
def test_split_must_have_one_positive_weight_per_variant(weights):
    with pytest.raises(StatsInputError) as caught:
        srm_test([100, 100], weights)
    assert caught.value.field == "expected_split"
