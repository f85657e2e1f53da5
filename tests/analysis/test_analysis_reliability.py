"""The watchdog and the schedule: nothing stays running, nothing queued forever, no storm."""

import functools
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.jobs import ANALYSIS_RUNS
from analysis.models import AnalysisRun, Trigger
from analysis.services import analysis_request
from analysis.services import runs as runs_module
from analysis.services.schedule import analysis_schedule, experiments_to_refresh
from experiments.models import Experiment
from jobs.watchdog import watchdog_sweep
from tests.analysis.data import fail_runs
from tests.factories import experiment_make

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
