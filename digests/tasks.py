"""Thin tasks: beat's Monday fan-out, and one digest e-mail by its job id."""

from celery import shared_task

from jobs.tasks import TASK_OPTIONS, job_task_run


@shared_task(bind=True, **TASK_OPTIONS)
def digest_send_execute_task(self, send_id: int) -> None:
    from digests.services import digest_send_execute

    job_task_run(self, digest_send_execute, send_id=send_id)


@shared_task(**TASK_OPTIONS)
def scheduled_digest_fanout_task() -> None:
    from digests.services import digests_schedule

    digests_schedule()
