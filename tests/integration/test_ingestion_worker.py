"""Outcome loads through PostgreSQL, Redis and a real `celery worker` process (not eager)."""

import pytest

from metrics.ingestion.services import data_load_create, upload_store
from metrics.models import DataLoad, OutcomeCohort
from tests.ingestion.rows import csv_bytes, expected_totals, user_rows
from tests.integration.conftest import finished

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MAPPING = {
    "user": "user_id",
    "variant": "group",
    "date": "day",
    "metrics": {
        "Revenue": {"column": "revenue", "pre": "pre_revenue"},
        "Order conversion": {"column": "converted"},
    },
}


def load_file(experiment, user, data: bytes, worker) -> DataLoad:
    stored_name, digest = upload_store(chunks=[data])
    load = data_load_create(
        experiment=experiment,
        user=user,
        kind=DataLoad.Kind.FILE,
        stored_name=stored_name,
        content_sha256=digest,
        mapping=MAPPING,
    )
    return finished(load, worker)


def stored(experiment) -> dict:
    rows = OutcomeCohort.objects.filter(experiment=experiment, metric__name="Revenue")
    return {(c.variant.name, c.exposure_date): c for c in rows.select_related("variant")}


def test_worker_stores_the_statistics_of_the_uploaded_rows(worker, people, outcome_experiment):
    rows = user_rows(600)
    load = load_file(outcome_experiment, people.owner, csv_bytes(rows), worker)
    assert (load.status, load.rows_read, load.progress_percent) == ("succeeded", 600, 100)
    saved = stored(outcome_experiment)
    for key, want in expected_totals(rows).items():
        assert saved[key].n == want["n"]
        assert saved[key].sum == pytest.approx(want["rev_sum"])
        assert saved[key].sum_squares == pytest.approx(want["rev_sum_squares"])
        assert saved[key].post_pre_sum_products == pytest.approx(want["post_pre"])
    assert len(saved) == len(expected_totals(rows))


def test_loading_twice_leaves_the_same_statistics(worker, people, outcome_experiment):
    data = csv_bytes(user_rows(300))
    load_file(outcome_experiment, people.owner, data, worker)
    first = {k: (c.n, c.sum, c.sum_squares) for k, c in stored(outcome_experiment).items()}
    load_file(outcome_experiment, people.owner, data, worker)
    assert {k: (c.n, c.sum, c.sum_squares) for k, c in stored(outcome_experiment).items()} == first
    assert OutcomeCohort.objects.filter(experiment=outcome_experiment).count() == 2 * len(first)


def test_bad_file_is_rejected_with_its_message_and_writes_nothing(
    worker, people, outcome_experiment
):
    rows = user_rows(300)
    rows[99][4] = "N/A"
    load = load_file(outcome_experiment, people.owner, csv_bytes(rows), worker)
    assert load.status == "failed"
    assert [e["text"] for e in load.errors] == [
        "data row 100, column `revenue`: 'N/A' is not a number"
    ]
    assert not OutcomeCohort.objects.exists()
