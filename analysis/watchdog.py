"""The database watchdog: no run stays running after its worker died, none queued forever.

It trusts only the rows. A running run whose heartbeat stopped lost its worker (killed, out of
memory, host gone): it goes back to the queue with the reason noted, or fails once it has used
its attempts. A queued run whose message is old may have been lost with Redis: its message is
sent again; the claim makes a duplicate harmless.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from analysis.conf import conf
from analysis.models import AnalysisRun, RunStatus

logger = logging.getLogger(__name__)

WORKER_LOST = "The worker analysing this stopped at {time:%H:%M:%S}; it was queued again."
GAVE_UP = "The worker analysing this stopped {attempts} times; giving up. Press re-analyse."


@dataclass
class Sweep:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)


def send(run_ids: list[int]) -> None:
    from analysis.tasks import analysis_run_execute_task

    for run_id in run_ids:
        transaction.on_commit(lambda run_id=run_id: analysis_run_execute_task.delay(run_id))


def rescue_stale_running(now, stale_after: timedelta, sweep: Sweep) -> None:
    stale = AnalysisRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=now - stale_after)
    for run in stale.only("id", "attempts", "heartbeat_at"):
        still = stale.filter(id=run.id, heartbeat_at=run.heartbeat_at)  # unchanged since read
        if run.attempts >= conf("MAX_ATTEMPTS"):
            if still.update(status=RunStatus.FAILED, claim="", finished_at=now,
                            error=GAVE_UP.format(attempts=run.attempts)):  # fmt: skip
                sweep.failed.append(run.id)
            continue
        lost_at = timezone.localtime(run.heartbeat_at)
        if still.update(status=RunStatus.QUEUED, claim="", sent_at=now,
                        error=WORKER_LOST.format(time=lost_at)):  # fmt: skip
            sweep.requeued.append(run.id)


def resend_stale_queued(now, stale_after: timedelta, sweep: Sweep) -> None:
    stale = AnalysisRun.objects.filter(status=RunStatus.QUEUED, sent_at__lt=now - stale_after)
    for run_id in stale.values_list("id", flat=True):
        if stale.filter(id=run_id).update(sent_at=now):
            sweep.resent.append(run_id)


@transaction.atomic
def analysis_watchdog_sweep(
    *, now=None, heartbeat_stale: float | None = None, queued_stale: float | None = None
) -> Sweep:
    """Requeue or fail runs whose worker died; resend messages of runs queued too long."""
    now = now or timezone.now()
    beat = timedelta(seconds=heartbeat_stale or conf("HEARTBEAT_STALE_SECONDS"))
    queued = timedelta(seconds=queued_stale or conf("QUEUED_STALE_SECONDS"))
    sweep = Sweep()
    rescue_stale_running(now, beat, sweep)
    resend_stale_queued(now, queued, sweep)
    send(sweep.requeued + sweep.resent)
    if sweep.requeued or sweep.failed or sweep.resent:
        logger.warning("Analysis watchdog: %s", sweep)
    return sweep
