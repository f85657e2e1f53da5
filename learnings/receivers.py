"""Where learnings listens: a load that a waiting read-back needs, and the test page's slot."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from growthlab.web.slots import slot_register
from jobs.models import JobStatus
from jobs.signals import job_done


@receiver(job_done, dispatch_uid="learnings-readbacks-after-load")
def readbacks_after_load_received(sender, kind, job_id: int, status: str, **kwargs) -> None:
    """A load landed: read-backs of its test waiting for new data are queued."""
    from learnings.readbacks import readbacks_after_load
    from metrics.jobs import DATA_LOADS

    if kind is DATA_LOADS and status == JobStatus.SUCCEEDED:
        readbacks_after_load(load_id=job_id)


def experiment_readbacks_panel(context: dict, obj) -> str:
    """The test page's "Did the win hold?" card, for a shipped test."""
    from experiments.models import Decision, Experiment
    from learnings.views import readback_context

    request = context.get("request")
    if not isinstance(obj, Experiment) or obj.decision != Decision.SHIP or request is None:
        return ""
    if obj.concluded_at is None:
        return ""
    return render_to_string(
        "learnings/_readbacks.html", readback_context(request, obj, on_test_page=True), request
    )


slot_register("experiment-panels", experiment_readbacks_panel)
