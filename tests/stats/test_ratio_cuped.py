"""CUPED for ratio metrics against gbstats' ratio CUPED and a statsmodels regression."""

import json

import numpy as np
import pytest
import statsmodels.api as sm

from metrics.stats import RatioCovariate, RatioStats, StatsInputError, analyse
from metrics.stats.cuped import cuped_estimates, pooled_ratio_theta
from metrics.stats.frequentist import fixed_horizon_test

from .test_cli import run as cli_run


def orders_test(rng, n, lift):
    """Revenue and orders per user, this month and last: the rows the totals come from."""
    orders_pre = rng.poisson(3, n) + 1
    revenue_pre = np.round(orders_pre * rng.gamma(2, 15, n), 2)
    orders = np.maximum(orders_pre + rng.poisson(1, n) - 1, 1)
    typical = 0.7 * revenue_pre / orders_pre * orders * (1 + lift)
    revenue = np.round(np.maximum(0, typical + rng.normal(0, 10, n) * orders), 2)
    return [a.astype(float) for a in (revenue, orders, revenue_pre, orders_pre)]


def totals_of(x, y, x0, y0):
    """(n, Σx, Σx², Σy, Σy², Σxy, Σx₀, Σx₀², Σy₀, Σy₀², Σx₀y₀, Σxx₀, Σyy₀, Σxy₀, Σyx₀)."""
    return (
        len(x),
        x.sum(),
        (x * x).sum(),
        y.sum(),
        (y * y).sum(),
        (x * y).sum(),
        x0.sum(),
        (x0 * x0).sum(),
        y0.sum(),
        (y0 * y0).sum(),
        (x0 * y0).sum(),
        (x * x0).sum(),
        (y * y0).sum(),
        (x * y0).sum(),
        (y * x0).sum(),
    )


def ratio_arm(totals):
    return RatioStats(*totals[:6], covariate=RatioCovariate(*totals[6:]))


# Totals of generated revenue-per-order tests (numpy default_rng(20261203), ``orders_test`` above,
# the arms drawn in this order: two arms n = 480 and 510 with lifts 0 and 8 %, then three arms
# n = 300, 290, 310 with lifts 0, 5 % and −3 %), and what GrowthBook reports for them. PyPI's
# newest gbstats (0.8.0) has no ratio CUPED, so GrowthBook's RegressionAdjustedRatioStatistic
# (packages/stats/gbstats/models/statistics.py on GitHub: its lambda matrix, nabla and
# compute_theta_regression_adjusted_ratio) was re-typed in a scratch script and run through
# gbstats 0.8.0's TwoSidedTTest(control, treatment, FrequentistConfig(difference_type=...))
# .compute_result() with theta set on both arms, for "relative" and "absolute".
GBSTATS_CASES = {
    "two arms": {
        "arms": [
            (
                480,
                39446.42,
                7004687.0346,
                1902.0,
                9258.0,
                192231.86,
                57265.31,
                12682856.1305,
                1908.0,
                8958.0,
                270625.78,
                8831256.197,
                8860.0,
                184667.34999999998,
                268338.31,
            ),
            (
                510,
                46142.909999999996,
                8049383.4092999995,
                2042.0,
                10052.0,
                228676.02000000002,
                60065.68,
                11876019.879,
                2072.0,
                9978.0,
                286451.01,
                8986117.016,
                9780.0,
                220274.88999999998,
                283475.03,
            ),
        ],
        "gbstats": [
            (
                0.7215085618296756,
                0.1251879708116769,
                0.06068007248295419,
                0.1896958691403996,
                0.00014860095994562172,
                2.5963287463644313,
                1.310696344465934,
                3.8819611482629286,
                7.936850795808859e-05,
            ),
        ],
    },
    "three arms": {
        "arms": [
            (
                300,
                25232.96,
                4828683.6238,
                1192.0,
                5958.0,
                132168.99000000002,
                36699.229999999996,
                8865461.6319,
                1182.0,
                5688.0,
                182938.49,
                6046538.4492,
                5704.0,
                125260.19,
                184118.98,
            ),
            (
                290,
                23386.97,
                3877418.6539,
                1171.0,
                5735.0,
                114607.75,
                31510.479999999996,
                6083582.0156,
                1160.0,
                5414.0,
                146130.82,
                4341408.4996,
                5421.0,
                107100.0,
                145931.27000000002,
            ),
            (
                310,
                25003.75,
                4355786.2121,
                1228.0,
                6104.0,
                128728.87000000001,
                37052.31,
                7887581.3443,
                1225.0,
                5877.0,
                182039.13,
                5244084.3533,
                5845.0,
                124456.66,
                178705.0,
            ),
        ],
        "gbstats": [
            (
                0.6701867214764927,
                0.06643566513980198,
                -0.015568649772621207,
                0.14843998005222517,
                0.11211525141814516,
                1.4063493968506862,
                -0.37657875252392703,
                3.1892775462252994,
                0.12187497565460381,
            ),
            (
                0.6545830962824015,
                -0.013344980636607775,
                -0.09849864524136448,
                0.07180868396814893,
                0.7583590154662132,
                -0.28249443171501554,
                -2.116072359711096,
                1.551083496281065,
                0.7623193286152099,
            ),
        ],
    },
}
# per treatment: theta, relative lift, its 95 % CI low, high, p; absolute lift, CI low, high, p


