"""Daily aggregates pushed by a tracking pipeline: idempotent per day, checked before queueing."""

import pytest

from metrics.models import DataLoad, OutcomeCohort
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def day(variant, users, conversions, date="2024-03-01"):
    return {
        "date": date,
        "variant": variant,
        "metric": "Order conversion",
        "users": users,
        "conversions": conversions,
    }


def push(client, experiment, aggregates, capture, user):
    client.login(username=user.username, password=PASSWORD)
    url = f"/api/v1/experiments/{experiment.pk}/aggregates/"
    with capture(execute=True):
        return client.post(url, {"aggregates": aggregates}, content_type="application/json")


def stored():
    return sorted(OutcomeCohort.objects.values_list("exposure_date", "variant__name", "n", "sum"))


def test_push_is_stored_and_a_re_push_replaces_that_day(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    first = [day("A", 100, 5), day("B", 100, 9), day("A", 80, 4, "2024-03-02")]
    response = push(client, outcome_experiment, first, capture, people.owner)
    assert response.status_code == 202
    load = DataLoad.objects.get()
    assert (response.json()["id"], response.json()["status"]) == (load.pk, "queued")
    assert response["Location"] == f"/api/v1/data-loads/{load.pk}/"
    push(client, outcome_experiment, first, capture, people.owner)
    assert len(stored()) == 3
    push(client, outcome_experiment, [day("A", 120, 6), day("B", 110, 10)], capture, people.owner)
    assert [(str(d), v, n, s) for d, v, n, s in stored()] == [
        ("2024-03-01", "A", 120, 6.0),
        ("2024-03-01", "B", 110, 10.0),
        ("2024-03-02", "A", 80, 4.0),
    ]


def test_bad_push_is_a_400_naming_item_and_field_and_writes_nothing(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    response = push(
        client,
        outcome_experiment,
        [day("A", 10, 2), day("Z", 10, 11)],
        django_capture_on_commit_callbacks,
        people.owner,
    )
    assert response.status_code == 400
    assert [e["text"] for e in response.json()["errors"]] == [
        "data row 2, column `variant`: unknown variant 'Z' (1 rows, first in data row 2); "
        "the experiment's variants are 'A', 'B'"
    ]
    assert stored() == []


def test_outsider_cannot_push(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    response = push(
        client,
        outcome_experiment,
        [day("A", 10, 2)],
        django_capture_on_commit_callbacks,
        people.outsider,
    )
    assert response.status_code == 403
    assert stored() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("users", 10**20), ("conversions", 10**20), ("users", -1), ("conversions", 10**12)],
)
def test_a_count_out_of_range_is_a_400_naming_the_field(
    client, people, outcome_experiment, django_capture_on_commit_callbacks, field, value
):
    item = {**day("A", 100, 5), field: value}
    response = push(
        client,
        outcome_experiment,
        [day("B", 10, 1), item],
        django_capture_on_commit_callbacks,
        people.owner,
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["aggregates"]["1"]) == [field]
    assert not DataLoad.objects.exists()
    assert stored() == []


def test_a_mean_total_out_of_range_is_a_400_naming_the_field(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    item = {
        "date": "2024-03-01",
        "variant": "A",
        "metric": "Revenue",
        "users": 10,
        "sum": 1e300,
        "sum_squares": 1e301,
    }
    response = push(
        client, outcome_experiment, [item], django_capture_on_commit_callbacks, people.owner
    )
    assert response.status_code == 400
    assert sorted(response.json()["aggregates"]["0"]) == ["sum", "sum_squares"]
    assert not DataLoad.objects.exists()


def test_a_refused_push_answers_in_the_language_asked_for(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    client.login(username=people.owner.username, password=PASSWORD)
    url = f"/api/v1/experiments/{outcome_experiment.pk}/aggregates/"
    response = client.post(
        url,
        {"aggregates": [day("A", 1200, 30), day("B", 1500, 1600)]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["text"] == (
        "datarivi 2, sarake `conversions`: "
        "1\xa0600 konversiota on enemmän kuin käyttäjiä (1\xa0500)"
    )
    assert not DataLoad.objects.exists()
