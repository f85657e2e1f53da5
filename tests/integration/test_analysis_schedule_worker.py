"""The scheduled refresh through Redis and a real `celery worker` process (not eager)."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from analysis.models import AnalysisRun
from analysis.tasks import scheduled_analysis_refresh_task
from experiments.services.lifecycle import experiment_transition
from growthlab.celery import app
from metrics.ingestion.columns import CohortTotals
from metrics.ingestion.load import cohorts_replace
from metrics.models import OutcomeSource
from tests.analysis.data import cohorts_write
from tests.api.conftest import database_url
from tests.factories import experiment_make
from tests.integration.processes import process_group_stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 120  # a cold worker imports Django, numpy and scipy first


@pytest.fixture
def analysis_worker(tmp_path):
    """One worker on the analysis and scheduled queues, on the test database."""
    if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
        pytest.fail("integration tests need DATABASE_URL (PostgreSQL) and REDIS_URL")
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": django_settings.REDIS_URL}
    app.control.purge()
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "growthlab", "worker"]
    command += ["-Q", "analysis,scheduled", "--concurrency", "1", "--without-gossip"]
    command += ["--without-mingle", "-n", f"schedule-{uuid.uuid4().hex[:8]}@%h", "-l", "INFO"]
    with open(log, "w") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    yield process, log
    process_group_stop(process, 20)
    print(log.read_text()[-4000:])  # shown by pytest when a test fails


def waited(condition, process):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if found := condition():
            return found
        assert process.poll() is None, "the worker exited"
        time.sleep(0.2)
    pytest.fail(f"not done after {WAIT_SECONDS} s")


def succeeded(experiment) -> int:
    return AnalysisRun.objects.filter(experiment=experiment, status="succeeded").count()


def test_a_worker_analyses_a_changed_test_and_skips_and_counts_an_unchanged_one(
    analysis_worker, people
):
    process, log = analysis_worker
    experiment = experiment_transition(
        experiment=experiment_make(people, ready=True), user=people.owner, action="start"
    )
    cohorts_write(experiment)
    scheduled_analysis_refresh_task.delay()
    waited(lambda: succeeded(experiment) == 1, process)
    run = AnalysisRun.objects.get(experiment=experiment)
    scheduled_analysis_refresh_task.delay()
    waited(lambda: AnalysisRun.objects.filter(id=run.id, unchanged_checks=1).exists(), process)
    assert AnalysisRun.objects.filter(experiment=experiment).count() == 1
    assert "1 running tests with data, 1 unchanged" in log.read_text()
    day = timezone.localtime(experiment.started_at).date() + timedelta(days=4)  # the last one
    totals = {"n": 1000, "sum": 70, "sum_squares": 70}
    repush = [
        CohortTotals(variant=name, exposure_date=day, metric="Order conversion", **totals)
        for name in ("A", "B")
    ]
    cohorts_replace(experiment=experiment, source=OutcomeSource.PUSH, cohorts=repush)
    scheduled_analysis_refresh_task.delay()
    waited(lambda: succeeded(experiment) == 2, process)
    newest = AnalysisRun.objects.filter(experiment=experiment).first()
    assert (newest.trigger, newest.results_run_id) == ("schedule", newest.id)
