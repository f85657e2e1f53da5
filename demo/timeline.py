"""When each demo test was written, planned, started, stopped, concluded and archived.

The services stamp everything with the current time; these functions move the stamps back to
where they belong in the team's sprints, so the history reads like months of real work.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from demo.context import Demo
from demo.plans import Plan
from experiments.models import Experiment, HistoryEntry, Idea
from sprints.models import Sprint

LIFECYCLE_PATHS = {
    "draft": (),
    "planned": ("plan",),
    "running": ("plan", "start"),
    "analysing": ("plan", "start", "stop"),
    "concluded": ("plan", "start", "stop", "conclude"),
}
HOUR_OF = {"plan": 9, "start": 11, "stop": 11, "conclude": 14, "archive": 10}
DAYS_TO_DECIDE = 2  # from stopping a test to the decision
WRITTEN_DAYS_BEFORE_SPRINT = 4  # tests are documented ahead of sprint planning
MINUTES_BETWEEN_EDITS = 6
STAMPED_FIELDS = {
    "start": "started_at",
    "stop": "stopped_at",
    "conclude": "concluded_at",
    "archive": "archived_at",
}


@dataclass(frozen=True)
class Timeline:
    created: datetime
    stamps: dict[str, datetime]  # lifecycle action -> when it happened

    def edit(self, index: int) -> datetime:
        """When the index-th documentation edit after creation happened."""
        return self.created + timedelta(minutes=MINUTES_BETWEEN_EDITS * index)


def lifecycle_path(spec: dict) -> tuple[str, ...]:
    """The transitions that bring a new draft to the spec's status."""
    if spec["status"] == "archived":
        before = "concluded" if "conclusion" in spec else "planned"
        return (*LIFECYCLE_PATHS[before], "archive")
    return LIFECYCLE_PATHS[spec["status"]]


def timeline_for(demo: Demo, spec: dict, sprint: Sprint | None, plan: Plan | None) -> Timeline:
    if sprint is None:
        return Timeline(demo.at(demo.days_ago(spec["created_days_ago"]), 14), stamps={})
    written = sprint.starts_on - timedelta(days=WRITTEN_DAYS_BEFORE_SPRINT)
    days = action_days(spec, sprint, plan)
    stamps = {action: demo.at(days[action], HOUR_OF[action]) for action in lifecycle_path(spec)}
    return Timeline(demo.at(written, 10, 30), stamps)


def action_days(spec: dict, sprint: Sprint, plan: Plan) -> dict:
    start = sprint.starts_on + timedelta(days=spec["start_day"])
    stop = start + timedelta(days=plan.duration)
    conclude = stop + timedelta(days=DAYS_TO_DECIDE)
    archive_from = conclude if "conclusion" in spec else sprint.starts_on
    archive = archive_from + timedelta(days=spec.get("archive_after_days", 0))
    return {
        "plan": sprint.starts_on,
        "start": start,
        "stop": stop,
        "conclude": conclude,
        "archive": archive,
    }


def documentation_backdate(experiment: Experiment, timeline: Timeline) -> None:
    """Spread the history written so far (creation, edits, variants, metrics) over minutes."""
    entries = list(experiment.history.order_by("id"))
    for index, entry in enumerate(entries):
        entry.created_at = timeline.edit(index)
    HistoryEntry.objects.bulk_update(entries, ["created_at"])
    if experiment.idea_id:
        turned = Idea.objects.get(pk=experiment.idea_id).history.filter(
            summary__startswith="Turned into"
        )
        turned.update(created_at=timeline.created)
        Idea.objects.filter(pk=experiment.idea_id).update(updated_at=timeline.created)


def experiment_backdate(experiment: Experiment, timeline: Timeline) -> None:
    """Move the experiment's own timestamps to the timeline's."""
    edits = experiment.history.count()
    fields = {STAMPED_FIELDS[a]: when for a, when in timeline.stamps.items() if a in STAMPED_FIELDS}
    last = max(timeline.stamps.values(), default=timeline.edit(max(edits - 1, 0)))
    Experiment.objects.filter(pk=experiment.pk).update(
        created_at=timeline.created, updated_at=last, **fields
    )
