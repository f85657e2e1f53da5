"""Scheduled refresh: every running test re-analysed on time, backing off when it fails.

A test whose inputs did not change since its last analysis is skipped at the fan-out, from
one query for all tests, and counted on that analysis's run (`unchanged_checks`).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from analysis.conf import conf
from analysis.models import AnalysisRun, RunStatus, Trigger
from analysis.services.inputs import STAMP_FIELDS, fingerprint_of, inputs_stamps
from analysis.services.runs import analysis_request, runs_unchanged_record
from experiments.models import Experiment
from jobs.services import TRANSIENT_ERRORS
from metrics.models import OutcomeCohort

logger = logging.getLogger(__name__)

SCHEDULED_STATUSES = (Experiment.Status.RUNNING,)


@dataclass
class RefreshPlan:
    """The tests a scheduled refresh looks at, split by whether their inputs changed."""

    changed: list[int] = field(default_factory=list)  # experiments to analyse
    unchanged: dict[int, int] = field(default_factory=dict)  # experiment: its latest run


def experiments_scheduled():
    """The tests the schedule looks at: those collecting data now."""
    with_data = Exists(OutcomeCohort.objects.filter(experiment=OuterRef("pk")))
    return Experiment.objects.filter(with_data, status__in=SCHEDULED_STATUSES).order_by("id")


def experiments_to_refresh() -> list[int]:
    """Ids of the tests the schedule looks at."""
    return list(experiments_scheduled().values_list("id", flat=True))


def refresh_plan() -> RefreshPlan:
    """Each scheduled test's fingerprint against its latest success's, in one query."""
    succeeded = AnalysisRun.objects.filter(experiment=OuterRef("pk"), status=RunStatus.SUCCEEDED)
    latest = succeeded.order_by("-finished_at", "-id")
    rows = inputs_stamps(experiments_scheduled()).annotate(
        latest_run=Subquery(latest.values("id")[:1]),
        latest_fingerprint=Subquery(latest.values("analysed_fingerprint")[:1]),
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Over thousands of tests PostgreSQL costs this query high enough to compile it
            # first (JIT): 8 s of compiling, measured at 2,000 tests, for a second of index
            # reads.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        found = list(rows.values_list("id", "latest_run", "latest_fingerprint", *STAMP_FIELDS))
    plan = RefreshPlan()
    for experiment_id, run_id, analysed, *stamps in found:
        if run_id is not None and analysed == fingerprint_of(stamps):
            plan.unchanged[experiment_id] = run_id
        else:
            plan.changed.append(experiment_id)
    return plan


def analysis_refresh_fan_out() -> list[int]:
    """Count the unchanged tests on their latest runs; return the ids of those to analyse."""
    plan = refresh_plan()
    runs_unchanged_record(list(plan.unchanged.values()))
    changed, unchanged = len(plan.changed), len(plan.unchanged)
    logger.info(
        "scheduled refresh: %d running tests with data, %d unchanged since their last analysis "
        "(skipped), %d to analyse",
        changed + unchanged,
        unchanged,
        changed,
    )
    return plan.changed


def analysis_refresh() -> list[AnalysisRun]:
    """Beat's refresh: count the unchanged tests, and queue a run for each changed one that is
    not backing off; return those runs (queued now, or already waiting).

    Each changed test is scheduled right here (`analysis_schedule`), its run's message sent as
    it commits, so workers start analysing while the rest are still being queued: a task per
    test only to queue its run cost as much as the broker's part of the analysis itself.
    Idempotent, like each request: a retry finds the runs already waiting and queues none twice.
    One test that cannot be scheduled is logged and leaves the others queued; a database that
    went away fails the task, which is retried.
    """
    runs = []
    changed = Experiment.objects.filter(id__in=analysis_refresh_fan_out()).order_by("id")
    for experiment in changed.only("id"):
        try:
            run = analysis_schedule(experiment=experiment)
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.exception("experiment %s: the scheduled refresh cannot queue it", experiment.id)
            continue
        if run is not None:
            runs.append(run)
    return runs


def failure_streak(experiment_id: int) -> list[AnalysisRun]:
    """The failed runs since the last success, newest first."""
    finished = AnalysisRun.objects.filter(
        experiment_id=experiment_id, status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]
    ).order_by("-finished_at", "-id")
    streak = []
    for run in finished[: conf("SCHEDULE_MAX_FAILURES")]:
        if run.status == RunStatus.SUCCEEDED:
            break
        streak.append(run)
    return streak


def schedule_stopped(experiment_id: int) -> AnalysisRun | None:
    """The latest failure when the schedule gave up on this test; None while it still tries."""
    streak = failure_streak(experiment_id)
    return streak[0] if len(streak) >= conf("SCHEDULE_MAX_FAILURES") else None


def backoff(failures: int) -> timedelta:
    """Wait one schedule interval after one failure, two after two: 6 h, 12 h, …"""
    # A little slack so that a tick landing a few seconds early is not skipped.
    interval = timedelta(hours=conf("SCHEDULE_EVERY_HOURS")) * 2 ** (failures - 1)
    return interval - timedelta(minutes=5)


def analysis_schedule(*, experiment: Experiment, now=None) -> AnalysisRun | None:
    """Queue a scheduled run unless the inputs are unchanged, it is backing off, or stopped."""
    now = now or timezone.now()
    streak = failure_streak(experiment.id)
    if len(streak) >= conf("SCHEDULE_MAX_FAILURES"):
        return None
    if streak and streak[0].finished_at > now - backoff(len(streak)):
        return None
    return analysis_request(experiment=experiment, trigger=Trigger.SCHEDULE, skip_unchanged=True)
