"""Scheduled refresh: every running test re-analysed on time, backing off when it fails.

A test whose inputs did not change since its last analysis is skipped at the fan-out, from
one query for all tests, and counted on that analysis's run (`unchanged_checks`).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import batched

from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from analysis.conf import conf
from analysis.models import AnalysisRun, RunStatus, Trigger
from analysis.services.inputs import STAMP_FIELDS, fingerprint_of, inputs_stamps
from analysis.services.runs import analysis_request, analysis_requests, runs_unchanged_record
from experiments.models import Experiment
from metrics.models import OutcomeCohort

logger = logging.getLogger(__name__)

SCHEDULED_STATUSES = (Experiment.Status.RUNNING,)
# Tests requested per transaction by the refresh: its runs' messages go out as it commits.
# A hundred tests' stamps stay below the cost at which PostgreSQL compiles a query (JIT).
REFRESH_BATCH = 100


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


def analysis_refresh(now=None) -> list[AnalysisRun]:
    """Beat's refresh: count the unchanged tests, and queue a run for each changed one that is
    not backing off; return those runs (queued now, or already waiting).

    The changed tests are requested here, a batch at a time in a few queries for the batch
    (`analysis_requests`), each batch's messages sent as it commits: workers start analysing
    while later batches are still being queued, and no task per test is needed only to queue
    its run. Idempotent, like each request: a retry finds the runs already waiting.
    """
    now = now or timezone.now()
    runs = []
    for batch in batched(analysis_refresh_fan_out(), REFRESH_BATCH):
        streaks = failure_streaks(batch)
        due = [i for i in batch if not schedule_holds(streaks.get(i, []), now)]
        try:
            requested = scheduled_requests(due)
        except DatabaseError:
            raise  # the database is away: the task retries, and every request is idempotent
        except Exception:
            # One test whose request fails must hold back neither the rest of its batch nor
            # the batches after it: the batch is requested again one test at a time.
            logger.exception("scheduled refresh: a batch of %d tests failed", len(due))
            requested = {}
            for experiment_id in due:
                requested |= scheduled_request_alone(experiment_id)
        runs += [run for run in requested.values() if run is not None]
    return runs


def scheduled_requests(experiment_ids) -> dict[int, AnalysisRun | None]:
    return analysis_requests(
        experiment_ids=experiment_ids, trigger=Trigger.SCHEDULE, skip_unchanged=True
    )


def scheduled_request_alone(experiment_id: int) -> dict[int, AnalysisRun | None]:
    """One test's scheduled request; a failure is logged, and the next refresh tries again."""
    try:
        return scheduled_requests([experiment_id])
    except DatabaseError:
        raise
    except Exception:
        logger.exception("scheduled refresh: experiment %s could not be requested", experiment_id)
        return {}


def failure_streaks(experiment_ids) -> dict[int, list[AnalysisRun]]:
    """{experiment id: its failed runs since its last success, newest first}, in one query;
    a test without such a failure is left out."""
    finished = AnalysisRun.objects.filter(
        experiment_id__in=experiment_ids, status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]
    )
    newest_first = Window(
        RowNumber(),
        partition_by=[F("experiment_id")],
        order_by=[F("finished_at").desc(), F("id").desc()],
    )
    latest = finished.annotate(rank=newest_first).filter(rank__lte=conf("SCHEDULE_MAX_FAILURES"))
    streaks, ended = {}, set()
    for run in latest.order_by("experiment_id", "rank"):
        if run.status == RunStatus.SUCCEEDED:
            ended.add(run.experiment_id)
        elif run.experiment_id not in ended:
            streaks.setdefault(run.experiment_id, []).append(run)
    return streaks


def failure_streak(experiment_id: int) -> list[AnalysisRun]:
    """The failed runs since the last success, newest first."""
    return failure_streaks([experiment_id]).get(experiment_id, [])


def schedule_stopped(experiment_id: int) -> AnalysisRun | None:
    """The latest failure when the schedule gave up on this test; None while it still tries."""
    streak = failure_streak(experiment_id)
    return streak[0] if len(streak) >= conf("SCHEDULE_MAX_FAILURES") else None


def schedule_holds(streak: list[AnalysisRun], now) -> bool:
    """Whether a test with these failures (`failure_streak`) is left out of the schedule now:
    stopped after too many, or backing off after the latest."""
    if len(streak) >= conf("SCHEDULE_MAX_FAILURES"):
        return True
    return bool(streak) and streak[0].finished_at > now - backoff(len(streak))


def backoff(failures: int) -> timedelta:
    """Wait one schedule interval after one failure, two after two: 6 h, 12 h, …"""
    # A little slack so that a tick landing a few seconds early is not skipped.
    interval = timedelta(hours=conf("SCHEDULE_EVERY_HOURS")) * 2 ** (failures - 1)
    return interval - timedelta(minutes=5)


def analysis_schedule(*, experiment: Experiment, now=None) -> AnalysisRun | None:
    """Queue a scheduled run unless the inputs are unchanged, it is backing off, or stopped."""
    if schedule_holds(failure_streak(experiment.id), now or timezone.now()):
        return None
    return analysis_request(experiment=experiment, trigger=Trigger.SCHEDULE, skip_unchanged=True)
