"""A kind of job: its model, its task, the words for it, and where a failure is written."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

DEFAULTS = {
    # A running job's thread beats this often, whatever its work is doing.
    "HEARTBEAT_EVERY_SECONDS": 2,
    # Silent this long: its worker is gone. Far above a beat, so a busy host is not mistaken.
    "HEARTBEAT_STALE_SECONDS": 60,
    # Queued this long since its message went out: the broker may have lost the message.
    "QUEUED_STALE_SECONDS": 10 * 60,
}
KINDS: list["JobKind"] = []


def conf(name: str):
    return getattr(settings, f"JOBS_{name}", DEFAULTS[name])


@dataclass(frozen=True)
class JobKind:
    model: type  # a subclass of jobs.models.Job
    task: str  # dotted path of the Celery task that executes one job by its id
    work: str  # what the job is, as a sentence names it: "the analysis"
    doing: str  # what its worker does: "analysing this"
    # The fields that tell a marketer why the job failed, from one sentence.
    failure_fields: Callable[[str], dict]
    # ...and the note left when the watchdog queued it again (by default, the same fields).
    requeue_fields: Callable[[str], dict] | None = None
    # Claims it may use before the watchdog gives it up: work that kills every worker (a file
    # too large for memory, say) must not be retried forever.
    max_attempts: int = 3
    claim_fields: dict = field(default_factory=dict)  # written by each claim, e.g. a phase
    # The rows that are jobs of this kind, when the model also holds rows no worker takes
    # (an alert's delivery kept for the weekly digest waits as queued, but is not a job).
    scope: Q | None = None

    @property
    def name(self) -> str:
        return str(self.model._meta.verbose_name)

    def rows(self):
        rows = self.model.objects.all()
        return rows if self.scope is None else rows.filter(self.scope)

    def execute_task(self):
        """The Celery task, looked up when used: tasks import services, which import kinds."""
        return import_string(self.task)

    def requeued(self, message: str) -> dict:
        return (self.requeue_fields or self.failure_fields)(message)


def register(kind: JobKind) -> JobKind:
    """Make the watchdog sweep this kind; call it once, in the app's jobs.py."""
    KINDS.append(kind)
    return kind
