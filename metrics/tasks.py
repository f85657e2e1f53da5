"""Celery tasks: an id in, one service call; the logic lives in services, testable alone."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

LOAD_BUSY_RETRY_SECONDS = 5


@shared_task(
    bind=True,
    acks_late=True,
    # Only errors that pass by themselves: the database or the broker briefly unreachable.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def data_load_execute_task(self, load_id: int) -> None:
    from metrics.ingestion.services import LoadBusy, data_load_execute

    try:
        data_load_execute(load_id=load_id)
    except LoadBusy as busy:
        # Loads of one experiment run one at a time; this one waits for the other to finish.
        raise self.retry(countdown=LOAD_BUSY_RETRY_SECONDS, max_retries=120) from busy


@shared_task(acks_late=True)
def scheduled_sql_refresh_task() -> None:
    from metrics.ingestion.sources import sql_refresh_all

    sql_refresh_all()


@shared_task(acks_late=True)
def scheduled_data_load_watchdog_task() -> None:
    from metrics.ingestion.watchdog import data_load_watchdog_sweep

    data_load_watchdog_sweep()
