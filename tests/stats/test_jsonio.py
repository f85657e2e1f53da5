"""The JSON interface of ``analyse`` and ``plan_power``: shape, defaults and named errors."""

import json
import math

import pytest
from statsmodels.stats import proportion

from metrics.stats import StatsInputError, analyse, analyse_many, plan_power
from metrics.stats.jsonio import analyse_looks

from .payloads import binomial_payload, mean_payload

RESULT_KEYS = {"estimate", "ci_lower", "ci_upper", "p_value"}


def test_analysis_output_has_the_interface_shape():
    result = analyse(binomial_payload())
    assert set(result) >= {"srm", "variants", "comparisons", "findings"}
    assert set(result["srm"]) >= {"p_value", "mismatch"}
    assert result["variants"] == [
        {"name": "control", "n": 10_000, "value": 0.05},
        {"name": "treatment", "n": 10_000, "value": 0.056},
    ]
    (comparison,) = result["comparisons"]
    assert comparison["variant"] == "treatment"
    assert set(comparison["absolute"]) == RESULT_KEYS
    assert set(comparison["relative"]) == RESULT_KEYS
    assert set(comparison["sequential"]["absolute"]) == RESULT_KEYS
    assert set(comparison["sequential"]["relative"]) == RESULT_KEYS
    assert comparison["cuped"] is None
    assert set(comparison["bayesian"]) >= {"chance_to_win", "expected_loss", "ci_lower", "ci_upper"}
    assert isinstance(comparison["verdict"], str)
    json.dumps(result, allow_nan=False)


def test_analysis_numbers_are_the_statsmodels_ones():
    comparison = analyse(binomial_payload())["comparisons"][0]
    theirs = proportion.test_proportions_2indep(560, 10_000, 500, 10_000, method="wald")
    assert comparison["absolute"]["p_value"] == pytest.approx(theirs.pvalue, rel=1e-6)
    assert comparison["relative"]["estimate"] == pytest.approx(0.12)
    assert comparison["p_value_adjusted"] == comparison["absolute"]["p_value"]


def test_control_is_found_by_name_and_names_come_back_as_given():
    payload = binomial_payload(control="B")
    payload["variants"][0]["name"], payload["variants"][1]["name"] = "A", "B"
    result = analyse(payload)
    assert result["comparisons"][0]["variant"] == "A"
    assert result["comparisons"][0]["relative"]["estimate"] == pytest.approx(0.05 / 0.056 - 1)


def test_one_sided_interval_ends_are_null():
    comparison = analyse(binomial_payload(two_sided=False))["comparisons"][0]
    assert comparison["absolute"]["ci_upper"] is None
    assert comparison["sequential"]["relative"]["ci_upper"] is None
    assert comparison["absolute"]["ci_lower"] < 0.006


def test_decrease_direction_flips_the_one_sided_test():
    # unsubscribes: control 500 of 10 000, treatment 440 of 10 000
    payload = binomial_payload(
        treatment_counts=(10_000, 440), two_sided=False, direction="decrease"
    )
    comparison = analyse(payload)["comparisons"][0]
    theirs = proportion.test_proportions_2indep(
        440, 10_000, 500, 10_000, method="wald", alternative="smaller"
    )
    assert comparison["absolute"]["p_value"] == pytest.approx(theirs.pvalue, rel=1e-6)
    assert comparison["absolute"]["ci_lower"] is None
    assert comparison["bayesian"]["chance_to_win"] > 0.95


def test_cuped_block_when_every_variant_has_a_covariate():
    comparison = analyse(mean_payload())["comparisons"][0]
    cuped = comparison["cuped"]
    assert set(cuped) >= {"theta", "variance_reduction", "absolute", "relative"}
    assert cuped["theta"] == pytest.approx(0.7 * 30.5 / 28, rel=0.02)
    assert cuped["variance_reduction"] == pytest.approx(0.49, abs=0.01)  # ≈ corr²


