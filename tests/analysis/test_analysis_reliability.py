"""The watchdog and the schedule: nothing stays running, nothing queued forever, no storm."""

import functools
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analysis.jobs import ANALYSIS_RUNS
from analysis.models import AnalysisRun, Trigger
from analysis.services import analysis_request
from analysis.services import runs as runs_module
from analysis.services import schedule as schedule_module
from analysis.services.schedule import (
    analysis_refresh,
    analysis_schedule,
    experiments_to_refresh,
)
from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_transition
from jobs.watchdog import watchdog_sweep
from metrics.models import Metric
from tests.analysis.data import cohorts_write, fail_runs
from tests.factories import READY_DOCUMENTATION, experiment_make

GAVE_UP_TEXT = (
    "The worker analysing this stopped 5 times, so the analysis was given up. "
    "Try again, or tell an admin if it happens again."
)


def job_messages(callbacks) -> list:
    """The job messages sent on commit (`delay_on_commit`), not the `job_done` announcements."""
    return [callback for callback in callbacks if isinstance(callback, functools.partial)]


def queued_run(experiment, capture):
    with capture(execute=False):
        return analysis_request(experiment=experiment, trigger=Trigger.UPLOAD)


def test_a_run_whose_heartbeat_stopped_is_queued_again_and_completes(
    with_data, django_capture_on_commit_callbacks
):
    run = queued_run(with_data, django_capture_on_commit_callbacks)
    silent_since = timezone.now() - timedelta(minutes=5)
    AnalysisRun.objects.filter(id=run.id).update(
        status="running", claim="dead:0", attempts=1, heartbeat_at=silent_since
    )
    with django_capture_on_commit_callbacks(execute=True) as sent:
        sweep = watchdog_sweep(ANALYSIS_RUNS)
    assert sweep.requeued == [run.id] and len(job_messages(sent)) == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("succeeded", 2)
    assert run.error == ""  # the note about the lost worker is cleared by the success


def test_the_note_about_a_lost_worker_is_kept_while_the_run_waits(
    with_data, django_capture_on_commit_callbacks
):
    run = queued_run(with_data, django_capture_on_commit_callbacks)
    silent_since = timezone.now() - timedelta(minutes=5)
    AnalysisRun.objects.filter(id=run.id).update(
        status="running", claim="dead:0", heartbeat_at=silent_since
    )
    with django_capture_on_commit_callbacks(execute=False):
        watchdog_sweep(ANALYSIS_RUNS)
    run.refresh_from_db()
    local = timezone.localtime(silent_since)
    assert (run.status, run.claim) == ("queued", "")
    assert (
        run.error == f"The worker analysing this stopped at {local:%H:%M:%S}; it was queued again."
    )


def test_a_run_that_keeps_losing_its_worker_is_given_up(
    with_data, django_capture_on_commit_callbacks
):
    run = queued_run(with_data, django_capture_on_commit_callbacks)
    AnalysisRun.objects.filter(id=run.id).update(
        status="running", attempts=5, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True) as sent:
        sweep = watchdog_sweep(ANALYSIS_RUNS)
    run.refresh_from_db()
    assert sweep.failed == [run.id] and not job_messages(sent)
    assert (run.status, run.error) == ("failed", GAVE_UP_TEXT)


