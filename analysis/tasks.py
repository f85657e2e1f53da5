"""Celery tasks: an id in, one service call. Retries only for errors that pass by themselves."""

from celery import shared_task

from jobs.tasks import TASK_OPTIONS, job_task_run

# An analysis takes about a second; minutes mean something is wrong. Both stay far below the
# broker's visibility timeout, so Redis never hands a running analysis to a second worker.
ANALYSIS_LIMITS = {"soft_time_limit": 5 * 60, "time_limit": 6 * 60}


@shared_task(bind=True, **TASK_OPTIONS, **ANALYSIS_LIMITS)
def analysis_run_execute_task(self, run_id: int) -> None:
    from analysis.services.runs import analysis_run_execute

    job_task_run(self, analysis_run_execute, run_id=run_id)


@shared_task(**TASK_OPTIONS)
def scheduled_analysis_refresh_task() -> None:
    from analysis.services.schedule import analysis_refresh

    analysis_refresh()
