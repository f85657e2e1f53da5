"""Thin tasks: a read-back's id in, one service call; beat's daily sweep of due read-backs."""

from celery import shared_task

from jobs.tasks import TASK_OPTIONS, job_task_run


@shared_task(bind=True, **TASK_OPTIONS)
def readback_execute_task(self, readback_id: int) -> None:
    from learnings.readbacks import readback_execute

    job_task_run(self, readback_execute, readback_id=readback_id)


@shared_task(**TASK_OPTIONS)
def scheduled_readback_sweep_task() -> None:
    from learnings.readbacks import readback_sweep

    readback_sweep()
