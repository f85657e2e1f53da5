"""Templates and copies: a team documents each kind of test the same way every time.

A new test from a template, or a duplicate of a test, takes the documentation, the variants,
the metrics (by role), the plan's inputs, the tags and the pre-launch checklist; never outcome
data, analysis results, the sample-size result, the decision or the learning.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experiments.models import (
    ChecklistItem,
    CustomFieldValue,
    Experiment,
    ExperimentMetric,
    ExperimentTemplate,
    MetricRole,
    TemplateMetric,
)
from experiments.services.experiments import experiment_create, variant_describe
from experiments.services.history import history_record
from experiments.signals import analysis_choices, experiment_seeded

# What a template and a test share, besides variants, metrics, tags and checklist.
TEMPLATE_FIELDS = (
    "channel",
    "audience",
    "hypothesis_insight",
    "hypothesis_change",
    "hypothesis_effect",
    "mde_relative",
    "planned_duration_days",
    "plan_baseline",
    "plan_baseline_sd",
    "plan_daily_traffic",
    "plan_alpha",
    "plan_power",
)
# A duplicate also takes the description and the planned dates' length.
DUPLICATED_FIELDS = (*TEMPLATE_FIELDS, "description")
VARIANT_KEYS = ("name", "description", "is_control", "traffic_share")

METRIC_DELETED = _(
    "The template “{template}” attaches {metric} as its {role} metric, but that metric has"
    " been deleted from the catalogue. Remove it from the template, or attach another metric"
    " there, before creating a test from it; nothing was created."
)
TEMPLATE_OF_ANOTHER_TEAM = _("The template “{template}” belongs to {team}; choose one of yours.")
VARIANTS_INVALID = _(
    "A template's variants need one control, at least one treatment, distinct names and"
    " traffic shares that add up to 100%."
)


def template_problems(template: ExperimentTemplate) -> list[str]:
    """What stops a test from being created from this template, in plain words."""
    return [
        str(METRIC_DELETED).format(
            template=template, metric=f"“{link.metric_name}”", role=link.get_role_display().lower()
        )
        for link in template.template_metrics.all()
        if link.metric_id is None
    ]


def templates_for(team) -> list[ExperimentTemplate]:
    """The team's own templates, then the organisation-wide ones."""
    return list(ExperimentTemplate.objects.filter(team=team)) + list(
        ExperimentTemplate.objects.filter(team__isnull=True)
    )


def variants_check(variants: list[dict]) -> list[dict]:
    """The template's variants, cleaned: one control, one treatment at least, 100% in all."""
    cleaned = []
    for variant in variants:
        name = str(variant.get("name", "")).strip()
        try:
            share = Decimal(str(variant.get("traffic_share", 0)))
        except ArithmeticError:
            raise ValidationError({"variants": [str(VARIANTS_INVALID)]}) from None
        cleaned.append(
            {
                "name": name[:64],
                "description": str(variant.get("description", "")),
                "is_control": bool(variant.get("is_control")),
                "traffic_share": float(share),
            }
        )
    names = [v["name"] for v in cleaned]
    controls = sum(v["is_control"] for v in cleaned)
    total = sum(Decimal(str(v["traffic_share"])) for v in cleaned)
    shares_ok = all(0 < v["traffic_share"] <= 100 for v in cleaned)
    if (
        controls != 1
        or len(cleaned) < 2
        or len(set(names)) != len(names)
        or not all(names)
        or total != 100
        or not shares_ok
    ):
        raise ValidationError({"variants": [str(VARIANTS_INVALID)]})
    return cleaned


@transaction.atomic
def template_save(
    *,
    template: ExperimentTemplate,
    user,
    data: dict,
    metrics: list[tuple] | None = None,
) -> ExperimentTemplate:
    """Create or change a template; ``metrics`` is [(Metric, role)] and replaces the old."""
    for name, value in data.items():
        setattr(template, name, value)
    template.variants = variants_check(template.variants or [])
    template.checklist = [str(item).strip() for item in template.checklist if str(item).strip()]
    if template.pk is None:
        template.created_by = user
    template.full_clean()
    template.save()
    if metrics is not None:
        if sum(role == MetricRole.PRIMARY for _metric, role in metrics) > 1:
            raise ValidationError({"metrics": [_("A template has one primary metric.")]})
        template.template_metrics.all().delete()
        for metric, role in dict(metrics).items():
            TemplateMetric.objects.create(
                template=template, metric=metric, metric_name=metric.name, role=role
            )
    return template


@transaction.atomic
def template_delete(*, template: ExperimentTemplate) -> None:
    template.delete()  # its tests keep what they copied; their link becomes empty