@pytest.mark.parametrize("case", GBSTATS_CASES, ids=str)
def test_ratio_cuped_agrees_with_gbstats(case):
    arms = [ratio_arm(totals) for totals in GBSTATS_CASES[case]["arms"]]
    control = arms[0]
    for treatment, expected in zip(arms[1:], GBSTATS_CASES[case]["gbstats"], strict=True):
        theta, lift, low, high, p, delta, delta_low, delta_high, delta_p = expected
        estimates = cuped_estimates(control, treatment)
        relative = fixed_horizon_test(estimates.relative, 0.05, "two-sided")
        absolute = fixed_horizon_test(estimates.absolute, 0.05, "two-sided")
        assert estimates.theta == pytest.approx(theta, abs=1e-12)
        assert (relative.estimate, relative.ci_lower, relative.ci_upper) == pytest.approx(
            (lift, low, high), abs=1e-10
        )
        assert relative.p_value == pytest.approx(p, abs=1e-10, rel=1e-7)
        assert (absolute.estimate, absolute.ci_lower, absolute.ci_upper) == pytest.approx(
            (delta, delta_low, delta_high), abs=1e-9
        )
        assert absolute.p_value == pytest.approx(delta_p, abs=1e-10, rel=1e-7)
        assert 0.5 < estimates.variance_reduction < 1  # last month's basket predicts this one


def generated_rows():
    rng = np.random.default_rng(7)
    return orders_test(rng, 400, 0.0), orders_test(rng, 650, 0.06)


def linearised(rows):
    """Each unit's influence on R = Σx/Σy and on R₀ = Σx₀/Σy₀: (x − Ry)/ȳ and (x₀ − R₀y₀)/ȳ₀."""
    x, y, x0, y0 = rows
    ratio, pre_ratio = x.sum() / y.sum(), x0.sum() / y0.sum()
    return (x - ratio * y) / y.mean(), (x0 - pre_ratio * y0) / y0.mean(), ratio, pre_ratio


def test_theta_is_the_slope_of_the_linearised_ratio_on_its_pre_period():
    # Each arm's linearised values have mean 0, so a weighted regression through both arms'
    # units, each weighted 1/(n − 1) of its arm, has slope Σₐ Cov(R, R₀)ₐ / Σₐ Var(R₀)ₐ.
    arms = generated_rows()
    post, pre, weights = [], [], []
    for rows in arms:
        lin_post, lin_pre, _, _ = linearised(rows)
        post.append(lin_post)
        pre.append(lin_pre)
        weights.append(np.full(len(lin_post), 1 / (len(lin_post) - 1)))
    fit = sm.WLS(
        np.concatenate(post), sm.add_constant(np.concatenate(pre)), weights=np.concatenate(weights)
    ).fit()
    control, treatment = (ratio_arm(totals_of(*rows)) for rows in arms)
    assert pooled_ratio_theta(control, treatment) == pytest.approx(fit.params[1], rel=1e-9)


