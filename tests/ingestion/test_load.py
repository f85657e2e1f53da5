"""Loads through the services (tasks in-process): statistics stored, nothing half-saved."""

from datetime import date

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError

from metrics.ingestion import services
from metrics.ingestion.services import data_load_create, upload_path, upload_store
from metrics.models import DataLoad, OutcomeCohort
from tests.ingestion.conftest import FULL_MAPPING
from tests.ingestion.rows import csv_bytes, expected_totals, user_rows

pytestmark = pytest.mark.django_db


def load_csv(experiment, user, data: bytes, capture, mapping=FULL_MAPPING) -> DataLoad:
    stored_name, digest = upload_store(chunks=[data])
    with capture(execute=True):
        load = data_load_create(
            experiment=experiment,
            user=user,
            kind=DataLoad.Kind.FILE,
            stored_name=stored_name,
            original_name="outcomes.csv",
            content_sha256=digest,
            mapping=mapping,
        )
    load.refresh_from_db()
    return load


def stored(experiment) -> dict:
    return {
        (c.metric.name, c.variant.name, c.exposure_date): (
            c.n,
            c.sum,
            c.sum_squares,
            c.den_sum,
            c.pre_sum,
            c.post_pre_sum_products,
        )
        for c in OutcomeCohort.objects.filter(experiment=experiment).select_related(
            "metric", "variant"
        )
    }


