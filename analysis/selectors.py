"""Reading analysis runs and results: what the experiment page and the API show."""

from dataclasses import dataclass, field

from analysis.models import AnalysisResult, AnalysisRun, RunStatus
from analysis.services.schedule import schedule_stopped
from jobs.models import ACTIVE_STATUSES


def latest_success(experiment) -> AnalysisRun | None:
    """The newest succeeded run (its results may be an earlier run's, for unchanged inputs)."""
    runs = AnalysisRun.objects.filter(experiment=experiment, status=RunStatus.SUCCEEDED)
    return runs.select_related("results_run").order_by("-finished_at", "-id").first()


def latest_results(experiment) -> list[AnalysisResult]:
    """The rows of the last successful answer, metric by metric, control first."""
    rows = AnalysisResult.objects.filter(experiment=experiment, is_current=True)
    return list(rows.select_related("metric", "variant"))


def latest_failure(experiment) -> AnalysisRun | None:
    """The newest failed run, if it is newer than the last success: a failure not yet fixed."""
    failed = AnalysisRun.objects.filter(experiment=experiment, status=RunStatus.FAILED)
    success = latest_success(experiment)
    if success is not None:
        failed = failed.filter(finished_at__gt=success.finished_at)
    return failed.order_by("-finished_at", "-id").first()


def active_run(experiment) -> AnalysisRun | None:
    runs = AnalysisRun.objects.filter(experiment=experiment, status__in=ACTIVE_STATUSES)
    return runs.order_by("-queued_at").first()


@dataclass
class AnalysisState:
    """Everything the result panel needs: last good answer, unfixed failure, work under way."""

    success: AnalysisRun | None
    results: list[AnalysisResult] = field(default_factory=list)
    failure: AnalysisRun | None = None
    active: AnalysisRun | None = None
    schedule_stopped: AnalysisRun | None = None

    @property
    def computed_at(self):
        return self.success.results_run.finished_at if self.success else None

    @property
    def treatments(self) -> list[AnalysisResult]:
        return [row for row in self.results if not row.is_control]


def analysis_state(experiment) -> AnalysisState:
    return AnalysisState(
        success=latest_success(experiment),
        results=latest_results(experiment),
        failure=latest_failure(experiment),
        active=active_run(experiment),
        schedule_stopped=schedule_stopped(experiment.id),
    )
