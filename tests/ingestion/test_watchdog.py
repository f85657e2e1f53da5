"""The load watchdog and the claim (tasks in-process): no load stays running after its worker
died, none waits forever for a lost message, and no load is run twice at once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from growthlab.celery import app
from jobs.attempt import Delivery, JobLost, job_claim
from jobs.watchdog import watchdog_sweep
from metrics.ingestion.services import (
    data_load_create,
    data_load_execute,
    data_load_progress,
    data_load_save,
    reduce_input,
)
from metrics.jobs import DATA_LOADS, FAILED_PHASE, WORKER_LOST_PHASE
from metrics.models import DataLoad, OutcomeCohort

pytestmark = pytest.mark.django_db

COUNTS = [
    {"metric": "Order conversion", "variant": "A", "date": "", "users": 500, "conversions": 40},
    {"metric": "Order conversion", "variant": "B", "date": "", "users": 510, "conversions": 55},
]
GAVE_UP_TEXT = (
    "The worker loading this data stopped 3 times, so the load was given up. "
    "Try again, or tell an admin if it happens again."
)


def claim(load: DataLoad):
    """Claim the load as a worker's delivery would."""
    return job_claim(DATA_LOADS, load.id, Delivery.local())


@pytest.fixture
def queued(outcome_experiment, people, django_capture_on_commit_callbacks) -> DataLoad:
    """A counts load whose message was never run (as if it sat in Redis)."""
    with django_capture_on_commit_callbacks(execute=False):
        return data_load_create(
            experiment=outcome_experiment,
            user=people.owner,
            kind=DataLoad.Kind.COUNTS,
            payload=COUNTS,
        )


def died_mid_load(load: DataLoad, *, silent_for: timedelta = timedelta(minutes=5)):
    """Claim the load as a worker would, then go silent as a killed one does."""
    attempt = claim(load)
    DataLoad.objects.filter(id=load.id).update(heartbeat_at=timezone.now() - silent_for)
    return attempt


def sweep(capture, *, execute=True):
    with capture(execute=execute):
        return watchdog_sweep(DATA_LOADS)


def stored_counts(experiment) -> dict:
    cohorts = OutcomeCohort.objects.filter(experiment=experiment).select_related("variant")
    return {c.variant.name: (c.n, c.sum) for c in cohorts}


def test_a_load_whose_worker_died_is_queued_again_and_completes(
    queued, django_capture_on_commit_callbacks
):
    died_mid_load(queued)
    result = sweep(django_capture_on_commit_callbacks)
    assert (result.requeued, result.failed, result.resent) == ([queued.id], [], [])
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.cohorts_written) == ("succeeded", 2, 2)
    assert stored_counts(queued.experiment) == {"A": (500, 40.0), "B": (510, 55.0)}


def test_the_requeued_load_says_its_worker_was_lost(queued, django_capture_on_commit_callbacks):
    died_mid_load(queued)
    sweep(django_capture_on_commit_callbacks, execute=False)  # the message is not run
    queued.refresh_from_db()
    assert (queued.status, queued.phase) == ("queued", WORKER_LOST_PHASE)
    assert queued.sent_at > timezone.now() - timedelta(seconds=5)
    assert not OutcomeCohort.objects.exists()


def test_a_load_still_beating_is_left_alone(queued, django_capture_on_commit_callbacks):
    died_mid_load(queued, silent_for=timedelta(seconds=10))
    result = sweep(django_capture_on_commit_callbacks)
    assert (result.requeued, result.failed, result.resent) == ([], [], [])
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("running", 1)


def test_after_its_attempts_a_load_fails_in_plain_words(queued, django_capture_on_commit_callbacks):
    died_mid_load(queued)
    DataLoad.objects.filter(id=queued.id).update(attempts=3)
    result = sweep(django_capture_on_commit_callbacks)
    assert (result.requeued, result.failed) == ([], [queued.id])
    queued.refresh_from_db()
    assert (queued.status, queued.phase) == ("failed", FAILED_PHASE)
    assert [e["text"] for e in queued.errors] == [GAVE_UP_TEXT]
    assert queued.finished_at is not None
    assert not OutcomeCohort.objects.exists()


def test_a_load_queued_too_long_gets_its_message_again(queued, django_capture_on_commit_callbacks):
    DataLoad.objects.filter(id=queued.id).update(sent_at=timezone.now() - timedelta(hours=1))
    result = sweep(django_capture_on_commit_callbacks)
    assert (result.requeued, result.resent) == ([], [queued.id])
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("succeeded", 1)
    assert stored_counts(queued.experiment) == {"A": (500, 40.0), "B": (510, 55.0)}


def test_a_load_queued_just_now_is_not_sent_twice(queued, django_capture_on_commit_callbacks):
    result = sweep(django_capture_on_commit_callbacks)
    assert result.resent == []
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("queued", 0)


def test_a_second_delivery_cannot_claim_a_running_load(queued):
    assert claim(queued) is not None
    assert claim(queued) is None
    data_load_execute(load_id=queued.id)  # a duplicate message: returns without a write
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("running", 1)
    assert not OutcomeCohort.objects.exists()


def test_a_superseded_worker_saves_nothing(queued, django_capture_on_commit_callbacks):
    old = died_mid_load(queued)
    rows, cohorts = reduce_input(queued, old)
    sweep(django_capture_on_commit_callbacks, execute=False)
    new = claim(queued)  # the worker the watchdog's message reached
    with pytest.raises(JobLost):
        data_load_save(queued, old, rows, cohorts)
    with pytest.raises(JobLost):
        data_load_progress(old)("checking and reducing", 50, 10)
    queued.refresh_from_db()
    assert (queued.status, queued.claim, queued.attempts) == ("running", new.token, 2)
    assert not OutcomeCohort.objects.exists()


def test_beat_runs_the_watchdog_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-watchdog"]
    assert entry["schedule"] == 60.0
    assert entry["task"] == "jobs.tasks.scheduled_job_watchdog_task"
    assert entry["task"] in app.tasks
