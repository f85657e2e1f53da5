import logging

from metrics.stats import analyse
from metrics.stats.analysis import analyse_input
from metrics.stats.health import HEALTH_CHECKS, HealthContext, findings_for
from metrics.stats.jsonio import parse_analysis

from .payloads import binomial_payload, mean_payload


def codes(result):
    return [finding["code"] for finding in result["findings"]]


def test_healthy_test_has_no_findings():
    assert codes(analyse(binomial_payload())) == []


def test_too_few_units_and_too_few_conversions():
    # 60 users each but only 3 conversions in the control: np < 5
    assert codes(analyse(binomial_payload((60, 3), (60, 9)))) == ["too_few_units"]
    assert codes(analyse(binomial_payload((49, 10), (49, 12)))) == ["too_few_units"]


def test_zero_variance_in_one_variant():
    # control: every one of 100 users spent exactly 5; treatment varies
    payload = {
        "metric_type": "mean",
        "variants": [
            {"name": "control", "n": 100, "sum": 500, "sum_squares": 2500},
            {"name": "treatment", "n": 100, "sum": 520, "sum_squares": 3100},
        ],
    }
    assert codes(analyse(payload)) == ["zero_variance"]


def test_negative_control_mean_warns_about_the_relative_lift():
    # profit per user: control mean −2, treatment mean 1
    payload = {
        "metric_type": "mean",
        "variants": [
            {"name": "control", "n": 100, "sum": -200, "sum_squares": 99 * 25 + 400},
            {"name": "treatment", "n": 100, "sum": 100, "sum_squares": 99 * 25 + 100},
        ],
    }
    assert codes(analyse(payload)) == ["control_value_not_positive"]


def test_underpowered_at_the_planned_duration():
    # +2% on revenue per user with sd 30 needs ~ 88 000 users per arm; 2000 a day is 88 days
    result = analyse(mean_payload(daily_traffic=2000, mde_relative=0.02, planned_days=21))
    assert "underpowered" in codes(result)
    finding = next(f for f in result["findings"] if f["code"] == "underpowered")
    assert "it is planned for 21" in finding["detail"]


def test_a_check_that_raises_is_logged_and_the_others_still_run(caplog):
    def broken(ctx):
        raise ZeroDivisionError("bug in a check")

    result = analyse_input(parse_analysis(binomial_payload(treatment_counts=(10_700, 700))))
    context = HealthContext(result.input, result.srm, result.comparisons)
    with caplog.at_level(logging.ERROR, logger="metrics.stats.health"):
        findings = findings_for(context, (broken, *HEALTH_CHECKS))
    assert [f.code for f in findings] == ["srm"]
    assert "health check broken failed" in caplog.text
