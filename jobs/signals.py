"""What a finished job tells the apps above it, which `jobs` must not import.

`job_done` is sent once the transaction that marked a job succeeded or failed has committed,
with `kind` (the JobKind), `job_id` and `status`. A receiver's error is logged and never undoes
or fails the job it hears about.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

job_done = Signal()


def job_done_send(kind, job_id: int, status: str) -> None:
    """Send `job_done` after commit; an error in a receiver is logged, not raised."""

    def send() -> None:
        for receiver, result in job_done.send_robust(
            sender=kind.model, kind=kind, job_id=job_id, status=status
        ):
            if isinstance(result, Exception):
                logger.error("%s after %s %s failed", receiver, kind.name, job_id, exc_info=result)

    transaction.on_commit(send)