def test_adjusted_difference_and_se_match_a_regression_on_the_adjusted_units():
    # Unit i of arm a contributes (Rₐ − θR₀ₐ) + (linearised post − θ linearised pre); an OLS of
    # that on the arm indicator has the CUPED difference as slope, and its HC2 standard error
    # (exactly √(s₀²/n₀ + s₁²/n₁) with two groups) is the delta-method SE.
    arms = generated_rows()
    control, treatment = (ratio_arm(totals_of(*rows)) for rows in arms)
    estimates = cuped_estimates(control, treatment)
    outcome, arm = [], []
    for index, rows in enumerate(arms):
        lin_post, lin_pre, ratio, pre_ratio = linearised(rows)
        theta = estimates.theta
        outcome.append(ratio - theta * pre_ratio + lin_post - theta * lin_pre)
        arm.append(np.full(len(lin_post), float(index)))
    fit = sm.OLS(np.concatenate(outcome), sm.add_constant(np.concatenate(arm))).fit(cov_type="HC2")
    assert estimates.absolute.value == pytest.approx(fit.params[1], rel=1e-9)
    assert estimates.absolute.std_error == pytest.approx(fit.bse[1], rel=1e-9)


def test_the_four_by_four_covariance_is_that_of_the_rows():
    rows = generated_rows()[0]
    stats = ratio_arm(totals_of(*rows))
    assert np.array(stats.covariance_matrix) == pytest.approx(np.cov(np.vstack(rows)), rel=1e-9)


def payload_of(arms):
    names = (
        "pre_num_sum",
        "pre_num_sum_squares",
        "pre_den_sum",
        "pre_den_sum_squares",
        "pre_num_den_sum_products",
        "post_pre_num_sum_products",
        "post_pre_den_sum_products",
        "num_pre_den_sum_products",
        "den_pre_num_sum_products",
    )
    variants = []
    for name, totals in zip(("control", "treatment"), arms, strict=True):
        n, xs, xss, ys, yss, xy, *pre = totals
        variants.append(
            {
                "name": name,
                "n": n,
                "num_sum": xs,
                "num_sum_squares": xss,
                "den_sum": ys,
                "den_sum_squares": yss,
                "num_den_sum_products": xy,
                **dict(zip(names, pre, strict=True)),
            }
        )
    return {"metric_type": "ratio", "alpha": 0.05, "variants": variants}


def test_analyse_reports_the_cuped_block_for_a_ratio_metric():
    arms = GBSTATS_CASES["two arms"]["arms"]
    result = json.loads(json.dumps(analyse(payload_of(arms))))
    cuped = result["comparisons"][0]["cuped"]
    assert cuped["theta"] == pytest.approx(GBSTATS_CASES["two arms"]["gbstats"][0][0])
    assert cuped["relative"]["estimate"] == pytest.approx(
        GBSTATS_CASES["two arms"]["gbstats"][0][1]
    )


def test_a_pre_period_missing_in_one_arm_is_refused_by_name():
    payload = payload_of(GBSTATS_CASES["two arms"]["arms"])
    del payload["variants"][1]["pre_num_sum"]
    with pytest.raises(StatsInputError) as caught:
        analyse(payload)
    assert caught.value.field == "variants[1].pre_num_sum"


def test_a_pre_period_with_a_zero_denominator_is_refused_by_name():
    payload = payload_of(GBSTATS_CASES["two arms"]["arms"])
    payload["variants"][0].update(pre_den_sum=0.0, pre_den_sum_squares=0.0)
    with pytest.raises(StatsInputError) as caught:
        analyse(payload)
    assert caught.value.field == "variants[0].pre_den_sum"


def test_a_pre_period_ratio_of_zero_variance_is_refused_by_name():
    # Every user spent exactly 20 per order last month: R₀ cannot predict anything.
    x, y, _, y0 = generated_rows()[0]
    with pytest.raises(StatsInputError) as caught:
        ratio_arm(totals_of(x, y, 20 * y0, y0))
    assert caught.value.field == "pre_num_sum_squares"
    assert "zero variance" in str(caught.value)


def test_the_command_line_reports_ratio_cuped_and_names_a_missing_pre_period():
    payload = payload_of(GBSTATS_CASES["two arms"]["arms"])
    done = cli_run("analyse", stdin=json.dumps(payload))
    assert done.returncode == 0, done.stderr
    cuped = json.loads(done.stdout)["comparisons"][0]["cuped"]
    assert cuped["relative"]["p_value"] == pytest.approx(GBSTATS_CASES["two arms"]["gbstats"][0][4])
    del payload["variants"][0]["den_pre_num_sum_products"]
    refused = cli_run("analyse", stdin=json.dumps(payload))
    assert refused.returncode == 2
    assert "variants[0].den_pre_num_sum_products" in refused.stderr
