"""What every task shares: late acknowledgement, one retry policy, and the watchdog's task."""

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError

from jobs.attempt import Delivery, JobBusy
from jobs.services import TRANSIENT_ERRORS

# The database or the broker briefly unreachable: waiting helps. Anything else is a bug or
# bad data, and retrying would only repeat it.
TASK_OPTIONS = {
    "acks_late": True,  # a worker that dies mid-task leaves its message for another
    "autoretry_for": (*TRANSIENT_ERRORS, BrokerError),
    "retry_backoff": True,  # 1 s, 2 s, 4 s … so a restarting database is not hammered
    "retry_backoff_max": 60,
    "retry_jitter": True,  # workers that failed together do not retry together
    "max_retries": 8,  # up to about three minutes: a database restart, not an outage
}
# A job that must wait for another of its kind (one load per experiment at a time).
BUSY_RETRY_SECONDS = 5
BUSY_MAX_RETRIES = 120


def job_task_run(task, execute, **job) -> None:
    """Call `execute(**job, delivery=…)` for this delivery; a busy job is retried shortly."""
    try:
        execute(**job, delivery=Delivery.of(task.request))
    except JobBusy as busy:
        raise task.retry(countdown=BUSY_RETRY_SECONDS, max_retries=BUSY_MAX_RETRIES) from busy


@shared_task(**TASK_OPTIONS)
def scheduled_job_watchdog_task() -> None:
    from jobs.watchdog import watchdog_sweep_all

    watchdog_sweep_all()
