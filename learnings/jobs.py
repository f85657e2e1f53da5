"""Read-backs are jobs once due: claimed, beating, watched, failed in the shared words."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jobs.kinds import JobKind, register
from jobs.models import ACTIVE_STATUSES, DONE_STATUSES
from learnings.models import ReadBack

READBACKS = register(
    JobKind(
        model=ReadBack,
        task="learnings.tasks.readback_execute_task",
        work=_("the read-back"),
        doing=_("reading this test back"),
        failure_fields=lambda message: {"error": message},
        # Scheduled and waiting read-backs are plans, not work a worker holds.
        scope=Q(status__in=[*ACTIVE_STATUSES, *DONE_STATUSES]),
    )
)
