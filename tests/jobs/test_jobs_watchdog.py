"""One beat task watches every kind of job: a stale analysis run and a stale data load alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.models import AnalysisRun, Trigger
from jobs.tasks import scheduled_job_watchdog_task
from metrics.jobs import WORKER_LOST_PHASE
from metrics.models import DataLoad
from tests.factories import experiment_make

pytestmark = pytest.mark.django_db

SILENT_SINCE = timedelta(minutes=5)


def died_mid_work(model, **fields):
    """A job a worker claimed and then went silent on, as a killed one does."""
    silent_since = timezone.now() - SILENT_SINCE
    return model.objects.create(
        status="running", claim="dead:0/5eed", attempts=1, heartbeat_at=silent_since, **fields
    )


def test_the_beat_watchdog_queues_again_every_kind_of_job_whose_worker_died(
    people, django_capture_on_commit_callbacks
):
    experiment = experiment_make(people)
    run = died_mid_work(
        AnalysisRun,
        experiment=experiment,
        fingerprint="f" * 64,
        trigger=Trigger.MANUAL,
        queued_at=timezone.now(),
    )
    load = died_mid_work(DataLoad, experiment=experiment, kind=DataLoad.Kind.COUNTS)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        scheduled_job_watchdog_task.apply()
    run.refresh_from_db()
    load.refresh_from_db()
    assert (run.status, run.claim, load.status, load.claim) == ("queued", "", "queued", "")
    lost_at = timezone.localtime(run.heartbeat_at)
    assert run.error == (
        f"The worker analysing this stopped at {lost_at:%H:%M:%S}; it was queued again."
    )
    assert load.phase == WORKER_LOST_PHASE
    assert len(sent) == 2  # a new message for each
