"""Query-string filters: an unknown, empty, repeated or malformed parameter is a 400 naming it,
never an unfiltered answer that looks like a filtered one."""

import pytest

from experiments.models import Experiment
from tests.api.analysed import analysed_experiment
from tests.factories import experiment_make


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/experiments/?colour=red", "colour"),
        ("/api/v1/experiments/?status=", "status"),
        ("/api/v1/experiments/?team=", "team"),
        ("/api/v1/experiments/?status=running&status=draft", "status"),
        ("/api/v1/experiments/?created_after=notadate", "created_after"),
        ("/api/v1/ideas/?min_score=", "min_score"),
        ("/api/v1/sprints/?starts_after=", "starts_after"),
        ("/api/v1/learnings/?created_after=notadate", "created_after"),
        ("/api/v1/metrics/?teams=1", "teams"),
        ("/api/v1/results/?experimentt=6", "experimentt"),
        ("/api/v1/experiments/?page_size=null", "page_size"),
        ("/api/v1/experiments/?page_size=0", "page_size"),
        ("/api/v1/ideas/?page_size=²", "page_size"),
        ("/api/v1/teams/?page=1&page=2", "page"),
    ],
)
def test_a_parameter_the_list_cannot_read_is_a_400_naming_it(as_user, people, url, parameter):
    response = as_user(people.viewer).get(url)
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_an_unknown_filter_lists_the_real_ones(as_user, people):
    response = as_user(people.viewer).get("/api/v1/sprints/", {"state": "active"})
    names = "q, starts_after, starts_before, status, team"
    assert response.json() == {
        "state": [f"This list has no such filter. Its filters are: {names}."]
    }


def test_a_list_without_filters_refuses_any(as_user, people):
    experiment = experiment_make(people)
    url = f"/api/v1/experiments/{experiment.id}/variants/"
    response = as_user(people.viewer).get(url, {"is_control": "true"})
    assert response.status_code == 400
    assert response.json() == {"is_control": ["This list has no filters."]}
    assert as_user(people.viewer).get(url, {"format": "csv"}).status_code == 200


def test_paging_the_csv_and_an_empty_search_are_still_read(as_user, people):
    experiment_make(people)
    client = as_user(people.viewer)
    response = client.get("/api/v1/experiments/", {"q": "", "page": 1, "page_size": 10})
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert client.get("/api/v1/experiments/", {"format": "csv"}).status_code == 200


def test_results_filter_on_their_experiment(as_user, people):
    first = analysed_experiment(people)
    second = analysed_experiment(people, title="A second test")
    client = as_user(people.viewer)
    assert client.get("/api/v1/results/").json()["count"] == 8
    response = client.get("/api/v1/results/", {"experiment": second.id})
    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert {row["experiment_id"] for row in response.json()["results"]} == {second.id}
    assert Experiment.objects.filter(pk=first.pk).exists()
