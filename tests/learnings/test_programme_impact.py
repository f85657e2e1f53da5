"""Programme impact: shipped tests' lifts per KPI node, raw beside shrunk, from stored results."""

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.services.runs import analysis_request
from experiments.models import Decision, Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_transition
from learnings.impact import programme_impact
from tests.analysis.data import cohorts_write
from tests.factories import READY_DOCUMENTATION, experiment_make, metric_make

B_CONVERSIONS = [90, 56, 52, 48, 60]  # A converts 50 of 1,000 a day: +80%, +12%, +4%, -4%, +20%


@pytest.fixture
def shipped(people, django_capture_on_commit_callbacks):
    made = []
    orders = metric_make()
    for i, conversions in enumerate(B_CONVERSIONS):
        data = {**READY_DOCUMENTATION, "title": f"Shipped test {i}"}
        experiment = experiment_make(people, **data)
        experiment_metric_attach(
            experiment=experiment, metric=orders, role=MetricRole.PRIMARY, user=people.owner
        )
        Experiment.objects.filter(pk=experiment.pk).update(
            plan_sample_size_per_variant=31000, plan_days=16
        )
        experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
        cohorts_write(experiment, b_conversions=conversions)
        with django_capture_on_commit_callbacks(execute=True):
            analysis_request(experiment=experiment, trigger="manual")
        made.append(experiment.pk)
    # the conclusion itself is not under test here: mark them shipped directly
    Experiment.objects.filter(pk__in=made).update(
        decision=Decision.SHIP, concluded_at=timezone.now(), learning="Shipped."
    )
    return made


def test_the_luckiest_winner_is_pulled_down_and_the_total_shrinks(shipped):
    [node] = programme_impact()
    assert node.node == "Order conversion"
    assert len(node.tests) == 5
    by_title = {t.experiment.title: t.lift for t in node.tests}
    best = by_title["Shipped test 0"]
    assert best.raw == pytest.approx(0.8, abs=0.01)
    assert best.value < best.raw
    assert node.shrunk_total < node.raw_total
    # the worst one is pulled up towards the programme's mean
    assert by_title["Shipped test 3"].value > by_title["Shipped test 3"].raw
    low, high = node.shrunk_interval
    assert low < node.shrunk_total < high


def test_the_programme_page_shows_raw_and_shrunk_side_by_side(client, people, shipped):
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:programme"))
    assert response.status_code == 200
    assert "Order conversion" in response.text
    assert "Raw total" in response.text and "Shrunk total" in response.text
    assert "Shipped test 0" in response.text


def test_the_programme_page_needs_a_sign_in(client):
    response = client.get(reverse("learnings:programme"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