def copied_lines(experiment: Experiment) -> list[dict]:
    """The creation entry's rows for what was copied besides the documented fields."""
    variants = ", ".join(variant_describe(v) for v in experiment.variants.all())
    metrics = ", ".join(str(link) for link in experiment.experiment_metrics.all())
    checklist = "; ".join(item.text for item in experiment.checklist.all())
    rows = [("variants", "Variants", variants), ("metrics", "Metrics", metrics)]
    rows.append(("checklist", "Pre-launch checklist", checklist))
    return [
        {"field": field, "label": label, "old": "", "new": value}
        for field, label, value in rows
        if value
    ]


def seed(
    experiment: Experiment,
    *,
    user,
    metrics: list[tuple],
    checklist: list[str],
    choices: dict | None,
    source: Experiment | None,
) -> None:
    for metric, role in metrics:
        ExperimentMetric.objects.create(experiment=experiment, metric=metric, role=role)
    for position, text in enumerate(checklist):
        ChecklistItem.objects.create(experiment=experiment, position=position, text=text)
    experiment_seeded.send(
        sender=Experiment, experiment=experiment, user=user, choices=choices, source=source
    )
    entry = experiment.history.get()
    entry.changes += copied_lines(experiment)
    entry.save(update_fields=["changes"])


@transaction.atomic
def experiment_create_from_template(
    *, template: ExperimentTemplate, team, user, title: str, custom_values=None
) -> Experiment:
    """A draft test documented as the template says; refused whole if a metric is gone."""
    if template.team_id is not None and template.team_id != team.id:
        message = str(TEMPLATE_OF_ANOTHER_TEAM).format(template=template, team=template.team)
        raise ValidationError({"template": [message]})
    if problems := template_problems(template):
        raise ValidationError({"template": problems})
    data = {name: getattr(template, name) for name in TEMPLATE_FIELDS} | {"title": title}
    experiment = experiment_create(
        team=team,
        user=user,
        data=data,
        tags=template.tags,
        variants=template.variants,
        custom_values=custom_values,
        summary=f"Created from the template “{template}”",
        template=template,
    )
    links = [(link.metric, link.role) for link in template.template_metrics.all()]
    seed(
        experiment,
        user=user,
        metrics=links,
        checklist=template.checklist,
        choices=template.analysis_settings or None,
        source=None,
    )
    return experiment


@transaction.atomic
def experiment_duplicate(*, experiment: Experiment, user, title: str = "") -> Experiment:
    """A new draft with the test's documentation, variants and metrics; no data, no results."""
    source = experiment
    data = {name: getattr(source, name) for name in DUPLICATED_FIELDS}
    data["title"] = title.strip() or f"Copy of {source.title}"[:200]
    variants = [
        {key: getattr(v, key) for key in (*VARIANT_KEYS, "link")} for v in source.variants.all()
    ]
    values = list(source.custom_values.values_list("field_id", "value"))
    copy = experiment_create(
        team=source.team,
        user=user,
        data=data,
        tags=[tag.name for tag in source.tags.all()],
        variants=variants,
        summary=f"Duplicated from “{source}” (#{source.pk})",
        template=source.template,
    )
    for field, value in values:
        CustomFieldValue.objects.create(experiment=copy, field_id=field, value=value)
    seed(
        copy,
        user=user,
        metrics=[(link.metric, link.role) for link in source.experiment_metrics.all()],
        checklist=[item.text for item in source.checklist.all()],
        choices=None,
        source=source,
    )
    history_record(obj=source, user=user, summary=f"Duplicated as “{copy}” (#{copy.pk})")
    return copy


@transaction.atomic
def template_from_experiment(
    *, experiment: Experiment, user, name: str, team
) -> ExperimentTemplate:
    """Save a test's documentation, variants, metrics and checklist as a template."""
    choices = analysis_choices(experiment)
    template = template_save(
        template=ExperimentTemplate(team=team),
        user=user,
        data={
            "name": name,
            **{field: getattr(experiment, field) for field in TEMPLATE_FIELDS},
            "variants": [
                {key: getattr(v, key) for key in VARIANT_KEYS} for v in experiment.variants.all()
            ],
            "tags": [tag.name for tag in experiment.tags.all()],
            "checklist": [item.text for item in experiment.checklist.all()],
            "analysis_settings": choices,
        },
        metrics=[(link.metric, link.role) for link in experiment.experiment_metrics.all()],
    )
    history_record(obj=experiment, user=user, summary=f"Saved as the template “{template}”")
    return template


@transaction.atomic
def checklist_tick(*, item: ChecklistItem, user, done: bool) -> ChecklistItem:
    """Tick or untick one pre-launch check; each is kept in the history."""
    Experiment.objects.select_for_update().get(pk=item.experiment_id)
    item = ChecklistItem.objects.get(pk=item.pk)
    if (item.done_at is not None) == done:
        return item
    item.done_at, item.done_by = (timezone.now(), user) if done else (None, None)
    item.save(update_fields=["done_at", "done_by"])
    verb = "Ticked" if done else "Unticked"
    history_record(obj=item.experiment, user=user, summary=f"{verb} the check “{item.text}”")
    return item
