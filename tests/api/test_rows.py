"""The experiment list builds its rows without DRF; they must equal ExperimentSerializer's."""

import csv
import io
import json
from datetime import timedelta

from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from experiments.api.filters import experiments
from experiments.api.rows import experiment_list_rows, experiment_rows
from experiments.api.serializers import ExperimentSerializer
from experiments.models import Experiment, MetricRole, Variant
from experiments.services.experiments import experiment_metric_attach
from sprints.models import Sprint
from tests.factories import experiment_make, idea_make, metric_make

EXPERIMENTS = "/api/v1/experiments/"


def serializer_rows() -> list[dict]:
    """What ExperimentSerializer writes for the list, as JSON would carry it."""
    request = APIRequestFactory().get(EXPERIMENTS)  # its host is testserver, as the client's
    data = ExperimentSerializer(experiments(), many=True, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


def filled_experiment(people) -> Experiment:
    """A test with every field the list writes set: owner's name, idea, sprint, tags, files."""
    people.owner.first_name, people.owner.last_name = "Oskar", "Dahl"
    people.owner.save(update_fields=["first_name", "last_name"])
    experiment = experiment_make(people, ready=True)
    today = timezone.localdate()
    sprint = Sprint.objects.create(
        team=people.team, number=1, starts_on=today, ends_on=today + timedelta(days=20)
    )
    Experiment.objects.filter(pk=experiment.pk).update(
        sprint=sprint,
        idea=idea_make(people),
        planned_start=today,
        planned_end=today + timedelta(days=21),
        started_at=timezone.now(),
        status="running",
    )
    experiment.variants.filter(is_control=False).update(
        screenshot="screenshots/2026/11/banner.png", traffic_share="33.33"
    )
    guardrail = metric_make("Refund rate", unit="%")
    experiment_metric_attach(
        experiment=experiment, metric=guardrail, role=MetricRole.GUARDRAIL, user=people.owner
    )
    experiment.tags.create(name="pricing")
    experiment.tags.create(name="cart")
    return experiment


def test_list_rows_equal_the_serializers_field_for_field(as_user, people):
    experiment = filled_experiment(people)
    bare = experiment_make(people, title="No owner, no metrics")
    Experiment.objects.filter(pk=bare.pk).update(owner=None)
    body = as_user(people.viewer).get(EXPERIMENTS).json()
    expected = serializer_rows()
    assert body["results"] == expected
    assert [list(row) for row in body["results"]] == [list(row) for row in expected]
    rows = {row["id"]: row for row in body["results"]}
    filled = rows[experiment.id]
    assert filled["owner"]["name"] == "Oskar Dahl"
    assert filled["tags"] == ["cart", "pricing"]
    assert filled["variants"][1]["screenshot"].startswith("http://testserver/")
    assert filled["variants"][1]["traffic_share"] == "33.33"
    assert [link["role"] for link in filled["metrics"]] == ["guardrail", "primary"]
    assert rows[bare.id]["owner"] is None


def test_a_page_of_rows_is_the_serializers_output_byte_for_byte(people):
    """Varied tests (running with a sprint, drafts with odd shares, no owner) render to the
    very bytes ExperimentSerializer's output renders to, keys in the same order."""
    filled = filled_experiment(people)
    primary = filled.experiment_metrics.get(role=MetricRole.PRIMARY).metric
    for number in range(24):
        experiment = experiment_make(people, title=f"Test {number}")
        experiment.variants.filter(is_control=True).update(traffic_share=f"{40 + number}.5")
        if number % 2 == 0:
            experiment_metric_attach(
                experiment=experiment, metric=primary, role=MetricRole.PRIMARY, user=people.owner
            )
        if number % 3 == 0:
            Experiment.objects.filter(pk=experiment.pk).update(
                owner=None, plan_baseline=0.1 + number / 1000, stopped_at=timezone.now()
            )
    request = APIRequestFactory().get(EXPERIMENTS)
    ids = list(Experiment.objects.order_by("-updated_at", "-id").values_list("id", flat=True))
    fast = experiment_rows(list(experiment_list_rows(ids)), request=request)
    assert len(fast) == 25
    assert JSONRenderer().render(fast) == JSONRenderer().render(serializer_rows())


def test_export_spanning_several_chunks_keeps_every_row_in_order(as_user, people, monkeypatch):
    monkeypatch.setattr("growthlab.rest.export.STREAM_CHUNK_ROWS", 2)
    for number in range(5):
        experiment_make(people, title=f"Test {number}")
    response = as_user(people.viewer).get(EXPERIMENTS, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["title"] for row in rows] == [f"Test {number}" for number in reversed(range(5))]
    assert {row["variants"].count('"name"') for row in rows} == {2}


def test_variant_added_later_appears_in_the_next_list(as_user, people):
    experiment = experiment_make(people)
    client = as_user(people.viewer)
    assert len(client.get(EXPERIMENTS).json()["results"][0]["variants"]) == 2
    Variant.objects.create(experiment=experiment, name="C", traffic_share=10)
    assert len(client.get(EXPERIMENTS).json()["results"][0]["variants"]) == 3
