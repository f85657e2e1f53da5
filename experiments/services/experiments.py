"""Writing an experiment's documentation: the test itself, its variants and its metrics."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from experiments.models import Experiment, ExperimentMetric, Idea, MetricRole, Variant
from experiments.services.custom_fields import check_required, custom_values_write
from experiments.services.history import history_record, recorded_edit
from experiments.services.signoff import EDIT_NEEDS_SIGNOFF, edit_needs_signoff
from experiments.services.tags import tags_get_or_create

EXPERIMENT_EDITABLE_FIELDS = (
    "title",
    "owner",
    "channel",
    "audience",
    "description",
    "hypothesis_insight",
    "hypothesis_change",
    "hypothesis_effect",
    "mde_relative",
    "planned_duration_days",
    "planned_start",
    "planned_end",
    "plan_baseline",
    "plan_baseline_sd",
    "plan_daily_traffic",
    "plan_alpha",
    "plan_power",
    "value_per_unit",
    "value_expected_lift",
    "value_daily_users",
)
# Once users are exposed, changing who sees what would mix two different tests in one result.
VARIANTS_LOCKED_STATUSES = frozenset(
    {
        Experiment.Status.RUNNING,
        Experiment.Status.ANALYSING,
        Experiment.Status.CONCLUDED,
        Experiment.Status.ARCHIVED,
    }
)
FROZEN_STATUSES = frozenset({Experiment.Status.CONCLUDED, Experiment.Status.ARCHIVED})

VARIANTS_LOCKED = "Variants cannot change once the test has started: users already saw them."
EXPERIMENT_FROZEN = "{a_status} test is part of the record and can no longer be edited."
PRIMARY_LOCKED = (
    "The primary metric is fixed once the test has started: choosing it after seeing "
    "the data would let chance pick the winner. Add other metrics as secondary or guardrail."
)


def experiment_assign(experiment: Experiment, data: dict) -> None:
    unknown = set(data) - set(EXPERIMENT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable on an experiment: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(experiment, name, value)


def ensure_not_frozen(experiment: Experiment) -> None:
    if experiment.status in FROZEN_STATUSES:
        label = experiment.get_status_display().lower()  # "A concluded", "An archived"
        article = "An" if label[0] in "aeiou" else "A"
        raise ValidationError(EXPERIMENT_FROZEN.format(a_status=f"{article} {label}"))


def ensure_variants_open(experiment: Experiment) -> None:
    if experiment.status in VARIANTS_LOCKED_STATUSES:
        raise ValidationError(VARIANTS_LOCKED)


def ensure_primary_open(experiment: Experiment, *roles: str) -> None:
    started = experiment.status in VARIANTS_LOCKED_STATUSES
    if started and MetricRole.PRIMARY in roles:
        raise ValidationError(PRIMARY_LOCKED)


DEFAULT_VARIANTS = (
    {"name": "A", "is_control": True, "traffic_share": 50},
    {"name": "B", "is_control": False, "traffic_share": 50},
)


@transaction.atomic
def experiment_create(
    *,
    team,
    user,
    data: dict,
    tags: list[str] | None = None,
    idea: Idea | None = None,
    custom_values: dict[str, str] | None = None,
    variants: list[dict] | tuple[dict, ...] = DEFAULT_VARIANTS,
    summary: str = "Created the test",
    template=None,
) -> Experiment:
    """Create a draft experiment; by default with a control and one treatment to describe.

    ``custom_values`` are cleaned already (services.custom_fields.custom_values_clean).
    """
    experiment = Experiment(team=team, owner=user, idea=idea, template=template)
    experiment_assign(experiment, data)
    experiment.full_clean()
    check_required(experiment, custom_values or {})
    with recorded_edit(obj=experiment, user=user, summary=summary) as edit:
        experiment.save()
        experiment.tags.set(tags_get_or_create(tags or []))
    changes = custom_values_write(experiment=experiment, values=custom_values or {})
    if changes:
        edit.entry.changes += changes
        edit.entry.save(update_fields=["changes"])
    for variant in variants:
        fields = {k: variant.get(k) for k in ("name", "description", "is_control", "link")}
        fields = {k: v for k, v in fields.items() if v is not None}
        share = Decimal(str(variant.get("traffic_share", 50)))
        Variant(experiment=experiment, traffic_share=share, **fields).full_clean()
        Variant.objects.create(experiment=experiment, traffic_share=share, **fields)
    if idea is not None:
        idea_mark_testing(idea=idea, experiment=experiment, user=user)
    return experiment


def idea_mark_testing(*, idea: Idea, experiment: Experiment, user) -> None:
    with recorded_edit(obj=idea, user=user, summary=f"Turned into the test “{experiment}”"):
        idea.status = Idea.Status.TESTING
        idea.save(update_fields=["status", "updated_at"])


def experiment_create_from_idea(*, idea: Idea, user) -> Experiment:
    """Start an experiment from an idea, carrying over what the idea already documents."""
    data = {
        "title": idea.title,
        "channel": idea.channel,
        "audience": idea.audience,
        "hypothesis_insight": idea.insight,
        "hypothesis_change": idea.proposed_change,
    }
    tags = [tag.name for tag in idea.tags.all()]
    return experiment_create(team=idea.team, user=user, data=data, tags=tags, idea=idea)


@transaction.atomic
def experiment_update(
    *,
    experiment: Experiment,
    user,
    data: dict,
    tags: list[str] | None = None,
    custom_values: dict[str, str] | None = None,
    signed_off_by=None,
) -> Experiment:
    """Change the documentation; the change is kept in the history.

    Where the team's lead signs off changes to a running test, only an approved proposal
    (``signed_off_by``, see services.signoff) or a lead's own edit is applied.
    """
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    ensure_not_frozen(experiment)
    if signed_off_by is None and edit_needs_signoff(experiment, user):
        raise ValidationError(EDIT_NEEDS_SIGNOFF)
    summary = "Edited the documentation"
    if signed_off_by is not None:
        summary = f"Edited the documentation (signed off by {signed_off_by})"
    with recorded_edit(obj=experiment, user=user, summary=summary) as edit:
        experiment_assign(experiment, data)
        experiment.full_clean()
        check_required(experiment, custom_values or {})
        experiment.save()
        if tags is not None:
            experiment.tags.set(tags_get_or_create(tags))
    changes = custom_values_write(experiment=experiment, values=custom_values or {})
    if changes and edit.entry is not None:
        edit.entry.changes += changes
        edit.entry.save(update_fields=["changes"])
    elif changes:
        history_record(obj=experiment, user=user, summary=summary, changes=changes)
    return experiment


def variant_describe(variant: Variant) -> str:
    role = "control" if variant.is_control else "treatment"
    # normalize(): a share read back from the database is Decimal("50.00"), shown as "50".
    share = Decimal(str(variant.traffic_share)).normalize()
    return f"{variant.name} ({role}, {share:f}%)"


@transaction.atomic
def variant_save(*, variant: Variant, user) -> Variant:
    """Add or change a variant; a new control takes over from the old one."""
    experiment = Experiment.objects.select_for_update().get(pk=variant.experiment_id)
    ensure_variants_open(experiment)
    adding = variant.pk is None
    if variant.is_control:
        experiment.variants.exclude(pk=variant.pk).update(is_control=False)
    variant.full_clean()
    variant.save()
    verb = "Added" if adding else "Changed"
    history_record(obj=experiment, user=user, summary=f"{verb} variant {variant_describe(variant)}")
    return variant


@transaction.atomic
def variant_remove(*, variant: Variant, user) -> None:
    experiment = Experiment.objects.select_for_update().get(pk=variant.experiment_id)
    ensure_variants_open(experiment)
    summary = f"Removed variant {variant_describe(variant)}"
    variant.delete()
    history_record(obj=experiment, user=user, summary=summary)


@transaction.atomic
def experiment_metric_attach(
    *, experiment: Experiment, metric, role: str, user
) -> ExperimentMetric:
    """Attach a catalogue metric; a new primary metric demotes the old one to secondary."""
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    ensure_not_frozen(experiment)
    current = experiment.experiment_metrics.filter(metric=metric).values_list("role", flat=True)
    ensure_primary_open(experiment, role, *current)
    if role == MetricRole.PRIMARY:
        experiment.experiment_metrics.filter(role=MetricRole.PRIMARY).exclude(metric=metric).update(
            role=MetricRole.SECONDARY
        )
    link, _ = ExperimentMetric.objects.update_or_create(
        experiment=experiment, metric=metric, defaults={"role": role}
    )
    history_record(
        obj=experiment, user=user, summary=f"Attached {metric} as {link.get_role_display()}"
    )
    return link


@transaction.atomic
def experiment_metric_detach(*, link: ExperimentMetric, user) -> None:
    experiment = Experiment.objects.select_for_update().get(pk=link.experiment_id)
    ensure_not_frozen(experiment)
    ensure_primary_open(experiment, link.role)
    summary = f"Detached {link.metric} ({link.get_role_display()})"
    link.delete()
    history_record(obj=experiment, user=user, summary=summary)
