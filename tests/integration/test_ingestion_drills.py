"""Fault drill: a real `celery worker` killed mid-load, the watchdog, and a new worker.

The worker runs GrowthLab's Celery app (tests/integration/test_ingestion_drill_app.py adds
a pause and a count of saves) on the test database and the test Redis. The watchdog runs in
the test process as beat would run it, with a threshold of seconds, not a minute.
"""

import os
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
from jobs.watchdog import watchdog_sweep
from metrics.ingestion.services import data_load_create, upload_store
from metrics.jobs import DATA_LOADS
from metrics.models import DataLoad, MetricKind, OutcomeCohort
from metrics.tasks import data_load_execute_task
from tests.api.conftest import database_url
from tests.factories import experiment_make, metric_make
from tests.ingestion.rows import csv_bytes, expected_totals, user_rows
from tests.integration.processes import process_group_kill, process_group_stop, worker_logs

pytestmark = [pytest.mark.integration, pytest.mark.drill, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BOUND_SECONDS = 90  # the whole drill: two cold workers, the kill, the watchdog, the load
START_SECONDS = 45  # a cold worker imports Django and polars before it takes work
HEARTBEAT_STALE = 4  # seconds; the worker beats every 2
SETTLE_SECONDS = 2  # after the save: long enough for the duplicate message to be handled
MAPPING = {
    "user": "user_id",
    "variant": "group",
    "date": "day",
    "metrics": {"Revenue": {"column": "revenue", "pre": "pre_revenue"}},
}


class Workers:
    """Celery workers in their own process groups, each stopped by its PID at teardown."""

    def __init__(self, tmp_path: Path, media: Path, broker_url: str):
        self.dir, self.media, self.broker_url = tmp_path, media, broker_url
        self.saved_file = tmp_path / "saved.log"
        self.processes: list[subprocess.Popen] = []

    def start(self, *, pause: float, concurrency: int = 1) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker_url,
            "MEDIA_ROOT": str(self.media),
            "INGESTION_DRILL_PAUSE": str(pause),
            "INGESTION_DRILL_SAVED_FILE": str(self.saved_file),
        }
        log = open(self.dir / f"worker-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.integration.test_ingestion_drill_app",
                "worker",
                "-Q",
                "ingestion",
                "--concurrency",
                str(concurrency),
                "-n",
                f"ingest-drill-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill_group(self, process: subprocess.Popen) -> None:
        process_group_kill(process)

    def saves(self) -> list[str]:
        return self.saved_file.read_text().splitlines() if self.saved_file.exists() else []

    def logs(self) -> str:
        return worker_logs(self.dir)

    def stop(self) -> None:
        for process in self.processes:
            process_group_stop(process)


@pytest.fixture
def workers(transactional_db, tmp_path, settings):
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
        pytest.fail("drills need DATABASE_URL (PostgreSQL) and REDIS_URL")
    settings.MEDIA_ROOT = tmp_path / "media"
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    run = Workers(tmp_path, settings.MEDIA_ROOT, settings.CELERY_BROKER_URL)
    yield run
    run.stop()
    app.conf.task_always_eager = before
    print(run.logs())  # shown by pytest when the drill fails


def wait_for(predicate, seconds: float, message: str, workers: Workers, every=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if every:
            every()
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"{message} within {seconds} s\n{workers.logs()}")


def status_of(load: DataLoad) -> str:
    load.refresh_from_db()
    return load.status


@pytest.fixture
def revenue_test(people):
    experiment = experiment_make(people, ready=True)
    experiment_metric_attach(
        experiment=experiment,
        metric=metric_make("Revenue", MetricKind.MEAN),
        role=MetricRole.SECONDARY,
        user=people.owner,
    )
    return experiment


def load_started(experiment, user, rows) -> DataLoad:
    stored_name, digest = upload_store(chunks=[csv_bytes(rows)])
    return data_load_create(
        experiment=experiment,
        user=user,
        kind=DataLoad.Kind.FILE,
        stored_name=stored_name,
        content_sha256=digest,
        mapping=MAPPING,
    )


def watchdog(requeued: list[int]):
    def sweep() -> None:
        requeued.extend(watchdog_sweep(DATA_LOADS, heartbeat_stale=HEARTBEAT_STALE).requeued)

    return sweep


def stored_revenue(experiment) -> dict:
    cohorts = OutcomeCohort.objects.filter(experiment=experiment).select_related("variant")
    return {(c.variant.name, c.exposure_date): c for c in cohorts}


def test_a_load_whose_worker_is_killed_completes_once_after_the_watchdog(
    workers, people, revenue_test
):
    started, rows, requeued = time.monotonic(), user_rows(600), []
    first = workers.start(pause=120)  # long enough to be killed mid-load
    load = load_started(revenue_test, people.owner, rows)
    wait_for(
        lambda: status_of(load) == "running", START_SECONDS, "no worker took the load", workers
    )
    workers.kill_group(first)
    wait_for(
        lambda: requeued == [load.id],
        15,
        "the watchdog requeued nothing",
        workers,
        every=watchdog(requeued),
    )
    data_load_execute_task.delay(load.id)  # a duplicate message too: only one may run the load
    workers.start(pause=1, concurrency=2)
    wait_for(
        lambda: status_of(load) == "succeeded",
        START_SECONDS,
        "the load did not complete",
        workers,
        every=watchdog(requeued),
    )

    # The worker notes its save just after the commit the test has just seen: wait for the
    # note, then give a stray duplicate time to (wrongly) save a second time.
    wait_for(workers.saves, 10, "the worker never noted its save", workers)
    time.sleep(SETTLE_SECONDS)

    assert time.monotonic() - started < BOUND_SECONDS
    assert (load.attempts, load.rows_read, load.progress_percent) == (2, 600, 100)
    assert (workers.saves(), requeued) == ([f"saved {load.id}"], [load.id])
    saved, expected = stored_revenue(revenue_test), expected_totals(rows)
    assert set(saved) == set(expected)
    for key, want in expected.items():
        assert saved[key].n == want["n"]
        assert saved[key].sum == pytest.approx(want["rev_sum"])
        assert saved[key].sum_squares == pytest.approx(want["rev_sum_squares"])
        assert saved[key].post_pre_sum_products == pytest.approx(want["post_pre"])
