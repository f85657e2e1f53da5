"""Analysis runs: request (collapsing identical ones), claim, execute, store or fail.

The run row is the truth. A Celery message only says "work on run N"; it may arrive twice
(late acknowledgement), late (a retry) or never (Redis lost it; the watchdog sends another).
A worker acts only on a run it has claimed with a conditional UPDATE, and every later write
checks that it still holds that claim, so a duplicate or a superseded worker changes nothing.
"""

import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from analysis.conf import conf
from analysis.models import ACTIVE_STATUSES, AnalysisResult, AnalysisRun, RunStatus, Trigger
from analysis.services.choices import analysis_choices
from analysis.services.compute import experiment_answer
from analysis.services.inputs import AnalysisInputs, inputs_read
from experiments.models import Experiment

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
NO_DATA = "There is no outcome data for this test yet: upload a file or connect a data source."
TOO_SLOW = "The analysis took longer than its time limit and was stopped."
FAILED_ON_OUR_SIDE = "The analysis failed on our side ({kind}). Try again, or tell an admin."


class RunLost(Exception):
    """This worker no longer holds the run (the watchdog queued it again); stop quietly."""


def run_enqueue(run: AnalysisRun) -> None:
    """Send the run's message once the row is committed (never for a rolled-back row)."""
    from analysis.tasks import analysis_run_execute_task

    analysis_run_execute_task.delay_on_commit(run.id)


def latest_success(experiment_id: int) -> AnalysisRun | None:
    succeeded = AnalysisRun.objects.filter(experiment_id=experiment_id, status=RunStatus.SUCCEEDED)
    return succeeded.order_by("-finished_at", "-id").first()


@transaction.atomic
def analysis_request(
    *, experiment: Experiment, trigger: str, user=None, skip_unchanged: bool = False
) -> AnalysisRun | None:
    """Queue an analysis; return the run, an identical one already waiting, or None.

    None only with `skip_unchanged` when the latest result came from exactly these inputs.
    """
    # Lock the experiment so two identical requests cannot both miss each other.
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    fingerprint = inputs_read(
        experiment=experiment, choices=analysis_choices(experiment)
    ).fingerprint()
    runs = AnalysisRun.objects.filter(experiment=experiment)
    waiting = runs.filter(status__in=ACTIVE_STATUSES, fingerprint=fingerprint).first()
    if waiting is not None:
        return waiting
    latest = latest_success(experiment.id)
    if skip_unchanged and latest is not None and latest.analysed_fingerprint == fingerprint:
        return None
    now = timezone.now()
    run = AnalysisRun.objects.create(
        experiment=experiment, fingerprint=fingerprint, trigger=trigger,
        requested_by=user if user and user.is_authenticated else None,
        queued_at=now, sent_at=now,
    )  # fmt: skip
    run_enqueue(run)
    return run


def analysis_after_load(*, load) -> AnalysisRun | None:
    """Called by ingestion after a load committed: analyse the new statistics."""
    trigger = Trigger.REFRESH if load.kind == "sql" else Trigger.UPLOAD
    return analysis_request(experiment=load.experiment, trigger=trigger, user=load.created_by)


def analysis_run_claim(*, run_id: int, delivery: str, previous: str | None) -> bool:
    """True if this delivery now holds the run.

    A queued run is free to take. A retry of the same message (after a database error) may
    also take the run back from its own previous attempt, named by `previous`.
    """
    free = Q(status=RunStatus.QUEUED)
    if previous:
        free |= Q(status=RunStatus.RUNNING, claim=previous)
    now = timezone.now()
    claimed = AnalysisRun.objects.filter(Q(id=run_id) & free).update(
        status=RunStatus.RUNNING, claim=delivery, started_at=now, heartbeat_at=now,
        attempts=F("attempts") + 1,
    )  # fmt: skip
    return claimed == 1


def held(run_id: int, delivery: str):
    return AnalysisRun.objects.filter(id=run_id, status=RunStatus.RUNNING, claim=delivery)


