"""Analysis fixtures: tasks run in-process here; tests/integration proves real workers."""

import pytest

from experiments.models import MetricRole
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_transition
from metrics.models import MetricKind
from tests.analysis.data import cohorts_write
from tests.factories import experiment_make, metric_make


@pytest.fixture
def running(people):
    """A running test (A control, B) with conversion (primary) and revenue (secondary)."""
    experiment = experiment_make(people, ready=True)
    experiment_metric_attach(
        experiment=experiment,
        metric=metric_make("Revenue", MetricKind.MEAN),
        role=MetricRole.SECONDARY,
        user=people.owner,
    )
    return experiment_transition(experiment=experiment, user=people.owner, action="start")


@pytest.fixture
def with_data(running):
    cohorts_write(running)
    return running
