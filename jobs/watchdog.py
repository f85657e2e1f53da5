"""The watchdog: no job stays running after its worker died, none queued forever.

It trusts only the rows. A running job whose heartbeat stopped lost its worker (killed, out of
memory, host gone): it goes back to the queue with the reason noted, or fails once it has used
its attempts. A queued job whose message is old may have been lost with Redis: its message is
sent again; the claim makes a duplicate harmless.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jobs import wording
from jobs.kinds import KINDS, JobKind, conf
from jobs.models import JobStatus
from jobs.services import job_send
from jobs.signals import job_done_send

logger = logging.getLogger(__name__)


@dataclass
class Sweep:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)


def rescue_stale_running(kind: JobKind, now, stale_after: timedelta, sweep: Sweep) -> None:
    stale = kind.rows().filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - stale_after)
    for job in stale.only("id", "attempts", "heartbeat_at"):
        still = stale.filter(id=job.id, heartbeat_at=job.heartbeat_at)  # unchanged since read
        if job.attempts >= kind.max_attempts:
            reason = kind.failure_fields(wording.gave_up(kind, job.attempts))
            if still.update(status=JobStatus.FAILED, claim="", finished_at=now, **reason):
                sweep.failed.append(job.id)
                job_done_send(kind, job.id, JobStatus.FAILED)
            continue
        note = kind.requeued(wording.worker_lost(kind, timezone.localtime(job.heartbeat_at)))
        if still.update(status=JobStatus.QUEUED, claim="", sent_at=now, **note):
            sweep.requeued.append(job.id)


def resend_stale_queued(kind: JobKind, now, stale_after: timedelta, sweep: Sweep) -> None:
    stale = kind.rows().filter(status=JobStatus.QUEUED, sent_at__lt=now - stale_after)
    for job_id in stale.values_list("id", flat=True):
        if stale.filter(id=job_id).update(sent_at=now):
            sweep.resent.append(job_id)


@transaction.atomic
def watchdog_sweep(
    kind: JobKind,
    *,
    now=None,
    heartbeat_stale: float | None = None,
    queued_stale: float | None = None,
) -> Sweep:
    """Requeue or fail jobs whose worker died; resend messages of jobs queued too long."""
    now = now or timezone.now()
    beat = timedelta(seconds=heartbeat_stale or conf("HEARTBEAT_STALE_SECONDS"))
    queued = timedelta(seconds=queued_stale or conf("QUEUED_STALE_SECONDS"))
    sweep = Sweep()
    rescue_stale_running(kind, now, beat, sweep)
    resend_stale_queued(kind, now, queued, sweep)
    job_send(kind, sweep.requeued + sweep.resent)
    if sweep.requeued or sweep.failed or sweep.resent:
        logger.warning("Watchdog of %s: %s", kind.name, sweep)
    return sweep


def watchdog_sweep_all() -> dict[str, Sweep]:
    """Sweep every registered kind, each in its own transaction."""
    return {kind.name: watchdog_sweep(kind) for kind in KINDS}
