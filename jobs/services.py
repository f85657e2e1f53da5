"""Sending a job's message and running one attempt at it."""

import logging
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from jobs import wording
from jobs.attempt import Attempt, Delivery, JobLost, job_claim
from jobs.heartbeat import beating
from jobs.kinds import JobKind

logger = logging.getLogger(__name__)

# The database briefly unreachable: the task retries, and its next delivery takes the job back.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def job_send(kind: JobKind, job_ids: list[int]) -> None:
    """Send each job's message once the transaction commits (never for a rolled-back row)."""
    task = kind.execute_task()
    for job_id in job_ids:
        task.delay_on_commit(job_id)


def job_execute(
    kind: JobKind,
    *,
    job_id: int,
    delivery: Delivery | None,
    work: Callable[[Attempt], None],
) -> None:
    """Claim the job and run `work(attempt)` while beating; a duplicate delivery writes nothing.

    `work` ends with `attempt.finish(...)`, or `attempt.fail(...)` for a failure it foresees.
    Anything else it raises fails the job in the shared words, except a transient database
    error, which the task retries.
    """
    attempt = job_claim(kind, job_id, delivery or Delivery.local())
    if attempt is None:
        return
    try:
        with beating(attempt):
            work(attempt)
    except JobLost:
        logger.info("%s %s was taken over; this delivery stops", kind.name, job_id)
    except TRANSIENT_ERRORS:
        raise
    except SoftTimeLimitExceeded:
        attempt.fail(wording.too_slow(kind))
    except Exception as error:
        logger.exception("%s %s failed", kind.name, job_id)
        attempt.fail(wording.failed_on_our_side(kind, error))