def test_analyse_many_corrects_across_metrics():
    results = analyse_many([binomial_payload(), mean_payload()], correction="holm")
    raw = [r["comparisons"][0]["absolute"]["p_value"] for r in results]
    adjusted = [r["comparisons"][0]["p_value_adjusted"] for r in results]
    smaller, larger = sorted(raw)
    # Holm: the smaller p-value is doubled, the larger kept unless below the doubled one
    assert adjusted[raw.index(smaller)] == pytest.approx(min(1, 2 * smaller))
    assert adjusted[raw.index(larger)] == pytest.approx(max(larger, min(1, 2 * smaller)))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p.pop("metric_type"), "metric_type"),
        (lambda p: p.update(metric_type="count"), "metric_type"),
        (lambda p: p["variants"].pop(), "variants"),
        (lambda p: p["variants"][1].update(n=0), "variants[1].n"),
        (lambda p: p["variants"][1].update(n=-3), "variants[1].n"),
        (lambda p: p["variants"][1].update(n=10.5), "variants[1].n"),
        (lambda p: p["variants"][1].update(n=True), "variants[1].n"),
        (lambda p: p["variants"][0].update(conversions=20_000), "variants[0].conversions"),
        (lambda p: p["variants"][0].update(conversions=0), "variants[0].conversions"),
        (lambda p: p["variants"][1].pop("conversions"), "variants[1].conversions"),
        (lambda p: p["variants"][1].update(name="control"), "variants[1].name"),
        (lambda p: p.update(control="nobody"), "control"),
        (lambda p: p.update(alpha=1.5), "alpha"),
        (lambda p: p.update(two_sided="yes"), "two_sided"),
        (lambda p: p.update(direction="up"), "direction"),
        (lambda p: p.update(correction="bonferroni"), "correction"),
        (lambda p: p.update(expected_split=[1, 1, 1]), "expected_split"),
        (lambda p: p.update(expected_split=[1, -1]), "expected_split[1]"),
        (lambda p: p.update(expected_split=[None, 1]), "expected_split[0]"),
        (lambda p: p.update(sequential_tuning_parameter=0), "sequential_tuning_parameter"),
        (lambda p: p.update(bayes_prior={"mean": 0, "sd": 0}), "bayes_prior.sd"),
        (lambda p: p.update(mde_relative=0), "mde_relative"),
    ],
)
def test_invalid_analysis_input_names_the_field(change, field):
    payload = binomial_payload()
    change(payload)
    with pytest.raises(StatsInputError) as caught:
        analyse(payload)
    assert caught.value.field == field


def test_inconsistent_sum_squares_and_zero_control_mean_name_the_variant():
    payload = mean_payload()
    payload["variants"][1]["sum_squares"] = 1.0
    with pytest.raises(StatsInputError) as caught:
        analyse(payload)
    assert caught.value.field == "variants[1].sum_squares"
    payload = mean_payload()
    for variant in payload["variants"]:
        for key in ("pre_sum", "pre_sum_squares", "post_pre_sum_products"):
            del variant[key]
    payload["variants"][0].update(sum=0.0)
    with pytest.raises(StatsInputError, match="relative lift") as caught:
        analyse(payload)
    assert caught.value.field == "variants[0].sum"


def test_no_variation_anywhere_is_refused():
    # every user in both arms spent exactly 5
    payload = {
        "metric_type": "mean",
        "variants": [
            {"name": "control", "n": 100, "sum": 500, "sum_squares": 2500},
            {"name": "treatment", "n": 100, "sum": 500, "sum_squares": 2500},
        ],
    }
    with pytest.raises(StatsInputError, match="the variance is 0") as caught:
        analyse(payload)
    assert caught.value.field == "variants"


def test_covariate_in_one_variant_only_is_refused():
    payload = mean_payload()
    del payload["variants"][1]["pre_sum"]
    with pytest.raises(StatsInputError) as caught:
        analyse(payload)
    assert caught.value.field == "variants[1].pre_sum"


def test_plan_power_output():
    # 5% baseline, +10% relative, 80% power, 2000 users a day; statsmodels gives 31 233.4
    result = plan_power(
        {
            "metric_type": "binomial",
            "baseline_rate": 0.05,
            "mde_relative": 0.1,
            "daily_traffic": 2000,
        }
    )
    assert result["n_per_variant"] == [31_234, 31_234]
    assert result["total"] == 62_468
    assert result["days"] == math.ceil(62_468 / 2000)
    assert result["fits_in_sprint"] is False


