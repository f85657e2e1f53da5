"""Fault drills: real `celery worker` processes, a private Redis and the test database.

Each drill requests analyses, breaks something mid-way, and asserts that every run ends
succeeded exactly once (one run row, one set of results) within a stated bound. The watchdog
runs in the test process as beat would run it, with thresholds of seconds, not minutes.
"""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from analysis.jobs import ANALYSIS_RUNS
from analysis.models import AnalysisResult, AnalysisRun, RunStatus, Trigger
from analysis.services import analysis_request
from analysis.tasks import analysis_run_execute_task
from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from jobs.watchdog import watchdog_sweep
from metrics.models import MetricKind
from tests.analysis.data import cohorts_write
from tests.conftest import PASSWORD
from tests.factories import experiment_make, metric_make
from tests.integration.analysis_worker import WORKER_APP_NAME, drill  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.drill, pytest.mark.django_db(transaction=True)]

ROWS_PER_RUN = 4  # 2 metrics x 2 variants
BOUND_SECONDS = 45  # every drill's runs all complete within this after the fault
# A cold worker imports Django, numpy and scipy before it takes work: seconds on a quiet
# machine, much longer when other test suites share its two cores.
START_SECONDS = 60


def running_tests(people, count: int) -> list[Experiment]:
    conversion = metric_make("Order conversion")
    revenue = metric_make("Revenue", MetricKind.MEAN)
    experiments = []
    for index in range(count):
        experiment = experiment_make(people, title=f"Drill test {index}")
        for metric, role in ((conversion, MetricRole.PRIMARY), (revenue, MetricRole.SECONDARY)):
            experiment_metric_attach(
                experiment=experiment, metric=metric, role=role, user=people.owner
            )
        Experiment.objects.filter(pk=experiment.pk).update(
            status="running", started_at=timezone.now()
        )
        experiment.refresh_from_db()  # its data starts on the start day, as it would in use
        cohorts_write(experiment, b_conversions=55 + index)
        experiments.append(experiment)
    return experiments


def request_all(experiments) -> list[int]:
    return [analysis_request(experiment=e, trigger=Trigger.SCHEDULE).id for e in experiments]


def status_count(run_ids, status) -> int:
    return AnalysisRun.objects.filter(id__in=run_ids, status=status).count()


def all_succeeded(run_ids):
    return lambda: status_count(run_ids, RunStatus.SUCCEEDED) == len(run_ids)


def watchdog(*, heartbeat_stale=5, queued_stale=10):
    return lambda: watchdog_sweep(
        ANALYSIS_RUNS, heartbeat_stale=heartbeat_stale, queued_stale=queued_stale
    )


def assert_each_completed_exactly_once(run_ids, experiments) -> None:
    assert AnalysisRun.objects.filter(experiment__in=experiments).count() == len(run_ids)
    for run in AnalysisRun.objects.filter(id__in=run_ids):
        assert (run.status, run.results_run_id) == ("succeeded", run.id)
        assert AnalysisResult.objects.filter(run=run).count() == ROWS_PER_RUN


def test_drill_1_killing_a_pool_child_mid_analysis_loses_no_run(drill, people):  # noqa: F811
    """Bound: every run succeeds within 45 s of the kill (heartbeat stale after 5 s)."""
    experiments = running_tests(people, 4)
    worker = drill.worker_start(concurrency=2, pause=3)
    run_ids = request_all(experiments)
    drill.wait(
        lambda: status_count(run_ids, RunStatus.RUNNING) >= 1, START_SECONDS, "no run started"
    )
    os.kill(drill.children(worker)[0], signal.SIGKILL)
    drill.wait(all_succeeded(run_ids), BOUND_SECONDS, "runs did not all succeed", every=watchdog())
    assert_each_completed_exactly_once(run_ids, experiments)
    assert worker.poll() is None  # the worker replaced its child and kept going


def test_drill_2_killing_the_whole_worker_then_starting_another(drill, people):  # noqa: F811
    """Bound: every run succeeds within 45 s of the new worker's start. Runs the dead worker
    held stay running until the watchdog sees their heartbeat stop (5 s); messages it had
    reserved are sent again once their run has waited 10 s."""
    experiments = running_tests(people, 4)
    first = drill.worker_start(concurrency=2, pause=3)
    run_ids = request_all(experiments)
    drill.wait(
        lambda: status_count(run_ids, RunStatus.RUNNING) >= 2, START_SECONDS, "no runs started"
    )
    drill.kill_group(first)
    drill.worker_start(concurrency=2)
    drill.wait(all_succeeded(run_ids), BOUND_SECONDS, "runs did not all succeed", every=watchdog())
    assert_each_completed_exactly_once(run_ids, experiments)


