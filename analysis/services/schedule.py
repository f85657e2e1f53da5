"""Scheduled refresh: every running test re-analysed on time, backing off when it fails."""

from datetime import timedelta

from django.utils import timezone

from analysis.conf import conf
from analysis.models import AnalysisRun, RunStatus, Trigger
from analysis.services.runs import analysis_request
from experiments.models import Experiment

SCHEDULED_STATUSES = (Experiment.Status.RUNNING,)


def experiments_to_refresh() -> list[int]:
    """Ids of the tests the schedule looks at: those collecting data now."""
    return list(
        Experiment.objects.filter(status__in=SCHEDULED_STATUSES)
        .filter(outcome_cohorts__isnull=False)
        .distinct()
        .values_list("id", flat=True)
    )


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
