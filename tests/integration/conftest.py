"""A real `celery worker` process for the ingestion tests, on the test database and test Redis.

A cold worker imports Django and polars before it takes work, so the tests of one module share
one worker; each test still starts with an empty database (transactional) and an empty media
folder. The worker is stopped by its PID when the module ends, before the next module (the
drills start workers of their own on the same queue).
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from growthlab.celery import app
from metrics.models import DataLoad, OutcomeCohort
from tests.api.conftest import database_url
from tests.ingestion.conftest import outcome_experiment_make
from tests.ingestion.rows import STATISTICS
from tests.integration.processes import process_group_stop

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 120  # a cold worker imports Django and polars first
STOP_SECONDS = 20


@dataclass
class Worker:
    process: subprocess.Popen
    env: dict[str, str]  # the test database, the test Redis and the media folder it reads
    log: Path

    @property
    def media(self) -> Path:
        return Path(self.env["MEDIA_ROOT"])

    def tasks_received(self) -> int:
        """Load tasks this worker took from Redis; the log line is written before the task runs."""
        lines = self.log.read_text().splitlines()
        return sum("data_load_execute_task[" in line and "received" in line for line in lines)

    def stop(self) -> None:
        process_group_stop(self.process, STOP_SECONDS)


def worker_start(folder: Path, queues: str = "ingestion", concurrency: int = 1) -> Worker:
    """A `celery worker` on `queues`, the test database and Redis, with its own media folder."""
    if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
        pytest.fail("integration tests need DATABASE_URL (PostgreSQL) and REDIS_URL")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(folder / "media"),
        "REDIS_URL": django_settings.REDIS_URL,
    }
    app.control.purge()
    log = folder / "worker.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "growthlab",
                "worker",
                "-Q",
                queues,
                "--concurrency",
                str(concurrency),
                "-n",
                f"ingest-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(process, env, log)


@pytest.fixture(scope="module")
def ingestion_worker(django_db_setup, tmp_path_factory):
    worker = worker_start(tmp_path_factory.mktemp("ingestion-worker"))
    yield worker
    worker.stop()


@pytest.fixture
def worker(ingestion_worker, transactional_db, settings):
    """The module's worker, with an empty media folder that this test's uploads share."""
    if app.conf.task_always_eager:
        pytest.fail("mark the test `integration`, or its tasks run in this process")
    shutil.rmtree(ingestion_worker.media, ignore_errors=True)
    ingestion_worker.media.mkdir()
    settings.MEDIA_ROOT = ingestion_worker.media
    app.control.purge()  # a message left by an earlier test would only refer to deleted rows
    yield ingestion_worker
    print(ingestion_worker.log.read_text()[-4000:])  # shown by pytest when a test fails


def finished(load: DataLoad, worker: Worker) -> DataLoad:
    """The load once it succeeded or failed; the test fails if the worker died or took too long."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        load.refresh_from_db()
        if load.is_done:
            return load
        assert worker.process.poll() is None, "the worker exited"
        time.sleep(0.2)
    pytest.fail(f"load {load.pk} still {load.status} after {WAIT_SECONDS} s")


@pytest.fixture
def outcome_experiment(people):
    """A ready draft (A control, B) with conversion, revenue (mean) and revenue per order."""
    return outcome_experiment_make(people)


def stored_statistics(experiment) -> dict:
    """{(metric, variant, day): statistics} of the cohorts stored for the experiment."""
    cohorts = OutcomeCohort.objects.filter(experiment=experiment).select_related(
        "metric", "variant"
    )
    return {
        (c.metric.name, c.variant.name, c.exposure_date): {s: getattr(c, s) for s in STATISTICS}
        for c in cohorts
    }


def assert_stored(experiment, expected: dict, *, source: str) -> None:
    """The experiment's cohorts are exactly `expected`, one row per key, all from `source`."""
    stored = stored_statistics(experiment)
    cohorts = OutcomeCohort.objects.filter(experiment=experiment)
    assert cohorts.count() == len(stored)  # a reload replaced its rows, never doubled them
    assert set(cohorts.values_list("source", flat=True)) == {source}
    assert set(stored) == set(expected)
    for key, statistics in expected.items():
        assert stored[key] == pytest.approx(statistics), key
