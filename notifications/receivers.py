"""Where this app listens: finished jobs below it, and the page slots it fills."""

import logging

from django.dispatch import receiver
from django.template.loader import render_to_string

from experiments.signals import signoff_changed
from growthlab.web.slots import slot_register
from jobs.models import JobStatus
from jobs.signals import job_done
from learnings.signals import readback_needs_data, readback_reversed

logger = logging.getLogger(__name__)


@receiver(job_done, dispatch_uid="notifications-job-done")
def job_done_alerts(sender, kind, job_id: int, status: str, **kwargs) -> None:
    """An analysis stored its answer, or an analysis or a load failed: raise what is due."""
    from analysis.jobs import ANALYSIS_RUNS
    from metrics.jobs import DATA_LOADS
    from notifications.services import alerts_after_job

    if kind is ANALYSIS_RUNS:
        alerts_after_job(kind="analysis", job_id=job_id, succeeded=status == JobStatus.SUCCEEDED)
    elif kind is DATA_LOADS and status == JobStatus.FAILED:
        alerts_after_job(kind="load", job_id=job_id, succeeded=False)


@receiver(signoff_changed, dispatch_uid="notifications-signoff")
def signoff_alerts(sender, signoff, action: str, **kwargs) -> None:
    """A sign-off was asked for or decided: the test's people hear of it, once per step."""
    from notifications.evaluate import signoff_alert
    from notifications.services import alerts_raise

    alerts_raise([signoff_alert(signoff, action)])


@receiver(readback_needs_data, dispatch_uid="notifications-readback-needs-data")
def readback_needs_data_alert(sender, readback, **kwargs) -> None:
    """A read-back of an uploaded or pushed test came due: its owner and team are reminded."""
    from notifications.evaluate import readback_alert
    from notifications.services import alerts_raise

    alerts_raise([readback_alert(readback, "needs_data")])


@receiver(readback_reversed, dispatch_uid="notifications-readback-reversed")
def readback_reversed_alert(sender, readback, **kwargs) -> None:
    """A shipped win reversed: the test's people hear of it, and of the post-mortem asked."""
    from notifications.evaluate import readback_alert
    from notifications.services import alerts_raise

    alerts_raise([readback_alert(readback, "reversed")])


def follow_button(context: dict, obj) -> str:
    from notifications.services import is_following, target_of

    request = context.get("request")
    if obj is None or request is None or not request.user.is_authenticated:
        return ""
    return render_to_string(
        "notifications/_follow_button.html",
        {
            "target": target_of(obj),
            "obj": obj,
            "following": is_following(request.user, obj),
            "next": request.get_full_path(),
        },
        request=request,
    )


def team_alerts_link(context: dict, obj) -> str:
    from accounts import access
    from accounts.models import Team

    request = context.get("request")
    if not isinstance(obj, Team) or not access.can_edit_team(request.user, obj):
        return ""
    return render_to_string("notifications/_team_link.html", {"team": obj}, request=request)


def profile_section(context: dict, obj) -> str:
    from notifications.views import preferences_context

    request = context.get("request")
    return render_to_string(
        "notifications/_preferences.html", preferences_context(request.user), request=request
    )


slot_register("object-actions", follow_button)
slot_register("object-actions", team_alerts_link)
slot_register("profile", profile_section)
