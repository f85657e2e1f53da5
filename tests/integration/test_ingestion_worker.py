"""Outcome loads through PostgreSQL, Redis and a real `celery worker` process (not eager)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from experiments.models import MetricRole
from experiments.services.experiments import experiment_metric_attach
from growthlab.celery import app
from metrics.ingestion.services import data_load_create, upload_store
from metrics.models import DataLoad, MetricKind, OutcomeCohort
from tests.factories import experiment_make, metric_make
from tests.ingestion.rows import csv_bytes, expected_totals, user_rows

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 120  # a cold worker imports Django and polars first
MAPPING = {"user": "user_id", "variant": "group", "date": "day",
           "metrics": {"Revenue": {"column": "revenue", "pre": "pre_revenue"},
                       "Order conversion": {"column": "converted"}}}  # fmt: skip


def database_url() -> str:
    db = connection.settings_dict  # the test database, e.g. test_growthlab
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, tmp_path, settings):
    """A celery worker on the test database and its own MEDIA_ROOT; stopped by PID after."""
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
        pytest.fail("integration tests need DATABASE_URL (PostgreSQL) and REDIS_URL")
    settings.MEDIA_ROOT = tmp_path / "media"
    app.conf.task_always_eager = False
    app.control.purge()
    env = {**os.environ, "DATABASE_URL": database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "REDIS_URL": settings.CELERY_BROKER_URL}  # fmt: skip
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "growthlab", "worker", "-Q", "ingestion",
         "--concurrency", "1", "-n", f"ingest-{uuid.uuid4().hex[:8]}@%h", "--without-gossip",
         "--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()
    print((tmp_path / "worker.log").read_text()[-4000:])  # shown by pytest when a test fails


def finished(load: DataLoad, worker) -> DataLoad:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        load.refresh_from_db()
        if load.is_done:
            return load
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.2)
    pytest.fail(f"load {load.pk} still {load.status} after {WAIT_SECONDS} s")


def load_file(experiment, user, data: bytes, worker) -> DataLoad:
    stored_name, digest = upload_store(chunks=[data])
    load = data_load_create(
        experiment=experiment, user=user, kind=DataLoad.Kind.FILE,
        stored_name=stored_name, content_sha256=digest, mapping=MAPPING,
    )  # fmt: skip
    return finished(load, worker)


@pytest.fixture
def running_test(people):
    experiment = experiment_make(people, ready=True)
    experiment_metric_attach(experiment=experiment, metric=metric_make("Revenue", MetricKind.MEAN),
                             role=MetricRole.SECONDARY, user=people.owner)  # fmt: skip
    return experiment


def stored(experiment) -> dict:
    rows = OutcomeCohort.objects.filter(experiment=experiment, metric__name="Revenue")
    return {(c.variant.name, c.exposure_date): c for c in rows.select_related("variant")}


def test_worker_stores_the_statistics_of_the_uploaded_rows(worker, people, running_test):
    rows = user_rows(600)
    load = load_file(running_test, people.owner, csv_bytes(rows), worker)
    assert (load.status, load.rows_read, load.progress_percent) == ("succeeded", 600, 100)
    saved = stored(running_test)
    for key, want in expected_totals(rows).items():
        assert saved[key].n == want["n"]
        assert saved[key].sum == pytest.approx(want["rev_sum"])
        assert saved[key].sum_squares == pytest.approx(want["rev_sum_squares"])
        assert saved[key].post_pre_sum_products == pytest.approx(want["post_pre"])
    assert len(saved) == len(expected_totals(rows))


def test_loading_twice_leaves_the_same_statistics(worker, people, running_test):
    data = csv_bytes(user_rows(300))
    load_file(running_test, people.owner, data, worker)
    first = {k: (c.n, c.sum, c.sum_squares) for k, c in stored(running_test).items()}
    load_file(running_test, people.owner, data, worker)
    assert {k: (c.n, c.sum, c.sum_squares) for k, c in stored(running_test).items()} == first
    assert OutcomeCohort.objects.filter(experiment=running_test).count() == 2 * len(first)


def test_bad_file_is_rejected_with_its_message_and_writes_nothing(worker, people, running_test):
    rows = user_rows(300)
    rows[99][4] = "N/A"
    load = load_file(running_test, people.owner, csv_bytes(rows), worker)
    assert load.status == "failed"
    assert [e["text"] for e in load.errors] == ["row 101, column `revenue`: 'N/A' is not a number"]
    assert not OutcomeCohort.objects.exists()
