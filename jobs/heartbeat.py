"""A running job's heartbeat: a thread, so a long query or parse still shows its worker alive."""

import logging
import threading
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jobs.attempt import Attempt
from jobs.kinds import conf

logger = logging.getLogger(__name__)


def beat_once(attempt: Attempt) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The worker's own transaction may hold the row while it saves: skip a beat then.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
        attempt.held().update(heartbeat_at=timezone.now())


@contextmanager
def beating(attempt: Attempt):
    """Beat from a thread, on its own connection, while the body runs."""
    stop, every = threading.Event(), conf("HEARTBEAT_EVERY_SECONDS")

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat_once(attempt)
                except DatabaseError:
                    logger.warning("%s %s missed a heartbeat", attempt.kind.name, attempt.job_id)
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=beat, name=f"job-{attempt.job_id}-beat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