def test_a_fresh_heartbeat_and_a_fresh_message_are_left_alone(
    with_data, django_capture_on_commit_callbacks
):
    run = queued_run(with_data, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        sweep = watchdog_sweep(ANALYSIS_RUNS)
    assert (sweep.requeued, sweep.resent, job_messages(sent)) == ([], [], [])
    run.refresh_from_db()
    assert run.status == "queued"


def test_a_run_queued_too_long_gets_its_message_again(
    with_data, django_capture_on_commit_callbacks
):
    run = queued_run(with_data, django_capture_on_commit_callbacks)
    AnalysisRun.objects.filter(id=run.id).update(sent_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        sweep = watchdog_sweep(ANALYSIS_RUNS)
    assert sweep.resent == [run.id]
    run.refresh_from_db()
    assert run.status == "succeeded"


def test_the_schedule_refreshes_running_tests_with_data_only(with_data, people):
    make_running_without_data = experiment_make(people)
    Experiment.objects.filter(id=make_running_without_data.id).update(
        status="running", started_at=timezone.now()
    )
    assert experiments_to_refresh() == [with_data.id]
    Experiment.objects.filter(id=with_data.id).update(status="analysing")
    assert experiments_to_refresh() == []


def test_the_schedule_skips_unchanged_inputs(with_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = analysis_schedule(experiment=with_data)
    with django_capture_on_commit_callbacks(execute=True):
        second = analysis_schedule(experiment=with_data)
    assert first.trigger == "schedule" and second is None


def test_the_schedule_backs_off_after_a_failure_and_stops_after_three(
    with_data, django_capture_on_commit_callbacks
):
    fail_runs(with_data, 1, hours_ago=1)
    with django_capture_on_commit_callbacks(execute=False):
        assert analysis_schedule(experiment=with_data) is None  # waits 6 hours after one
        later = timezone.now() + timedelta(hours=6)
        assert analysis_schedule(experiment=with_data, now=later).status == "queued"
    AnalysisRun.objects.filter(status="queued").delete()
    fail_runs(with_data, 2, hours_ago=100)
    with django_capture_on_commit_callbacks(execute=False):
        assert analysis_schedule(experiment=with_data, now=later) is None  # stopped at three


@pytest.mark.django_db(transaction=True)
def test_an_analysis_busy_in_one_long_step_keeps_its_run(with_data, monkeypatch, settings):
    settings.JOBS_HEARTBEAT_EVERY_SECONDS = 0.2
    original, sweeps = runs_module.answer_compute, []

    def one_long_step(inputs, beat):  # a slow engine call reports nothing while it works
        time.sleep(1.5)
        sweeps.append(watchdog_sweep(ANALYSIS_RUNS, heartbeat_stale=1))
        return original(inputs, beat)

    monkeypatch.setattr(runs_module, "answer_compute", one_long_step)
    run = analysis_request(experiment=with_data, trigger=Trigger.MANUAL)
    run.refresh_from_db()
    assert [sweep.requeued for sweep in sweeps] == [[]]
    assert (run.status, run.attempts, run.error) == ("succeeded", 1, "")


def running_tests_with_data(people, count: int) -> list[Experiment]:
    """`count` running tests with data, all measuring the one conversion metric."""
    metric = Metric.objects.filter(name="Order conversion").first()
    tests = []
    for _ in range(count):
        if metric is None:
            draft = experiment_make(people, ready=True)
            metric = draft.experiment_metrics.get().metric
        else:
            draft = experiment_make(people, **READY_DOCUMENTATION)
            experiment_metric_attach(
                experiment=draft, metric=metric, role=MetricRole.PRIMARY, user=people.owner
            )
            Experiment.objects.filter(pk=draft.pk).update(plan_sample_size_per_variant=31000)
        started = experiment_transition(experiment=draft, user=people.owner, action="start")
        cohorts_write(started)
        tests.append(started)
    return tests


def refreshed(capture) -> tuple[list[AnalysisRun], int, int]:
    """The refresh's runs, its queries and the job messages it sent, none of them executed."""
    with capture(execute=False) as sent, CaptureQueriesContext(connection) as queries:
        runs = analysis_refresh()
    return runs, len(queries), len(job_messages(sent))


def test_the_refresh_queues_every_changed_test_in_as_many_queries_for_two_as_for_five(
    people, django_capture_on_commit_callbacks
):
    two = running_tests_with_data(people, 2)
    runs, queries_for_two, sent = refreshed(django_capture_on_commit_callbacks)
    assert sorted(run.experiment_id for run in runs) == sorted(e.id for e in two)
    assert sent == 2
    AnalysisRun.objects.all().delete()
    five = two + running_tests_with_data(people, 3)
    runs, queries_for_five, sent = refreshed(django_capture_on_commit_callbacks)
    assert sent == 5
    assert queries_for_five == queries_for_two
    queued = AnalysisRun.objects.filter(status="queued", trigger=Trigger.SCHEDULE)
    assert sorted(queued.values_list("experiment_id", flat=True)) == sorted(e.id for e in five)


def test_the_refresh_leaves_a_failing_test_backing_off_and_keeps_a_waiting_run(
    people, django_capture_on_commit_callbacks
):
    backing_off, waiting, changed = running_tests_with_data(people, 3)
    fail_runs(backing_off, 1, hours_ago=1)
    already = queued_run(waiting, django_capture_on_commit_callbacks)
    runs, _, sent = refreshed(django_capture_on_commit_callbacks)
    assert sent == 1  # only the changed test's new run
    by_test = {run.experiment_id: run for run in runs}
    assert set(by_test) == {waiting.id, changed.id}
    assert by_test[waiting.id].id == already.id
    assert AnalysisRun.objects.filter(experiment=waiting).count() == 1
    assert not AnalysisRun.objects.filter(experiment=backing_off, status="queued").exists()
    assert by_test[changed.id].trigger == Trigger.SCHEDULE


def test_a_test_whose_request_fails_holds_back_no_other_test_of_the_refresh(
    people, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    first, broken, last = running_tests_with_data(people, 3)
    requested = schedule_module.analysis_requests

    def failing_for_broken(*, experiment_ids, **options):
        if broken.id in experiment_ids:
            raise ValueError("a fingerprint this code cannot read")
        return requested(experiment_ids=experiment_ids, **options)

    monkeypatch.setattr(schedule_module, "analysis_requests", failing_for_broken)
    runs, _, sent = refreshed(django_capture_on_commit_callbacks)
    assert sorted(run.experiment_id for run in runs) == sorted([first.id, last.id])
    assert sent == 2
    queued = AnalysisRun.objects.filter(status="queued", trigger=Trigger.SCHEDULE)
    assert sorted(queued.values_list("experiment_id", flat=True)) == sorted([first.id, last.id])
    assert f"experiment {broken.id} could not be requested" in caplog.text