def test_drill_3_stopping_redis_with_runs_queued_and_in_flight(drill, people):  # noqa: F811
    """Bound: every run succeeds within 45 s of Redis coming back. Redis keeps its queue in an
    append-only file; the worker reconnects by itself; the watchdog resends what was lost."""
    experiments = running_tests(people, 4)
    worker = drill.worker_start(concurrency=1, pause=2)
    run_ids = request_all(experiments)
    drill.wait(
        lambda: status_count(run_ids, RunStatus.RUNNING) == 1, START_SECONDS, "no run started"
    )
    drill.redis_stop()
    time.sleep(3)
    drill.redis_start()
    drill.wait(all_succeeded(run_ids), BOUND_SECONDS, "runs did not all succeed", every=watchdog())
    assert_each_completed_exactly_once(run_ids, experiments)
    assert worker.poll() is None


def terminate_worker_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database()",
            [WORKER_APP_NAME],
        )
        return cursor.fetchone()[0]


def test_drill_4_the_database_going_away_mid_run(drill, people):  # noqa: F811
    """Method: the shared PostgreSQL is never stopped. For 5 s every connection the workers
    hold (application_name analysis_drill_worker) is terminated with pg_terminate_backend
    every 100 ms, so their queries fail as if the server had gone. Bound: every run succeeds
    within 45 s after; no run has a partial set of results."""
    experiments = running_tests(people, 4)
    drill.worker_start(concurrency=2, pause=1)
    run_ids = request_all(experiments)
    drill.wait(
        lambda: status_count(run_ids, RunStatus.RUNNING) >= 1, START_SECONDS, "no run started"
    )
    killed, deadline = 0, time.monotonic() + 5
    while time.monotonic() < deadline:
        killed += terminate_worker_connections()
        time.sleep(0.1)
    assert killed > 0
    drill.wait(all_succeeded(run_ids), BOUND_SECONDS, "runs did not all succeed", every=watchdog())
    assert_each_completed_exactly_once(run_ids, experiments)


def test_drill_5_the_same_message_delivered_twice(drill, people):  # noqa: F811
    """Bound: 45 s. Two workers receive the same message (same task id) at once."""
    experiments = running_tests(people, 1)
    drill.worker_start(concurrency=2, pause=1)
    run_id = request_all(experiments)[0]
    again = AnalysisRun.objects.get(id=run_id)
    for _ in range(2):
        analysis_run_execute_task.apply_async(args=[run_id], task_id=f"duplicate-{run_id}")
    drill.wait(all_succeeded([run_id]), BOUND_SECONDS, "the run did not succeed")
    time.sleep(2)  # let the duplicates arrive and be turned away
    again.refresh_from_db()
    assert again.attempts == 1
    assert_each_completed_exactly_once([run_id], experiments)


def test_drill_6_a_forced_failure_keeps_the_last_good_result(drill, people, client):  # noqa: F811
    """Bound: 45 s. The page and the API show the good result and, beside it, the failure."""
    experiments = running_tests(people, 1)
    drill.worker_start(concurrency=1)
    good = request_all(experiments)[0]
    drill.wait(all_succeeded([good]), BOUND_SECONDS, "the good run did not succeed")
    drill.fail_flag.touch()
    cohorts_write(experiments[0], days=1, first=timezone.localdate() + timedelta(days=5))
    bad = request_all(experiments)[0]
    drill.wait(lambda: status_count([bad], RunStatus.FAILED) == 1, BOUND_SECONDS, "no failure")
    client.login(username=people.owner.username, password=PASSWORD)
    page = client.get(experiments[0].get_absolute_url()).content.decode()
    assert "The latest analysis failed" in page and "RuntimeError" in page
    assert "The result above is the last good one." in page and "Retry analysis" in page
    api = client.get(reverse("api:experiment-analysis", args=[experiments[0].pk]))
    body = api.json()
    assert body["last_success"]["id"] == good and body["failure"]["id"] == bad
    assert len(body["results"]) == ROWS_PER_RUN
    assert not AnalysisResult.objects.filter(run_id=bad).exists()
