"""Results per segment: the same engine per segment, checked against scipy and statsmodels."""

import math

import numpy as np
import pytest
import scipy.stats
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.multitest import multipletests

from metrics.stats import MeanStats
from metrics.stats.analysis import AnalysisInput, Variant
from metrics.stats.segments import analyse_dimension, cochran_q, shrunk

from .raw import mean_of


def test_cochran_q_by_hand_three_estimates_one_apart():
    # By hand: y = 1, 2, 3 with SE 1 → w = 1, ȳ = 2, Q = 1 + 0 + 1 = 2 on 2 df,
    # p = e^(−Q/2) = e^(−1) (χ² with 2 df), I² = (2 − 2)/2 = 0, τ² = 0.
    result = cochran_q([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    assert (result.q, result.df, result.pooled) == (pytest.approx(2.0), 2, pytest.approx(2.0))
    assert result.p_value == pytest.approx(math.exp(-1))
    assert (result.i_squared, result.tau_squared) == (0.0, 0.0)


def test_cochran_q_and_dersimonian_laird_tau_match_statsmodels():
    effects = np.array([0.10, -0.02, 0.25, 0.04, 0.31])
    errors = np.array([0.05, 0.04, 0.08, 0.03, 0.10])
    ours = cochran_q(list(effects), list(errors))
    theirs = combine_effects(effects, errors**2, method_re="dl")
    assert ours.q == pytest.approx(theirs.q)
    assert ours.tau_squared == pytest.approx(theirs.tau2)
    assert ours.i_squared == pytest.approx(theirs.i2)
    assert ours.p_value == pytest.approx(scipy.stats.chi2.sf(theirs.q, 4))
    assert ours.differs


def test_shrinkage_pulls_noisy_segments_toward_the_overall_lift():
    assert shrunk([0.3, -0.1], [0.1, 0.1], toward=0.05, tau_squared=0.0) == [0.05, 0.05]
    precise, noisy = shrunk([0.3, 0.3], [0.01, 1.0], toward=0.0, tau_squared=0.01)
    assert precise == pytest.approx(0.3 * 0.01 / (0.01 + 0.0001))
    assert noisy == pytest.approx(0.3 * 0.01 / 1.01)


def segment_input(rng, n, lift):
    control = rng.normal(10.0, 3.0, n)
    treatment = rng.normal(10.0 * (1 + lift), 3.0, n)
    inp = AnalysisInput("mean", (Variant("A", mean_of(control)), Variant("B", mean_of(treatment))))
    return inp, control, treatment


def test_each_segment_matches_scipy_welch_and_bh_matches_statsmodels_fdr_bh():
    rng = np.random.default_rng(16)
    lifts = {"mobile": 0.08, "desktop": 0.0, "tablet": 0.01, "tv": -0.02}
    raw = {name: segment_input(rng, 300, lift) for name, lift in lifts.items()}
    overall = AnalysisInput(
        "mean",
        (
            Variant("A", mean_of(np.concatenate([c for _, c, _ in raw.values()]))),
            Variant("B", mean_of(np.concatenate([t for _, _, t in raw.values()]))),
        ),
    )
    result = analyse_dimension(
        "device", [(name, inp) for name, (inp, _, _) in raw.items()], overall, 1
    )
    for name, (_, control, treatment) in raw.items():
        segment = result.segment(name)
        welch = scipy.stats.ttest_ind(treatment, control, equal_var=False)
        assert segment.absolute.p_value == pytest.approx(welch.pvalue, rel=1e-9)
        assert segment.absolute.estimate == pytest.approx(treatment.mean() - control.mean())
        assert segment.users == (300, 300)
        assert not segment.srm.mismatch
    raw_p = [result.segment(name).relative.p_value for name in lifts]
    bh = multipletests(raw_p, method="fdr_bh")[1]
    assert [result.segment(name).p_value_adjusted for name in lifts] == pytest.approx(list(bh))
    lifts_by_hand, errors_by_hand = [], []
    for _, control, treatment in raw.values():  # delta method on the raw rows, by numpy
        m0, m1 = control.mean(), treatment.mean()
        v0, v1 = control.var(ddof=1) / control.size, treatment.var(ddof=1) / treatment.size
        lifts_by_hand.append(m1 / m0 - 1)
        errors_by_hand.append(math.sqrt(v1 / m0**2 + m1**2 * v0 / m0**4))
    het = combine_effects(np.array(lifts_by_hand), np.array(errors_by_hand) ** 2, method_re="dl")
    assert result.heterogeneity.q == pytest.approx(het.q, rel=1e-6)
    for s in result.segments:  # shrunk between the raw lift and the overall one
        low, high = sorted((s.relative.estimate, result.overall_relative))
        assert low - 1e-12 <= s.shrunk_relative <= high + 1e-12


def test_a_broken_split_in_one_segment_is_flagged_in_that_segment_only():
    ok = AnalysisInput(
        "mean",
        (
            Variant("A", MeanStats(1000, 10_000, 110_000)),
            Variant("B", MeanStats(1000, 10_300, 116_000)),
        ),
    )
    broken = AnalysisInput(
        "mean",
        (
            Variant("A", MeanStats(1000, 10_000, 110_000)),
            Variant("B", MeanStats(800, 8_200, 93_000)),
        ),
    )
    result = analyse_dimension("channel", [("email", ok), ("ads", broken)], ok, 1)
    assert not result.segment("email").srm.mismatch
    assert result.segment("ads").srm.mismatch


# A published worked example: the 13 BCG vaccine trials of Colditz et al. (1994, JAMA 271:
# 698–702), as tabulated in metafor's dat.bcg (Viechtbauer 2010, "Conducting meta-analyses in
# R with the metafor package", J. Stat. Softw. 36(3), section 3): per trial the tuberculosis
# cases and non-cases, vaccinated (tpos, tneg) and not (cpos, cneg). Effect: the log risk ratio
# yᵢ = ln[(tpos/(tpos+tneg)) / (cpos/(cpos+cneg))], variance vᵢ = 1/tpos − 1/(tpos+tneg) +
# 1/cpos − 1/(cpos+cneg). Published: Q = 152.2330 on 12 df and the fixed-effect pooled log RR
# −0.4303 (metafor's rma(method="EE"), checked there against Stata's metan); DerSimonian–Laird
# τ² = 0.3088, I² = 92.12 % and the random-effects pooled log RR −0.7141 (rma(method="DL")).
BCG_TRIALS = (
    (4, 119, 11, 128),  # Aronson 1948
    (6, 300, 29, 274),  # Ferguson & Simes 1949
    (3, 228, 11, 209),  # Rosenthal et al. 1960
    (62, 13536, 248, 12619),  # Hart & Sutherland 1977
    (33, 5036, 47, 5761),  # Frimodt-Moller et al. 1973
    (180, 1361, 372, 1079),  # Stein & Aronson 1953
    (8, 2537, 10, 619),  # Vandiviere et al. 1973
    (505, 87886, 499, 87892),  # TPT Madras 1980
    (29, 7470, 45, 7232),  # Coetzee & Berjak 1968
    (17, 1699, 65, 1600),  # Rosenthal et al. 1961
    (186, 50448, 141, 27197),  # Comstock et al. 1974
    (5, 2493, 3, 2338),  # Comstock & Webster 1969
    (27, 16886, 29, 17825),  # Comstock et al. 1976
)


def test_cochran_q_i2_and_dersimonian_laird_tau_match_the_published_bcg_example():
    effects = [math.log((a / (a + b)) / (c / (c + d))) for a, b, c, d in BCG_TRIALS]
    variances = [1 / a - 1 / (a + b) + 1 / c - 1 / (c + d) for a, b, c, d in BCG_TRIALS]
    result = cochran_q(effects, [math.sqrt(v) for v in variances])
    assert result.df == 12
    assert result.q == pytest.approx(152.2330, abs=5e-5)
    assert result.pooled == pytest.approx(-0.4303, abs=5e-5)
    assert result.tau_squared == pytest.approx(0.3088, abs=5e-5)
    assert result.i_squared == pytest.approx(0.9212, abs=5e-5)
    assert result.differs
    # τ² is what the random-effects weights 1/(vᵢ + τ²) are made of: the published pooled
    # estimate follows from ours to four decimals.
    weights = [1 / (v + result.tau_squared) for v in variances]
    pooled = sum(w * y for w, y in zip(weights, effects, strict=True)) / sum(weights)
    assert pooled == pytest.approx(-0.7141, abs=5e-5)
