"""Alert fixtures: a running, planned test with a guardrail, analysed in-process."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.models import Trigger
from analysis.services import analysis_request
from experiments.models import MetricRole
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_transition
from metrics.models import MetricKind, OutcomeCohort, OutcomeSource
from tests.analysis.data import binomial
from tests.factories import experiment_make, metric_make


@pytest.fixture
def emails(people):
    """Everyone in the fixture teams has an address, so e-mails can be counted per person."""
    for user in vars(people).values():
        if hasattr(user, "email"):
            user.email = f"{user.username}@example.com"
            user.save(update_fields=["email"])
    return people


@pytest.fixture
def running(emails):
    """Planned for 31,000 users per variant; conversion primary, unsubscribes guardrail."""
    people = emails
    experiment = experiment_make(people, ready=True)
    experiment_metric_attach(
        experiment=experiment,
        metric=metric_make("Unsubscribes", MetricKind.BINOMIAL, good_direction="decrease"),
        role=MetricRole.GUARDRAIL,
        user=people.owner,
    )
    return experiment_transition(experiment=experiment, user=people.owner, action="start")


@pytest.fixture
def analyse(django_capture_on_commit_callbacks):
    """Analyse as a load would: after commit, with the alerts and their deliveries it raises."""

    def run(experiment):
        with django_capture_on_commit_callbacks(execute=True):
            analysis_request(experiment=experiment, trigger=Trigger.MANUAL)

    return run


def data_add(
    experiment, *, days: int, b_conversions: int = 50, b_unsubscribes: int = 50, day_offset=0
):
    """Days of 1,000 users per variant; A converts and unsubscribes 50 a day, B as given."""
    first = timezone.localtime(experiment.started_at).date() + timedelta(days=day_offset)
    rows = []
    for variant in experiment.variants.all():
        for link in experiment.experiment_metrics.select_related("metric"):
            count = 50
            if not variant.is_control:
                count = b_unsubscribes if link.role == MetricRole.GUARDRAIL else b_conversions
            rows += [
                OutcomeCohort(
                    experiment=experiment,
                    variant=variant,
                    metric=link.metric,
                    exposure_date=first + timedelta(days=day),
                    source=OutcomeSource.PUSH,
                    **binomial(count),
                )
                for day in range(days)
            ]
    OutcomeCohort.objects.bulk_create(rows)


def split_break(experiment):
    """B receives 20% more users than planned: a broken split."""
    OutcomeCohort.objects.filter(experiment=experiment, variant__is_control=False).update(n=1200)
