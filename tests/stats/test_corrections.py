import pytest
from statsmodels.stats.multitest import multipletests

from metrics.stats import StatsInputError
from metrics.stats.corrections import adjust_p_values

# raw p-values of 2 treatments × 3 metrics
RAW = [0.01, 0.04, 0.03, 0.20, 0.005, 0.6]


def test_holm_by_hand():
    # sorted: 0.005·6, 0.01·5, 0.03·4, 0.04·3, 0.2·2, 0.6·1, made monotone
    assert adjust_p_values(RAW, "holm") == pytest.approx([0.05, 0.12, 0.12, 0.4, 0.03, 0.6])


def test_benjamini_hochberg_by_hand():
    # sorted p·m/rank: 0.005·6/1 = 0.03, 0.01·6/2 = 0.03, 0.03·6/3 = 0.06, 0.04·6/4 = 0.06,
    # 0.2·6/5 = 0.24, 0.6·6/6 = 0.6
    assert adjust_p_values(RAW, "bh") == pytest.approx([0.03, 0.06, 0.06, 0.24, 0.03, 0.6])


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_matches_statsmodels_with_the_method_named(ours, theirs):
    expected = multipletests(RAW, method=theirs)[1]
    assert adjust_p_values(RAW, ours) == pytest.approx(list(expected), rel=1e-12)


HOLM_CASES = [
    [0.01, 0.01, 0.04],  # ties
    [0.0, 1.0, 0.5, 0.5],
    [0.3, 0.2, 0.1, 0.04, 0.03, 0.02, 0.01, 0.009],
    [round(0.001 * 1.7**k, 6) for k in range(15)],
]


@pytest.mark.parametrize("p_values", HOLM_CASES)
def test_holm_equals_statsmodels_multipletests_holm(p_values):
    # Holm is computed by hand (statsmodels' Holm branch calls gc.collect() on every call)
    expected = multipletests(p_values, method="holm")[1]
    assert adjust_p_values(p_values, "holm") == pytest.approx(list(expected), rel=1e-12)


def test_not_the_statsmodels_default_holm_sidak():
    assert adjust_p_values(RAW, "holm") != pytest.approx(list(multipletests(RAW)[1]))


def test_none_returns_the_raw_p_values():
    assert adjust_p_values(RAW, "none") == RAW


def test_unknown_correction_names_the_field():
    with pytest.raises(StatsInputError) as caught:
        adjust_p_values(RAW, "bonferroni")
    assert caught.value.field == "correction"
