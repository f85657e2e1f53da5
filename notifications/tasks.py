"""Celery tasks: an id in, one service call."""

from celery import shared_task

from jobs.tasks import TASK_OPTIONS, job_task_run


@shared_task(bind=True, **TASK_OPTIONS)
def delivery_execute_task(self, delivery_id: int) -> None:
    from notifications.delivery import delivery_execute

    job_task_run(self, delivery_execute, delivery_id=delivery_id)


@shared_task(**TASK_OPTIONS)
def scheduled_alerts_sweep_task() -> None:
    """Hourly: no new data past the grace period, planned ends reached, reviews due."""
    from notifications.sweep import alerts_sweep

    alerts_sweep()
