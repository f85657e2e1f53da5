"""Ingestion fixtures: tasks run in-process here; tests/integration proves a real worker."""

import pytest

from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from metrics.models import MetricKind
from tests.factories import experiment_make, metric_make


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def outcome_experiment_make(people) -> Experiment:
    """A ready draft (A control, B) with conversion, revenue (mean) and revenue per order."""
    experiment = experiment_make(people, ready=True)
    for name, kind in (("Revenue", MetricKind.MEAN), ("Revenue per order", MetricKind.RATIO)):
        experiment_metric_attach(
            experiment=experiment,
            metric=metric_make(name, kind),
            role=MetricRole.SECONDARY,
            user=people.owner,
        )
    return experiment


@pytest.fixture
def outcome_experiment(people, media):
    return outcome_experiment_make(people)


FULL_MAPPING = {
    "user": "user_id",
    "variant": "group",
    "date": "day",
    "metrics": {
        "Order conversion": {"column": "converted"},
        "Revenue": {"column": "revenue", "pre": "pre_revenue"},
        "Revenue per order": {"column": "revenue", "denominator": "orders"},
    },
}
