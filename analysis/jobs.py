"""Analysis runs are jobs: claimed, beating, watched and failed in the shared words."""

from django.utils.translation import gettext_lazy as _

from analysis.models import AnalysisRun
from jobs.kinds import JobKind, register

ANALYSIS_RUNS = register(
    JobKind(
        model=AnalysisRun,
        task="analysis.tasks.analysis_run_execute_task",
        work=_("the analysis"),
        doing=_("analysing this"),
        # The page shows `error` beside the last good result, and the lost worker's note
        # while the run waits again; a success clears it.
        failure_fields=lambda message: {"error": message},
        max_attempts=5,
    )
)
