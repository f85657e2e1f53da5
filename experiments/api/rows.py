"""The experiment list's rows, built from plain values instead of DRF's per-field pass.

A 50-row page through ExperimentSerializer cost about 25-35 ms of CPU: model instances, prefetch
bookkeeping, then a field-by-field walk of five nested serializers. Here a page is one
``values()`` query plus one query each for tags, variants and metrics, stitched into dicts.
Every field comes from ExperimentSerializer and its nested serializers: values that are
already JSON-ready pass through, the rest (times, decimals, files) go through the very DRF
field that would have written them, so the output is the same; tests/api/test_rows.py
compares the two.
"""

from collections import defaultdict
from collections.abc import Callable
from functools import cache
from types import SimpleNamespace

from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from experiments.api.serializers import (
    ExperimentSerializer,
    MetricRefSerializer,
    VariantSerializer,
)
from experiments.models import Experiment, ExperimentMetric, MetricRole, Variant
from experiments.selectors import hypothesis_sentence
from growthlab.rest.fields import iso_datetime

# Fields whose values() value is already what the field would write.
JSON_READY = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.IntegerField,
    serializers.BooleanField,
    serializers.FloatField,
    serializers.PrimaryKeyRelatedField,
)
# Built here from related rows, not read as columns of the experiment.
RELATED = ("team", "owner", "tags", "hypothesis", "variants", "metrics")
TEAM_FIELDS = ("id", "name", "slug")
OWNER_FIELDS = ("id", "username", "first_name", "last_name")

Plan = list[tuple[str, Callable | None]]


def plan_of(serializer: serializers.Serializer, skip: tuple[str, ...] = ()) -> Plan:
    """(name, converter or None when the value is JSON-ready) for each field of a serializer."""
    plan = []
    for name, field in serializer.fields.items():
        if name in skip:
            continue
        if isinstance(field, serializers.FileField):
            model_field = serializer.Meta.model._meta.get_field(field.source)
            plan.append((name, file_converter(field, model_field)))
        elif is_iso_datetime(field):
            plan.append((name, iso_datetime))
        else:
            plan.append((name, None if isinstance(field, JSON_READY) else field.to_representation))
    return plan


def is_iso_datetime(field: serializers.Field) -> bool:
    if not isinstance(field, serializers.DateTimeField) or hasattr(field, "timezone"):
        return False
    return getattr(field, "format", api_settings.DATETIME_FORMAT).lower() == ISO_8601


def file_converter(field: serializers.FileField, model_field) -> Callable:
    return lambda name: field.to_representation(FieldFile(None, model_field, name))


def converted(row: dict, plan: Plan, prefix: str = "") -> dict:
    out = {}
    for name, convert in plan:
        value = row[prefix + name]
        out[name] = value if convert is None or value is None else convert(value)
    return out


@cache
def experiment_plan() -> Plan:
    return plan_of(ExperimentSerializer(), skip=RELATED)


def experiment_ids() -> QuerySet:
    """Ids of the list's experiments, most recently changed first: what a page is chosen on
    (an index scan, and a count that joins nothing unless a filter needs it)."""
    return Experiment.objects.order_by("-updated_at", "-id").values_list("id", flat=True)


def experiment_list_rows(ids) -> QuerySet:
    """These experiments as dicts of their own columns, team and owner, in the list's order.

    `ids` is a list, or a page of experiment_ids() still unevaluated: a subquery then.
    """
    own = [name for name, _ in experiment_plan()]
    chosen = Experiment.objects.filter(id__in=ids).order_by("-updated_at", "-id")
    return chosen.values(
        *own,
        *(f"team__{name}" for name in TEAM_FIELDS),
        *(f"owner__{name}" for name in OWNER_FIELDS),
    )


def experiment_rows(experiments: list[dict], request) -> list[dict]:
    """ExperimentSerializer's output for these experiments, in three more queries."""
    ids = [row["id"] for row in experiments]
    tags, variants, metrics = tags_of(ids), variants_of(ids, request), metrics_of(ids)
    rows = []
    for row in experiments:
        own = converted(row, experiment_plan())
        related = {
            "team": {name: row[f"team__{name}"] for name in TEAM_FIELDS},
            "owner": owner_of(row),
            "tags": tags[row["id"]],
            "hypothesis": hypothesis_of(row, metrics[row["id"]]),
            "variants": variants[row["id"]],
            "metrics": metrics[row["id"]],
        }
        merged = own | related
        rows.append({name: merged[name] for name in ExperimentSerializer.Meta.fields})
    return rows


def owner_of(row: dict) -> dict | None:
    if row["owner__id"] is None:
        return None
    # UserRefSerializer's name is User.get_full_name(): first and last, stripped.
    name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
    return {"id": row["owner__id"], "username": row["owner__username"], "name": name}


def hypothesis_of(row: dict, metrics: list[dict]) -> str:
    # hypothesis_sentence reads attributes and the prefetched primary links: give it both.
    primary = [
        SimpleNamespace(metric=SimpleNamespace(name=link["metric"]["name"]))
        for link in metrics
        if link["role"] == MetricRole.PRIMARY
    ]
    return hypothesis_sentence(SimpleNamespace(**row, primary_links=primary))


def tags_of(ids: list[int]) -> dict[int, list[str]]:
    tags = defaultdict(list)
    links = Experiment.tags.through.objects.filter(experiment_id__in=ids)
    for experiment_id, name in links.order_by("tag__name").values_list(
        "experiment_id", "tag__name"
    ):
        tags[experiment_id].append(name)
    return tags


@cache
def variant_plan() -> tuple[Plan, tuple[str, ...]]:
    """The variant plan and its file fields. Built once, without a request, its file URLs are
    site-relative; variants_of makes them absolute as DRF does with the request."""
    serializer = VariantSerializer()
    fields = serializer.fields.items()
    files = tuple(name for name, field in fields if isinstance(field, serializers.FileField))
    return plan_of(serializer), files


@cache
def metric_plan() -> Plan:
    return plan_of(MetricRefSerializer())


def variants_of(ids: list[int], request) -> dict[int, list[dict]]:
    plan, files = variant_plan()
    variants = defaultdict(list)
    columns = [name for name, _ in plan]
    for row in Variant.objects.filter(experiment_id__in=ids).values("experiment_id", *columns):
        variant = converted(row, plan)
        for name in files:
            if variant[name] and request is not None:
                variant[name] = request.build_absolute_uri(variant[name])
        variants[row["experiment_id"]].append(variant)
    return variants


def metrics_of(ids: list[int]) -> dict[int, list[dict]]:
    """Attached metrics as AttachedMetricSerializer writes them, in the model's order."""
    plan = metric_plan()
    columns = [f"metric__{name}" for name, _ in plan]
    links = ExperimentMetric.objects.filter(experiment_id__in=ids)
    metrics = defaultdict(list)
    for row in links.values("experiment_id", "id", "role", *columns):
        link = {"id": row["id"], "metric": converted(row, plan, "metric__"), "role": row["role"]}
        metrics[row["experiment_id"]].append(link)
    return metrics
