"""The experiment list's rows, built from plain values instead of DRF's per-field pass.

A 50-row page through ExperimentSerializer cost about 25-35 ms of CPU: model instances, prefetch
bookkeeping, then a field-by-field walk of five nested serializers. Here a page is one
``values()`` query plus one query each for tags, variants and metrics, stitched into dicts.

Each field ExperimentSerializer writes is named below with how it is written, so the output is
the serializer's, byte for byte: a field added to the serializer must be added here too, and
tests/api/test_rows.py (which compares the two for a page of experiments) fails until it is.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import QuerySet

from experiments.api.serializers import (
    ExperimentSerializer,
    VariantSerializer,
    custom_fields_out,
)
from experiments.models import CustomField, Experiment, ExperimentMetric, MetricRole, Variant
from experiments.selectors import hypothesis_sentence
from growthlab.rest.export import columns_of
from growthlab.rest.fields import iso_datetime

# The experiment's own columns whose values() value is already what the serializer writes:
# text, choices, whole numbers, floats, and the idea's and sprint's ids.
EXPERIMENT_PLAIN = (
    "id",
    "idea",
    "sprint",
    "title",
    "channel",
    "audience",
    "description",
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
    "plan_sample_size_per_variant",
    "plan_days",
    "status",
    "decision",
    "learning",
    "postmortem_what_happened",
    "postmortem_why",
    "postmortem_next_test",
    "template",
)
EXPERIMENT_DAYS = ("planned_start", "planned_end")  # YYYY-MM-DD
EXPERIMENT_TIMES = (
    "started_at",
    "stopped_at",
    "concluded_at",
    "archived_at",
    "created_at",
    "updated_at",
)
TEAM_FIELDS = ("id", "name", "slug")
OWNER_FIELDS = ("id", "username", "first_name", "last_name")
VARIANT_PLAIN = ("id", "name", "description", "is_control", "link")
METRIC_FIELDS = ("id", "name", "kind", "unit", "good_direction")
# DRF writes a DecimalField as text with the model field's decimal places: 50 -> "50.00".
TRAFFIC_SHARE_PLACES = Decimal("0.01")


def experiment_csv_columns(serializer) -> list[str]:
    """The export's columns: one ``custom_fields.<key>`` column per custom field."""
    keys = [f"custom_fields.{key}" for key in CustomField.objects.values_list("key", flat=True)]
    columns = []
    for name in columns_of(serializer):
        columns += keys if name == "custom_fields" else [name]
    return columns


def experiment_ids() -> QuerySet:
    """Ids of the list's experiments, most recently changed first: what a page is chosen on
    (an index scan, and a count that joins nothing unless a filter needs it)."""
    return Experiment.objects.order_by("-updated_at", "-id").values_list("id", flat=True)


def experiment_list_rows(ids) -> QuerySet:
    """These experiments as dicts of their own columns, team and owner, in the list's order.

    `ids` is a list, or a page of experiment_ids() still unevaluated: a subquery then.
    """
    chosen = Experiment.objects.filter(id__in=ids).order_by("-updated_at", "-id")
    return chosen.values(
        *EXPERIMENT_PLAIN,
        *EXPERIMENT_DAYS,
        *EXPERIMENT_TIMES,
        *(f"team__{name}" for name in TEAM_FIELDS),
        *(f"owner__{name}" for name in OWNER_FIELDS),
    )


def experiment_rows(experiments: list[dict], request) -> list[dict]:
    """ExperimentSerializer's output for these experiments, in three more queries."""
    ids = [row["id"] for row in experiments]
    tags, variants, metrics = tags_of(ids), variants_of(ids, request), metrics_of(ids)
    custom = custom_fields_out(ids)
    rows = []
    for row in experiments:
        written = {
            **{name: row[name] for name in EXPERIMENT_PLAIN},
            **{name: day_text(row[name]) for name in EXPERIMENT_DAYS},
            **{name: time_text(row[name]) for name in EXPERIMENT_TIMES},
            "team": {name: row[f"team__{name}"] for name in TEAM_FIELDS},
            "owner": owner_of(row),
            "tags": tags[row["id"]],
            "hypothesis": hypothesis_of(row, metrics[row["id"]]),
            "variants": variants[row["id"]],
            "metrics": metrics[row["id"]],
            "custom_fields": custom[row["id"]],
        }
        rows.append({name: written[name] for name in ExperimentSerializer.Meta.fields})
    return rows


def day_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def time_text(value) -> str | None:
    return None if value is None else iso_datetime(value)


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


def screenshot_url(name: str, request) -> str | None:
    """As DRF's ImageField writes it: none when empty, else the storage's URL, made absolute
    with the request when there is one."""
    if not name:
        return None
    url = Variant.screenshot.field.storage.url(name)
    return request.build_absolute_uri(url) if request is not None else url


def variants_of(ids: list[int], request) -> dict[int, list[dict]]:
    """Variants as VariantSerializer writes them, in the model's order."""
    variants = defaultdict(list)
    columns = Variant.objects.filter(experiment_id__in=ids)
    for row in columns.values("experiment_id", *VARIANT_PLAIN, "traffic_share", "screenshot"):
        variant = {name: row[name] for name in VARIANT_PLAIN}
        variant["traffic_share"] = f"{row['traffic_share'].quantize(TRAFFIC_SHARE_PLACES):f}"
        variant["screenshot"] = screenshot_url(row["screenshot"], request)
        variants[row["experiment_id"]].append(
            {name: variant[name] for name in VariantSerializer.Meta.fields}
        )
    return variants


def metrics_of(ids: list[int]) -> dict[int, list[dict]]:
    """Attached metrics as AttachedMetricSerializer writes them, in the model's order."""
    columns = [f"metric__{name}" for name in METRIC_FIELDS]
    links = ExperimentMetric.objects.filter(experiment_id__in=ids)
    metrics = defaultdict(list)
    for row in links.values("experiment_id", "id", "role", *columns):
        metric = {name: row[f"metric__{name}"] for name in METRIC_FIELDS}
        link = {"id": row["id"], "metric": metric, "role": row["role"]}
        metrics[row["experiment_id"]].append(link)
    return metrics
