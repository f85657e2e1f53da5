"""What only the clock reveals, evaluated by beat every hour: silence, ends, reviews."""

from django.utils import timezone

from experiments.models import Experiment
from notifications import evaluate
from notifications.models import Alert, TeamAlertSettings
from notifications.services import alerts_raise
from sprints.models import Sprint


def alerts_sweep(now=None) -> list[Alert]:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    grace = dict(TeamAlertSettings.objects.values_list("team_id", "no_data_grace_days"))
    default_grace = TeamAlertSettings._meta.get_field("no_data_grace_days").default
    raised = []
    running = Experiment.objects.filter(status__in=evaluate.RUNNING, started_at__isnull=False)
    for experiment in running:
        days = grace.get(experiment.team_id, default_grace)
        raised += [
            found
            for found in (
                evaluate.no_data_alert(experiment, days, now),
                evaluate.planned_end_alert(experiment, today),
            )
            if found
        ]
    for sprint in Sprint.objects.filter(status=Sprint.Status.ACTIVE, ends_on__lte=today):
        if found := evaluate.sprint_review_alert(sprint, today):
            raised.append(found)
    return alerts_raise(raised)
