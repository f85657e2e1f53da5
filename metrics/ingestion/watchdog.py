"""The load watchdog: no load stays running after its worker died, none queued forever.

It trusts only the rows. A running load whose heartbeat stopped lost its worker (killed, out
of memory, host gone): it goes back to the queue, or fails once it has used its attempts. A
queued load whose message is old may have been lost with Redis: its message is sent again.
The claim (a conditional UPDATE) makes a duplicate message harmless.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from metrics.ingestion.problems import Problem
from metrics.models import DataLoad

logger = logging.getLogger(__name__)

DEFAULTS = {
    # A running load's thread beats this often, whatever the parser or the warehouse is doing.
    "HEARTBEAT_EVERY_SECONDS": 2,
    # Silent this long: its worker is gone. Far above a beat, so a busy host is not mistaken.
    "HEARTBEAT_STALE_SECONDS": 60,
    # Queued this long since its message went out: the broker may have lost the message.
    "QUEUED_STALE_SECONDS": 10 * 60,
    # Claims a load may use before it is given up as failed: a file that kills every worker
    # (out of memory, say) must not be retried forever.
    "MAX_ATTEMPTS": 3,
}
WORKER_LOST_PHASE = "worker lost; queued again"
GAVE_UP_PHASE = "worker lost; given up"
GAVE_UP = (
    "The worker loading this data stopped {attempts} times, so the load was given up; "
    "nothing was saved. Try again, or tell an admin if it happens again."
)


def conf(name: str):
    return getattr(settings, f"INGESTION_{name}", DEFAULTS[name])


@dataclass
class Sweep:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)


def send(load_ids: list[int]) -> None:
    from metrics.tasks import data_load_execute_task

    for load_id in load_ids:
        transaction.on_commit(lambda load_id=load_id: data_load_execute_task.delay(load_id))


def rescue_stale_running(now, stale_after: timedelta, sweep: Sweep) -> None:
    stale = DataLoad.objects.filter(
        status=DataLoad.Status.RUNNING, heartbeat_at__lt=now - stale_after
    )
    for load in stale.only("id", "attempts", "heartbeat_at"):
        still = stale.filter(id=load.id, heartbeat_at=load.heartbeat_at)  # unchanged since read
        if load.attempts >= conf("MAX_ATTEMPTS"):
            problem = Problem(GAVE_UP.format(attempts=load.attempts))
            if still.update(status=DataLoad.Status.FAILED, phase=GAVE_UP_PHASE,
                            errors=[problem.as_dict()], finished_at=now):  # fmt: skip
                sweep.failed.append(load.id)
            continue
        if still.update(status=DataLoad.Status.QUEUED, phase=WORKER_LOST_PHASE, sent_at=now):
            sweep.requeued.append(load.id)


def resend_stale_queued(now, stale_after: timedelta, sweep: Sweep) -> None:
    cutoff = now - stale_after
    old = Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, created_at__lt=cutoff)
    stale = DataLoad.objects.filter(old, status=DataLoad.Status.QUEUED)
    for load_id in stale.values_list("id", flat=True):
        if stale.filter(id=load_id).update(sent_at=now):
            sweep.resent.append(load_id)


@transaction.atomic
def data_load_watchdog_sweep(
    *, now=None, heartbeat_stale: float | None = None, queued_stale: float | None = None
) -> Sweep:
    """Requeue or fail loads whose worker died; resend messages of loads queued too long."""
    now = now or timezone.now()
    beat = timedelta(seconds=heartbeat_stale or conf("HEARTBEAT_STALE_SECONDS"))
    queued = timedelta(seconds=queued_stale or conf("QUEUED_STALE_SECONDS"))
    sweep = Sweep()
    rescue_stale_running(now, beat, sweep)
    resend_stale_queued(now, queued, sweep)
    send(sweep.requeued + sweep.resent)
    if sweep.requeued or sweep.failed or sweep.resent:
        logger.warning("Data load watchdog: %s", sweep)
    return sweep
