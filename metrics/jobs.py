"""Data loads are jobs: claimed, beating, watched and failed in the shared words."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from jobs.kinds import JobKind, register
from metrics.ingestion.problems import Problem
from metrics.models import DataLoad

WORKER_LOST_PHASE = gettext_noop("worker lost; queued again")
FAILED_PHASE = gettext_noop("failed")


def failure_fields(message: str) -> dict:
    """A failure the load page lists under "Nothing was saved", like a rejected file's."""
    return {"phase": FAILED_PHASE, "errors": [Problem(message).as_dict()], "errors_more": 0}


DATA_LOADS = register(
    JobKind(
        model=DataLoad,
        task="metrics.tasks.data_load_execute_task",
        work=_("the load"),
        doing=_("loading this data"),
        failure_fields=failure_fields,
        # A queued load shows its phase beside the status; the time is in the worker's log.
        requeue_fields=lambda message: {"phase": WORKER_LOST_PHASE},
        claim_fields={"phase": gettext_noop("starting")},
    )
)
