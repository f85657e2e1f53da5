"""CUPED for a ratio metric read from stored cohorts, and refused in that metric only."""

import pytest

from analysis.models import AnalysisResult, Trigger
from analysis.services import analysis_request
from experiments.models import MetricRole
from experiments.services.experiments import experiment_metric_attach
from metrics.models import MetricKind
from tests.analysis.data import cohorts_write, ratio_cohorts_write
from tests.factories import metric_make
from tests.stats.test_ratio_cuped import GBSTATS_CASES

CONTROL, TREATMENT = GBSTATS_CASES["two arms"]["arms"]
THETA, LIFT = GBSTATS_CASES["two arms"]["gbstats"][0][:2]


@pytest.fixture
def with_orders(running, people):
    cohorts_write(running)  # conversion and revenue per day
    metric = metric_make("Revenue per order", MetricKind.RATIO)
    experiment_metric_attach(
        experiment=running, metric=metric, role=MetricRole.SECONDARY, user=people.owner
    )
    return running, metric


def analysed(experiment, capture):
    with capture(execute=True):
        analysis_request(experiment=experiment, trigger=Trigger.MANUAL)
    return {
        row.metric.name: row
        for row in AnalysisResult.objects.filter(experiment=experiment, is_control=False)
    }


def test_a_ratio_metric_with_its_pre_period_gets_the_cuped_block(
    with_orders, django_capture_on_commit_callbacks
):
    experiment, metric = with_orders
    ratio_cohorts_write(experiment, metric, {"A": CONTROL, "B": TREATMENT})
    rows = analysed(experiment, django_capture_on_commit_callbacks)
    cuped = rows["Revenue per order"].comparison["cuped"]
    assert cuped["theta"] == pytest.approx(THETA, rel=1e-9)
    assert cuped["relative"]["estimate"] == pytest.approx(LIFT, rel=1e-9)
    assert rows["Revenue per order"].inputs["pre_den_sum"] == TREATMENT[8]


def test_a_pre_period_missing_in_one_arm_refuses_that_metric_only(
    with_orders, django_capture_on_commit_callbacks
):
    experiment, metric = with_orders
    ratio_cohorts_write(experiment, metric, {"A": CONTROL, "B": TREATMENT}, with_pre={"A"})
    rows = analysed(experiment, django_capture_on_commit_callbacks)
    refused = rows["Revenue per order"]
    assert refused.status == "error"
    assert refused.verdict.startswith("B has no pre-period data for Revenue per order")
    assert rows["Revenue"].status != "error" and rows["Revenue"].comparison["cuped"] is not None
    assert rows["Order conversion"].status != "error"


def test_a_denominator_summing_to_zero_in_one_arm_refuses_that_metric_only(
    with_orders, django_capture_on_commit_callbacks
):
    experiment, metric = with_orders
    no_orders = (TREATMENT[0], 0.0, 0.0, 0.0, 0.0, 0.0, *TREATMENT[6:])
    ratio_cohorts_write(experiment, metric, {"A": CONTROL, "B": no_orders})
    rows = analysed(experiment, django_capture_on_commit_callbacks)
    assert rows["Revenue per order"].status == "error"
    assert rows["Revenue per order"].verdict == (
        "B has nothing to divide by yet for Revenue per order (its denominator is 0)."
    )
    assert rows["Revenue"].status != "error"


def test_a_pre_period_of_zero_variance_refuses_that_metric_only(
    with_orders, django_capture_on_commit_callbacks
):
    experiment, metric = with_orders
    # Every control user spent 20 per order last month (x₀ = 20 y₀): nothing to learn from.
    y0, y0y0, yy0, xy0 = CONTROL[8], CONTROL[9], CONTROL[12], CONTROL[13]
    flat = (*CONTROL[:6], 20 * y0, 400 * y0y0, y0, y0y0, 20 * y0y0, 20 * xy0, yy0, xy0, 20 * yy0)
    ratio_cohorts_write(experiment, metric, {"A": flat, "B": TREATMENT})
    rows = analysed(experiment, django_capture_on_commit_callbacks)
    assert rows["Revenue per order"].status == "error"
    assert rows["Revenue per order"].verdict.startswith(
        "The pre-period values of Revenue per order are the same for every user"
    )
    assert rows["Revenue"].status != "error"
