"""The flat results carry the CUPED block of ratio metrics, as of mean metrics."""

import pytest

from experiments.models import MetricRole
from experiments.services.experiments import experiment_metric_attach
from metrics.models import Metric, MetricKind
from tests.analysis.data import ratio_cohorts_write
from tests.api.analysed import analyse, analysed_experiment
from tests.stats.test_ratio_cuped import GBSTATS_CASES

URL = "/api/v1/results/"
CONTROL, TREATMENT = GBSTATS_CASES["two arms"]["arms"]
THETA, LIFT, LOW, HIGH, P = GBSTATS_CASES["two arms"]["gbstats"][0][:5]


def test_a_ratio_metrics_cuped_block_is_in_the_flat_results(as_user, people):
    experiment = analysed_experiment(people)
    metric = Metric.objects.create(name="Revenue per order", kind=MetricKind.RATIO)
    experiment_metric_attach(
        experiment=experiment, metric=metric, role=MetricRole.SECONDARY, user=people.owner
    )
    ratio_cohorts_write(experiment, metric, {"A": CONTROL, "B": TREATMENT})
    analyse(experiment, people.owner)
    rows = {
        (r["metric"], r["variant"]): r for r in as_user(people.viewer).get(URL).json()["results"]
    }
    treatment = rows[("Revenue per order", "B")]
    assert (treatment["cuped_theta"], treatment["cuped_relative_effect"]) == (
        pytest.approx(THETA, rel=1e-9),
        pytest.approx(LIFT, rel=1e-9),
    )
    assert (treatment["cuped_relative_ci_lower"], treatment["cuped_relative_ci_upper"]) == (
        pytest.approx(LOW, rel=1e-9),
        pytest.approx(HIGH, rel=1e-9),
    )
    assert treatment["cuped_p_value"] == pytest.approx(P, rel=1e-6)
    assert 0.5 < treatment["cuped_variance_reduction"] < 1
    assert rows[("Revenue", "B")]["cuped_theta"] == pytest.approx(0.5)  # the mean metric's
    assert rows[("Revenue per order", "A")]["cuped_theta"] is None  # the control has no lift
    assert rows[("Order conversion", "B")]["cuped_relative_effect"] is None
