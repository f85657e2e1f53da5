"""A running load's claim and heartbeat.

The claim's start time is its token: the watchdog queues a silent load again, the next claim
writes a new start time, and every later write of the old worker (progress, failure, the
statistics) finds no row holding its token and changes nothing.
"""

import logging
import threading
from contextlib import contextmanager
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from metrics.models import DataLoad

logger = logging.getLogger(__name__)


class LoadLost(Exception):
    """This worker no longer holds the load (the watchdog queued it again); stop quietly."""


def held(load_id: int, token: datetime):
    return DataLoad.objects.filter(id=load_id, status=DataLoad.Status.RUNNING, started_at=token)


def beat_once(load_id: int, token: datetime) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The worker's own transaction may hold the row while it saves: skip a beat then.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
        held(load_id, token).update(heartbeat_at=timezone.now())


@contextmanager
def beating(load_id: int, token: datetime, every: float):
    """Beat from a thread while the body runs: a long query or parse reports no progress."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat_once(load_id, token)
                except DatabaseError:
                    logger.warning("Data load %s missed a heartbeat", load_id)
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=beat, name=f"data-load-{load_id}-beat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def data_load_progress(load_id: int, token: datetime):
    """A progress sink for the parser; raise LoadLost once the load was queued again."""

    def report(phase: str, percent: int, rows: int) -> None:
        written = held(load_id, token).update(
            phase=phase, progress_percent=percent, rows_read=rows, heartbeat_at=timezone.now()
        )
        if not written:
            raise LoadLost(load_id)

    return report