def test_upload_stores_the_statistics_of_its_rows(
    outcome_experiment, people, django_capture_on_commit_callbacks
):
    rows = user_rows()
    load = load_csv(
        outcome_experiment, people.owner, csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert (load.status, load.progress_percent, load.rows_read) == ("succeeded", 100, len(rows))
    saved = stored(outcome_experiment)
    for (variant, day), want in expected_totals(rows).items():
        n, total, squares, _, pre, post_pre = saved[("Revenue", variant, day)]
        assert n == want["n"]
        assert total == pytest.approx(want["rev_sum"])
        assert squares == pytest.approx(want["rev_sum_squares"])
        assert pre == pytest.approx(want["pre_sum"])
        assert post_pre == pytest.approx(want["post_pre"])
        assert saved[("Order conversion", variant, day)][1] == pytest.approx(want["conv_sum"])
        assert saved[("Revenue per order", variant, day)][3] == pytest.approx(want["orders_sum"])
    assert load.cohorts_written == len(saved) == 3 * 2 * 3  # metrics x variants x days


def test_loading_the_same_file_twice_leaves_the_same_statistics(
    outcome_experiment, people, django_capture_on_commit_callbacks
):
    data = csv_bytes(user_rows())
    load_csv(outcome_experiment, people.owner, data, django_capture_on_commit_callbacks)
    first = stored(outcome_experiment)
    load_csv(outcome_experiment, people.owner, data, django_capture_on_commit_callbacks)
    assert stored(outcome_experiment) == first


def test_a_new_file_replaces_only_the_days_it_holds(
    outcome_experiment, people, django_capture_on_commit_callbacks
):
    rows = user_rows()
    load_csv(outcome_experiment, people.owner, csv_bytes(rows), django_capture_on_commit_callbacks)
    first = stored(outcome_experiment)
    last_day = [row for row in rows if row[2] == "2024-03-03"][:40]
    load_csv(
        outcome_experiment, people.owner, csv_bytes(last_day), django_capture_on_commit_callbacks
    )
    after = stored(outcome_experiment)
    assert {k: v for k, v in after.items() if k[2] != date(2024, 3, 3)} == {
        k: v for k, v in first.items() if k[2] != date(2024, 3, 3)
    }
    assert (
        sum(v[0] for k, v in after.items() if k[0] == "Revenue" and k[2] == date(2024, 3, 3)) == 40
    )


def test_rejected_file_keeps_the_previous_statistics_and_writes_nothing(
    outcome_experiment, people, django_capture_on_commit_callbacks
):
    rows = user_rows()
    load_csv(outcome_experiment, people.owner, csv_bytes(rows), django_capture_on_commit_callbacks)
    before = stored(outcome_experiment)
    rows[10][4] = "N/A"
    load = load_csv(
        outcome_experiment, people.owner, csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert load.status == "failed"
    assert [e["text"] for e in load.errors] == [
        "data row 11, column `revenue`: 'N/A' is not a number"
    ]
    assert stored(outcome_experiment) == before
    assert not OutcomeCohort.objects.filter(load=load).exists()


def test_failure_while_saving_keeps_the_previous_statistics(
    outcome_experiment, people, django_capture_on_commit_callbacks, monkeypatch
):
    data = csv_bytes(user_rows())
    load_csv(outcome_experiment, people.owner, data, django_capture_on_commit_callbacks)
    before = stored(outcome_experiment)

    def broken_insert(*args, **kwargs):  # the old rows were already deleted in the transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(OutcomeCohort.objects, "bulk_create", broken_insert)
    load_csv(outcome_experiment, people.owner, data, django_capture_on_commit_callbacks)
    assert stored(outcome_experiment) == before
    failed = DataLoad.objects.latest("id")
    assert failed.status == "failed"
    assert [e["text"] for e in failed.errors] == [
        "The load failed on our side (RuntimeError). "
        "Try again, or tell an admin if it happens again."
    ]


def test_a_load_stopped_by_its_time_limit_says_so_and_keeps_the_previous_statistics(
    outcome_experiment, people, django_capture_on_commit_callbacks, monkeypatch
):
    data = csv_bytes(user_rows())
    load_csv(outcome_experiment, people.owner, data, django_capture_on_commit_callbacks)
    before = stored(outcome_experiment)

    def time_limit(load, attempt):  # Celery raises this inside the task at its soft limit
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(services, "reduce_input", time_limit)
    load = load_csv(outcome_experiment, people.owner, data, django_capture_on_commit_callbacks)
    assert (load.status, stored(outcome_experiment)) == ("failed", before)
    assert [e["text"] for e in load.errors] == [
        "The load took longer than its time limit and was stopped. "
        "Try again, or tell an admin if it happens again."
    ]


def test_same_request_while_one_waits_collapses_into_one(
    outcome_experiment, people, media, django_capture_on_commit_callbacks
):
    data = csv_bytes(user_rows(5))
    stored_name, digest = upload_store(chunks=[data])
    again_name, _ = upload_store(chunks=[data])  # the same file uploaded a second time
    request = {
        "experiment": outcome_experiment,
        "user": people.owner,
        "mapping": FULL_MAPPING,
        "kind": DataLoad.Kind.FILE,
        "stored_name": stored_name,
        "content_sha256": digest,
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = data_load_create(**request)  # not committed yet: the task has not run
        second = data_load_create(**{**request, "stored_name": again_name})
    assert second == first
    assert DataLoad.objects.count() == 1
    assert not upload_path(again_name).exists()  # the second copy is not left behind


def test_file_over_the_size_limit_is_refused_and_not_kept(media):
    with pytest.raises(ValidationError, match="over the limit of 10 bytes"):
        upload_store(chunks=[b"0123456789", b"x"], limit=10)
    assert list((media / "uploads").iterdir()) == []


def test_incomplete_mapping_fails_before_anything_is_queued(outcome_experiment, people):
    with pytest.raises(ValidationError, match=r"Pick the column for the date\."):
        data_load_create(
            experiment=outcome_experiment,
            user=people.owner,
            kind=DataLoad.Kind.FILE,
            mapping={**FULL_MAPPING, "date": ""},
        )
    assert not DataLoad.objects.exists()


def test_typed_counts_are_stored(outcome_experiment, people, django_capture_on_commit_callbacks):
    payload = [
        {"metric": "Order conversion", "variant": "A", "users": 1000, "conversions": 50},
        {"metric": "Order conversion", "variant": "B", "users": 1010, "conversions": 64},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        load = data_load_create(
            experiment=outcome_experiment,
            user=people.owner,
            kind=DataLoad.Kind.COUNTS,
            payload=payload,
        )
    load.refresh_from_db()
    assert load.status == "succeeded"
    assert stored(outcome_experiment) == {
        ("Order conversion", "A", None): (1000, 50.0, 50.0, None, None, None),
        ("Order conversion", "B", None): (1010, 64.0, 64.0, None, None, None),
    }
