"""The claim: one attempt at a job, held by one worker, named by a token on the row."""

import secrets
import time
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from jobs.kinds import JobKind, conf
from jobs.models import JobStatus
from jobs.signals import job_done_send


class JobLost(Exception):
    """This attempt no longer holds the job (the watchdog queued it again); stop quietly."""


class JobBusy(Exception):
    """A constraint lets one such job run at a time and another is running; retry shortly."""


@dataclass(frozen=True)
class Delivery:
    """One delivery of a job's message: its Celery task id and retry number."""

    name: str
    previous: str | None = None  # the delivery this retry may take the job back from

    @classmethod
    def of(cls, request) -> "Delivery":
        retries = request.retries or 0
        previous = f"{request.id}:{retries - 1}" if retries else None
        return cls(f"{request.id}:{retries}", previous)

    @classmethod
    def local(cls) -> "Delivery":
        """A call made without a message (a test, a shell): it can take nothing back."""
        return cls(f"local-{secrets.token_hex(8)}:0")


@dataclass(eq=False)
class Attempt:
    """This worker's hold on a job: every write goes through it, and stops once it is lost."""

    kind: JobKind
    job_id: int
    token: str
    checked_at: float = field(default_factory=time.monotonic)

    def held(self):
        """The job's row, only while this attempt still holds it."""
        rows = self.kind.rows().filter(id=self.job_id)
        return rows.filter(status=JobStatus.RUNNING, claim=self.token)

    def update(self, **fields) -> None:
        if not self.held().update(**fields):
            raise JobLost(self.job_id)

    def finish(self, **fields) -> None:
        """Mark the job succeeded with the kind's own fields; raise JobLost if it was taken."""
        now = timezone.now()
        self.update(status=JobStatus.SUCCEEDED, finished_at=now, heartbeat_at=now, **fields)
        job_done_send(self.kind, self.job_id, JobStatus.SUCCEEDED)

    def fail(self, message: str | None = None, **fields) -> bool:
        """Mark the job failed, saying why in `message` or in the kind's own `fields`; False if
        this attempt no longer held it."""
        if message is not None:
            fields = {**self.kind.failure_fields(message), **fields}
        now = timezone.now()
        failed = self.held().update(
            status=JobStatus.FAILED, finished_at=now, heartbeat_at=now, **fields
        )
        if failed:
            job_done_send(self.kind, self.job_id, JobStatus.FAILED)
        return bool(failed)

    def checkpoint(self) -> None:
        """Raise JobLost once the job was taken away; long work calls it between steps."""
        if time.monotonic() - self.checked_at < conf("HEARTBEAT_EVERY_SECONDS"):
            return
        if not self.held().exists():
            raise JobLost(self.job_id)
        self.checked_at = time.monotonic()


def job_claim(kind: JobKind, job_id: int, delivery: Delivery) -> Attempt | None:
    """This delivery's attempt if it now holds the job; None if another holds it or it is done.

    A queued job is free to take. A retry of the same message may also take the job back from
    its own previous delivery. Raise JobBusy when the kind's one-at-a-time constraint refuses.
    """
    free = Q(status=JobStatus.QUEUED)
    if delivery.previous:
        free |= Q(status=JobStatus.RUNNING, claim__startswith=f"{delivery.previous}/")
    rows = kind.rows().filter(Q(id=job_id) & free)
    token, now = f"{delivery.name}/{secrets.token_hex(4)}", timezone.now()
    try:
        with transaction.atomic():
            claimed = rows.update(
                status=JobStatus.RUNNING,
                claim=token,
                started_at=now,
                heartbeat_at=now,
                attempts=F("attempts") + 1,
                **kind.claim_fields,
            )
    except IntegrityError as busy:
        # Its message lives on in the task's retries: the watchdog need not send another.
        rows.filter(status=JobStatus.QUEUED).update(sent_at=now)
        raise JobBusy(job_id) from busy
    return Attempt(kind, job_id, token) if claimed else None