def heartbeat(run_id: int, delivery: str):
    """A callable the computation calls often; it writes at most every few seconds."""
    last = [time.monotonic()]

    def beat() -> None:
        if time.monotonic() - last[0] < conf("HEARTBEAT_EVERY_SECONDS"):
            return
        if not held(run_id, delivery).update(heartbeat_at=timezone.now()):
            raise RunLost(run_id)
        last[0] = time.monotonic()

    return beat


def analysis_run_execute(*, run_id: int, delivery: str, previous: str | None = None) -> None:
    """Claim the run and analyse it; a duplicate delivery returns without a write."""
    if not analysis_run_claim(run_id=run_id, delivery=delivery, previous=previous):
        return
    run = AnalysisRun.objects.select_related("experiment").get(id=run_id)
    try:
        run_analyse(run, delivery)
    except RunLost:
        logger.info("Analysis run %s was taken over; this delivery stops", run_id)
    except TRANSIENT_ERRORS:
        raise  # the task retries; its next attempt takes the run back by `previous`
    except SoftTimeLimitExceeded:
        run_fail(run_id, delivery, TOO_SLOW)
    except Exception as error:
        logger.exception("Analysis run %s failed", run_id)
        run_fail(run_id, delivery, FAILED_ON_OUR_SIDE.format(kind=type(error).__name__))


def run_analyse(run: AnalysisRun, delivery: str) -> None:
    experiment = run.experiment
    inputs = inputs_read(experiment=experiment, choices=analysis_choices(experiment))
    if not inputs.has_data:
        run_fail(run.id, delivery, NO_DATA)
        return
    fingerprint = inputs.fingerprint()
    latest = latest_success(experiment.id)
    if latest is not None and latest.analysed_fingerprint == fingerprint:
        run_store(run.id, delivery, fingerprint, [], results_run_id=latest.results_run_id)
        return  # unchanged inputs: the stored answer stands, no new result
    rows = answer_compute(inputs, heartbeat(run.id, delivery))
    run_store(run.id, delivery, fingerprint, rows, results_run_id=run.id)


def answer_compute(inputs: AnalysisInputs, beat) -> list[dict]:
    """The engine's work; a separate name so drills can slow it down in a worker."""
    return experiment_answer(inputs, beat)


@transaction.atomic
def run_store(run_id: int, delivery: str, fingerprint: str, rows, *, results_run_id) -> None:
    """Mark the run succeeded and write its rows in one transaction: all of it or nothing."""
    experiment_id = AnalysisRun.objects.values_list("experiment_id", flat=True).get(id=run_id)
    # One store at a time per experiment, so the answer marked current is the last one stored.
    Experiment.objects.select_for_update().only("id").get(id=experiment_id)
    now = timezone.now()
    finished = held(run_id, delivery).update(
        status=RunStatus.SUCCEEDED, finished_at=now, heartbeat_at=now, error="",
        analysed_fingerprint=fingerprint, results_run_id=results_run_id,
    )  # fmt: skip
    if finished != 1:
        raise RunLost(run_id)
    AnalysisResult.objects.bulk_create(
        AnalysisResult(run_id=run_id, experiment_id=experiment_id, computed_at=now, **row)
        for row in rows
    )
    answer_mark_current(experiment_id, results_run_id)


def answer_mark_current(experiment_id: int, results_run_id: int) -> None:
    """Make the rows of `results_run_id` the experiment's current answer, and only those."""
    results = AnalysisResult.objects.filter(experiment_id=experiment_id)
    results.filter(is_current=True).exclude(run_id=results_run_id).update(is_current=False)
    results.filter(run_id=results_run_id, is_current=False).update(is_current=True)


def run_fail(run_id: int, delivery: str, reason: str) -> None:
    now = timezone.now()
    held(run_id, delivery).update(
        status=RunStatus.FAILED, error=reason, finished_at=now, heartbeat_at=now
    )
