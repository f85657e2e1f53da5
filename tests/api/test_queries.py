"""The query count of a list request does not grow with the page size (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from experiments.models import Experiment, ExperimentMetric, Tag, Variant
from tests.factories import idea_make, metric_make


def experiments_make(people, count: int) -> None:
    metric = metric_make(f"Conversion {count}")
    tag = Tag.objects.create(name=f"tag-{count}")
    made = Experiment.objects.bulk_create(
        Experiment(team=people.team, owner=people.owner, title=f"Test {i}") for i in range(count)
    )
    Variant.objects.bulk_create(
        Variant(experiment=e, name=name, is_control=name == "A") for e in made for name in "AB"
    )
    ExperimentMetric.objects.bulk_create(
        ExperimentMetric(experiment=e, metric=metric, role="primary") for e in made
    )
    for experiment in made:
        experiment.tags.add(tag)


def queries_for(client, url: str) -> int:
    client.get(url)  # the token's first use of the minute writes last_used_at once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_experiment_list_queries_are_constant_in_the_page_size(as_user, people):
    client = as_user(people.viewer)
    experiments_make(people, 5)
    five = queries_for(client, "/api/v1/experiments/?page_size=50")
    experiments_make(people, 45)
    fifty = queries_for(client, "/api/v1/experiments/?page_size=50")
    assert client.get("/api/v1/experiments/?page_size=50").json()["count"] == 50
    assert five == fifty


def test_idea_list_queries_are_constant_in_the_page_size(as_user, people):
    client = as_user(people.viewer)
    for number in range(5):
        idea_make(people, title=f"Idea {number}")
    five = queries_for(client, "/api/v1/ideas/?page_size=50")
    for number in range(45):
        idea_make(people, title=f"More {number}")
    assert queries_for(client, "/api/v1/ideas/?page_size=50") == five
