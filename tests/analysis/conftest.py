"""Analysis fixtures: tasks run in-process here; tests/integration proves real workers."""

import pytest

from experiments.models import MetricRole
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_transition
from metrics.models import MetricKind
from tests.analysis.data import cohorts_write
from tests.factories import experiment_make, metric_make


@pytest.fixture(autouse=True)
def eager_tasks():
    from growthlab.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The shared `people` fixture hashes ten passwords; the real hasher takes ~1 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def running(people):
    """A running test (A control, B) with conversion (primary) and revenue (secondary)."""
    experiment = experiment_make(people, ready=True)
    experiment_metric_attach(
        experiment=experiment, metric=metric_make("Revenue", MetricKind.MEAN),
        role=MetricRole.SECONDARY, user=people.owner,
    )  # fmt: skip
    return experiment_transition(experiment=experiment, user=people.owner, action="start")


@pytest.fixture
def with_data(running):
    cohorts_write(running)
    return running
