"""The query count of a list request does not grow with the page size (no N+1)."""

from django.utils import timezone

from experiments.models import Experiment, ExperimentMetric, Tag, Variant
from metrics.ingestion.sources import data_source_save
from metrics.models import DataLoad, DataSource
from tests.api.conftest import queries_for
from tests.factories import experiment_make, idea_make, metric_make


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


def learnings_make(people, count: int) -> None:
    """Concluded tests with a learning, a tag and a primary metric each."""
    experiments_make(people, count)
    Experiment.objects.filter(status="draft").update(
        status="concluded",
        decision="ship",
        learning="Shipping costs scare buyers away.",
        started_at=timezone.now(),
        stopped_at=timezone.now(),
        concluded_at=timezone.now(),
    )


def test_learning_list_queries_are_constant_in_the_page_size(as_user, people):
    client = as_user(people.viewer)
    learnings_make(people, 5)
    five = queries_for(client, "/api/v1/learnings/?page_size=50")
    learnings_make(people, 45)
    assert client.get("/api/v1/learnings/?page_size=50").json()["count"] == 50
    assert queries_for(client, "/api/v1/learnings/?page_size=50") == five
    assert queries_for(client, "/api/v1/learnings/?page_size=50&q=shipping") == five


def loads_make(people, count: int) -> None:
    experiment = experiment_make(people, title=f"Loaded {count}")
    DataLoad.objects.bulk_create(
        DataLoad(experiment=experiment, kind="file", created_by=people.owner) for _ in range(count)
    )


def test_data_load_list_queries_are_constant_in_the_page_size(as_user, people):
    client = as_user(people.viewer)
    loads_make(people, 5)
    five = queries_for(client, "/api/v1/data-loads/?page_size=50")
    loads_make(people, 45)
    assert client.get("/api/v1/data-loads/?page_size=50").json()["count"] == 50
    assert queries_for(client, "/api/v1/data-loads/?page_size=50") == five


def sources_make(people, count: int) -> None:
    for number in range(count):
        team = people.team if number % 2 else people.other_team
        source = DataSource(name=f"Warehouse {count}.{number}", team=team)
        data_source_save(source=source, url="postgresql://u:p@db/shop", user=people.analyst)


def test_data_source_list_queries_are_constant_in_the_page_size(as_user, people):
    client = as_user(people.viewer)
    sources_make(people, 5)
    five = queries_for(client, "/api/v1/data-sources/?page_size=50")
    sources_make(people, 45)
    assert client.get("/api/v1/data-sources/?page_size=50").json()["count"] == 50
    assert queries_for(client, "/api/v1/data-sources/?page_size=50") == five
