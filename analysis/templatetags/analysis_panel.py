import math

from django import template

from accounts import access
from analysis.conf import conf
from analysis.selectors import analysis_state
from analysis.services.schedule import SCHEDULED_STATUSES
from growthlab.web import numbers

register = template.Library()


@register.inclusion_tag("analysis/panel.html", takes_context=True)
def analysis_panel(context, experiment):
    """The last good result with its time, any failure since, and the re-analyse button."""
    user = context["request"].user
    return {
        "experiment": experiment,
        "state": analysis_state(experiment),
        "can_edit": access.can_edit_experiment(user, experiment),
        "scheduled": experiment.status in SCHEDULED_STATUSES,
        "max_failures": conf("SCHEDULE_MAX_FAILURES"),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def percent(value) -> str:
    """A fraction as a signed percentage: 0.123 → "+12.3%"; an open interval end → "…"."""
    if value is None or math.isinf(value):
        return "…"
    return numbers.percent(value * 100, 1, signed=True)
