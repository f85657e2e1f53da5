"""Celery tasks: an id in, one service call; the logic lives in services, testable alone."""

from celery import shared_task

from jobs.tasks import TASK_OPTIONS, job_task_run


@shared_task(bind=True, **TASK_OPTIONS)
def data_load_execute_task(self, load_id: int) -> None:
    from metrics.ingestion.services import data_load_execute

    # Loads of one experiment run one at a time: a busy one is retried shortly.
    job_task_run(self, data_load_execute, load_id=load_id)


@shared_task(**TASK_OPTIONS)
def scheduled_sql_refresh_task() -> None:
    from metrics.ingestion.sources import sql_refresh_all

    sql_refresh_all()
