"""Analysis runs: request (collapsing identical ones), then execute as a job, store or fail.

The run row is the truth and a Celery message only a reminder (see `jobs`): the worker acts on
a run it claimed, and every later write checks that it still holds that claim, so a duplicate
or a superseded worker changes nothing.
"""

import logging

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from analysis.jobs import ANALYSIS_RUNS
from analysis.models import AnalysisResult, AnalysisRun, RunStatus, Trigger
from analysis.services.choices import analysis_choices
from analysis.services.compute import experiment_answer
from analysis.services.inputs import (
    AnalysisInputs,
    inputs_fingerprint,
    inputs_fingerprints,
    inputs_read,
)
from experiments.models import Experiment
from jobs.attempt import Attempt, Delivery
from jobs.models import ACTIVE_STATUSES
from jobs.services import job_execute, job_send

logger = logging.getLogger(__name__)

NO_DATA = "There is no outcome data for this test yet: upload a file or connect a data source."


def latest_success(experiment_id: int) -> AnalysisRun | None:
    succeeded = AnalysisRun.objects.filter(experiment_id=experiment_id, status=RunStatus.SUCCEEDED)
    return succeeded.order_by("-finished_at", "-id").first()


def analysis_request(
    *, experiment: Experiment, trigger: str, user=None, skip_unchanged: bool = False
) -> AnalysisRun | None:
    """Queue an analysis; return the run, an identical one already waiting, or None.

    None only with `skip_unchanged` when the latest result came from exactly these inputs; that
    run then counts one more check that found nothing new.
    """
    requested = analysis_requests(
        experiment_ids=[experiment.pk], trigger=trigger, user=user, skip_unchanged=skip_unchanged
    )
    if experiment.pk not in requested:
        raise Experiment.DoesNotExist(experiment.pk)
    return requested[experiment.pk]


@transaction.atomic
def analysis_requests(
    *, experiment_ids, trigger: str, user=None, skip_unchanged: bool = False
) -> dict[int, AnalysisRun | None]:
    """`analysis_request` for each experiment (one that no longer exists is left out), in a
    few queries whatever their number: {experiment id: its run, or None}."""
    # Lock the experiments so two identical requests cannot both miss each other; in id order,
    # so that two requests for overlapping sets cannot deadlock.
    locked = Experiment.objects.select_for_update().filter(id__in=experiment_ids).order_by("id")
    ids = list(locked.values_list("id", flat=True))
    fingerprints = inputs_fingerprints(ids)
    active = AnalysisRun.objects.filter(experiment_id__in=ids, status__in=ACTIVE_STATUSES)
    # A run already waiting for exactly these inputs stands for this request.
    requested = {
        run.experiment_id: run
        for run in active
        if run.fingerprint == fingerprints[run.experiment_id]
    }
    latest = latest_successes(ids) if skip_unchanged else {}
    now, unchanged, new = timezone.now(), [], []
    for experiment_id in ids:
        if experiment_id in requested:
            continue
        previous = latest.get(experiment_id)
        if previous is not None and previous.analysed_fingerprint == fingerprints[experiment_id]:
            unchanged.append(previous.id)
            requested[experiment_id] = None
            logger.info("experiment %s: inputs unchanged since run %s", experiment_id, previous.id)
            continue
        new.append(
            AnalysisRun(
                experiment_id=experiment_id,
                fingerprint=fingerprints[experiment_id],
                trigger=trigger,
                requested_by=user if user and user.is_authenticated else None,
                queued_at=now,
                sent_at=now,
            )
        )
    runs_unchanged_record(unchanged)
    created = AnalysisRun.objects.bulk_create(new)
    requested.update((run.experiment_id, run) for run in created)
    job_send(ANALYSIS_RUNS, [run.id for run in created])
    return requested


def latest_successes(experiment_ids) -> dict[int, AnalysisRun]:
    """{experiment id: its latest succeeded run} of those that have one, in two queries."""
    succeeded = AnalysisRun.objects.filter(experiment=OuterRef("pk"), status=RunStatus.SUCCEEDED)
    latest = Subquery(succeeded.order_by("-finished_at", "-id").values("id")[:1])
    experiments = Experiment.objects.filter(id__in=experiment_ids).annotate(latest=latest)
    run_ids = [run_id for run_id in experiments.values_list("latest", flat=True) if run_id]
    return {run.experiment_id: run for run in AnalysisRun.objects.filter(id__in=run_ids)}


def runs_unchanged_record(run_ids: list[int]) -> int:
    """Count a check that found each run's inputs unchanged; return the runs counted."""
    runs = AnalysisRun.objects.filter(id__in=run_ids)
    return runs.update(unchanged_checks=F("unchanged_checks") + 1, checked_at=timezone.now())


def analysis_after_load(*, load) -> AnalysisRun | None:
    """Called by ingestion after a load committed: analyse the new statistics."""
    trigger = Trigger.REFRESH if load.kind == "sql" else Trigger.UPLOAD
    return analysis_request(experiment=load.experiment, trigger=trigger, user=load.created_by)


def analysis_run_execute(*, run_id: int, delivery: Delivery | None = None) -> None:
    """Claim the run and analyse it; a duplicate delivery returns without a write."""
    job_execute(ANALYSIS_RUNS, job_id=run_id, delivery=delivery, work=run_analyse)


def run_analyse(attempt: Attempt) -> None:
    run = AnalysisRun.objects.select_related("experiment").get(id=attempt.job_id)
    experiment = run.experiment
    # The fingerprint before the inputs: a change in between is analysed now and again next
    # time, never stored under the fingerprint of inputs it does not reflect.
    fingerprint = inputs_fingerprint(experiment.id)
    latest = latest_success(experiment.id)
    if latest is not None and latest.analysed_fingerprint == fingerprint:
        run_store(attempt, fingerprint, [], results_run_id=latest.results_run_id)
        return  # unchanged inputs: the stored answer stands, no new result
    inputs = inputs_read(experiment=experiment, choices=analysis_choices(experiment))
    if not inputs.has_data:
        attempt.fail(NO_DATA)
        return
    rows = answer_compute(inputs, attempt.checkpoint)
    run_store(attempt, fingerprint, rows, results_run_id=run.id)


def answer_compute(inputs: AnalysisInputs, beat) -> list[dict]:
    """The engine's work; a separate name so drills can slow it down in a worker."""
    return experiment_answer(inputs, beat)


@transaction.atomic
def run_store(attempt: Attempt, fingerprint: str, rows, *, results_run_id) -> None:
    """Mark the run succeeded and write its rows in one transaction: all of it or nothing."""
    run_id = attempt.job_id
    experiment_id = AnalysisRun.objects.values_list("experiment_id", flat=True).get(id=run_id)
    # One store at a time per experiment, so the answer marked current is the last one stored.
    Experiment.objects.select_for_update().only("id").get(id=experiment_id)
    attempt.finish(error="", analysed_fingerprint=fingerprint, results_run_id=results_run_id)
    now = timezone.now()
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