def test_plan_power_without_traffic_has_no_days_and_respects_sprint_days():
    payload = {"metric_type": "mean", "baseline_mean": 10, "baseline_sd": 20, "mde_relative": 0.1}
    assert plan_power(payload)["days"] is None
    payload.update(daily_traffic=1000, sprint_days=14)
    result = plan_power(payload)
    assert result["days"] == math.ceil(result["total"] / 1000)
    assert result["fits_in_sprint"] == (result["days"] <= 14)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"baseline_rate": None}, "baseline_rate"),
        ({"mde_relative": "ten"}, "mde_relative"),
        ({"n_variants": 1}, "n_variants"),
        ({"correction": "holm"}, "correction"),
        ({"daily_traffic": -5}, "daily_traffic"),
    ],
)
def test_invalid_power_input_names_the_field(change, field):
    payload = {"metric_type": "binomial", "baseline_rate": 0.05, "mde_relative": 0.1}
    payload.update(change)
    with pytest.raises(StatsInputError) as caught:
        plan_power(payload)
    assert caught.value.field == field


def test_a_number_too_large_for_a_float_is_refused_naming_its_field():
    huge = int("9" * 401)
    with pytest.raises(StatsInputError) as refused:
        plan_power({"metric_type": "binomial", "baseline_rate": huge, "mde_relative": 0.1})
    assert refused.value.field == "baseline_rate"
    arms = [{"name": "A", "n": huge, "conversions": 1}, {"name": "B", "n": 10, "conversions": 1}]
    payload = {"metric_type": "binomial", "variants": arms}
    with pytest.raises(StatsInputError) as refused:
        analyse(payload)
    assert refused.value.field == "variants[0].n"
    assert "between" in refused.value.message


def look_of(output: dict) -> dict:
    """What a daily chart reads from a full analysis: the variants and each treatment's lift."""
    comparisons = [
        {
            "variant": c["variant"],
            "relative": c["relative"],
            "sequential_relative": c["sequential"]["relative"],
            "chance_to_win": c["bayesian"]["chance_to_win"],
        }
        for c in output["comparisons"]
    ]
    return {"variants": output["variants"], "comparisons": comparisons}


def test_looks_give_the_numbers_of_a_full_analysis_and_refuse_the_same_looks():
    settings = {"control": "control", "alpha": 0.1, "two_sided": False, "expected_split": [1, 1]}
    days = [
        binomial_payload((40, 0), (41, 1), **settings),  # no conversion in control: refused
        binomial_payload((2_000, 90), (2_010, 120), **settings),
        binomial_payload((10_000, 500), (10_000, 560), **settings),
    ]
    looks = analyse_looks(binomial_payload(**settings), [day["variants"] for day in days])
    with pytest.raises(StatsInputError):
        analyse(days[0])
    assert looks[0] is None
    assert looks[1:] == [look_of(analyse(day)) for day in days[1:]]


def test_looks_with_cuped_and_a_third_arm_match_the_full_analysis():
    payload = mean_payload(direction="decrease", bayes_prior={"mean": 0, "sd": 0.3})
    third = dict(payload["variants"][1], name="third", sum=payload["variants"][1]["sum"] * 0.97)
    payload["variants"].append(third)
    smaller = [dict(v, n=v["n"] // 2, sum=v["sum"] / 2) for v in payload["variants"]]
    looks = analyse_looks(payload, [smaller, payload["variants"]])
    for look, variants in zip(looks, [smaller, payload["variants"]], strict=True):
        assert look == look_of(analyse({**payload, "variants": variants}))


def test_looks_of_a_payload_whose_settings_are_refused_are_all_refused():
    payload = binomial_payload(alpha=2)
    assert analyse_looks(payload, [payload["variants"]] * 2) == [None, None]


def test_looks_without_a_relative_lift_are_refused_as_analyse_refuses_them():
    payload = mean_payload()
    control = {"name": "control", "n": 100, "sum": 0.0, "sum_squares": 50.0}
    treatment = {"name": "treatment", "n": 100, "sum": 20.0, "sum_squares": 60.0}
    with pytest.raises(StatsInputError):
        analyse({"metric_type": "mean", "variants": [control, treatment]})
    plain = [
        {k: v for k, v in variant.items() if not k.startswith(("pre_", "post_"))}
        for variant in payload["variants"]
    ]
    # Every treatment user at 0: the difference varies, its ratio to the control does not.
    constant = {"name": "treatment", "n": 100, "sum": 0.0, "sum_squares": 0.0}
    varied = {"name": "control", "n": 100, "sum": 50.0, "sum_squares": 100.0}
    with pytest.raises(StatsInputError):
        analyse({"metric_type": "mean", "variants": [varied, constant]})
    looks = analyse_looks(
        {"metric_type": "mean"}, [[control, treatment], [varied, constant], plain]
    )
    assert looks[:2] == [None, None]
    assert looks[2] == look_of(analyse({"metric_type": "mean", "variants": plain}))
