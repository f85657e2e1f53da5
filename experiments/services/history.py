"""The documentation history: who changed what, and when, as readable field changes."""

from django.db import models
from django.utils.text import Truncator

from experiments.models import Experiment, HistoryEntry, Idea
from experiments.selectors import primary_metric
from metrics.models import MetricKind

IDEA_DOCUMENTED_FIELDS = (
    "title",
    "insight",
    "proposed_change",
    "audience",
    "channel",
    "status",
    "impact",
    "confidence",
    "ease",
    "reach",
    "effort",
    "tags",
)
EXPERIMENT_DOCUMENTED_FIELDS = (
    "title",
    "owner",
    "channel",
    "audience",
    "description",
    "tags",
    "hypothesis_insight",
    "hypothesis_change",
    "hypothesis_effect",
    "mde_relative",
    "planned_duration_days",
    "planned_start",
    "planned_end",
    "sprint",
    "plan_baseline",
    "plan_baseline_sd",
    "plan_daily_traffic",
    "plan_alpha",
    "plan_power",
    "plan_sample_size_per_variant",
    "plan_days",
    "value_per_unit",
    "value_expected_lift",
    "value_daily_users",
    "status",
    "decision",
    "learning",
    "postmortem_what_happened",
    "postmortem_why",
    "postmortem_next_test",
)


def field_display(instance: models.Model, name: str) -> str:
    """Return the value of one field as a person would read it."""
    if name == "tags":
        if instance.pk is None:
            return ""
        return ", ".join(sorted(tag.name for tag in instance.tags.all()))
    field = instance._meta.get_field(name)
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    value = getattr(instance, name)
    if value is None:
        return ""
    if name in PERCENT_FIELDS or (name == "plan_baseline" and is_rate_plan(instance)):
        return f"{value * 100:.4g}%"
    return str(value)


# Stored as fractions, read as percentages, as the plan shows them.
PERCENT_FIELDS = frozenset({"plan_alpha", "plan_power"})


def is_rate_plan(experiment: Experiment) -> bool:
    """True when the plan's baseline is a conversion rate (a binomial primary metric)."""
    metric = primary_metric(experiment) if experiment.pk else None
    return metric is not None and metric.kind == MetricKind.BINOMIAL


def snapshot(instance: models.Model, fields: tuple[str, ...]) -> dict[str, str]:
    return {name: field_display(instance, name) for name in fields}


def changes_between(
    model: type[models.Model], before: dict[str, str], after: dict[str, str]
) -> list[dict]:
    """Return [{field, label, old, new}] for every field whose readable value changed."""
    return [
        {
            "field": name,
            "label": str(model._meta.get_field(name).verbose_name).capitalize(),
            "old": before.get(name, ""),
            "new": after[name],
        }
        for name in after
        if before.get(name, "") != after[name]
    ]


def history_record(
    *, obj: Idea | Experiment, user, summary: str, changes: list[dict] | None = None
) -> HistoryEntry:
    target = {"idea": obj} if isinstance(obj, Idea) else {"experiment": obj}
    limit = HistoryEntry._meta.get_field("summary").max_length
    return HistoryEntry.objects.create(
        user=user if user and user.is_authenticated else None,
        # A summary quoting a long title is cut, never refused: the change itself happened.
        summary=Truncator(summary).chars(limit),
        changes=changes or [],
        **target,
    )


def fields_of(obj: Idea | Experiment) -> tuple[str, ...]:
    return IDEA_DOCUMENTED_FIELDS if isinstance(obj, Idea) else EXPERIMENT_DOCUMENTED_FIELDS


class recorded_edit:
    """Context manager: snapshot the documentation, let the caller change it, record the diff.

    Nothing is recorded when no documented field changed.
    """

    def __init__(self, *, obj: Idea | Experiment, user, summary: str):
        self.obj, self.user, self.summary = obj, user, summary
        self.entry: HistoryEntry | None = None

    def __enter__(self) -> "recorded_edit":
        self.before = snapshot(self.obj, fields_of(self.obj)) if self.obj.pk else {}
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            return
        after = snapshot(self.obj, fields_of(self.obj))
        changes = changes_between(type(self.obj), self.before, after)
        if changes or not self.before:
            self.entry = history_record(
                obj=self.obj, user=self.user, summary=self.summary, changes=changes
            )
