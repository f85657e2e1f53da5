"""Deliveries are jobs: claimed, beating, watched; one kept for the digest is no job."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jobs.kinds import JobKind, register
from notifications.models import Channel, Delivery

DELIVERIES = register(
    JobKind(
        model=Delivery,
        task="notifications.tasks.delivery_execute_task",
        work=_("the alert"),
        doing=_("sending this alert"),
        failure_fields=lambda message: {"error": message},
        # Tries to the receiver are counted in `tries`; these are claims by workers.
        max_attempts=3,
        scope=~Q(channel=Channel.DIGEST),
    )
)
