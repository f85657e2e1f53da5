"""What an analysis reads: the experiment's design, its settings and its summed cohorts.

Everything the numbers depend on is gathered into one frozen value (`inputs_read`). Its
fingerprint (`inputs_fingerprint`) costs one indexed query instead of that read: equal
fingerprints mean equal inputs, so an unchanged test is not analysed again.

Outcome rows dated before the test's start day are set aside, never analysed: nobody saw a
variant then, so they can only blur the difference. Rows without a date are kept.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    StringAgg,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from analysis.models import AnalysisChoices, AnalysisSettings
from experiments.models import Experiment, ExperimentMetric, MetricRole, Variant
from metrics.models import OutcomeCohort, OutcomeSegment

BASE_FIELDS = ("n", "sum", "sum_squares")
OPTIONAL_FIELDS = (
    "den_sum",
    "den_sum_squares",
    "num_den_sum_products",
    "pre_sum",
    "pre_sum_squares",
    "post_pre_sum_products",
    "pre_den_sum",
    "pre_den_sum_squares",
    "pre_num_den_sum_products",
    "post_pre_den_sum_products",
    "num_pre_den_sum_products",
    "den_pre_num_sum_products",
)
STAT_FIELDS = BASE_FIELDS + OPTIONAL_FIELDS
PRE_FIELDS = ("pre_sum", "pre_sum_squares", "post_pre_sum_products")
EMPTY = (0, 0.0, 0.0) + (0.0,) * len(OPTIONAL_FIELDS)
RATIO_FIELDS = {
    "num_sum": "sum",
    "num_sum_squares": "sum_squares",
    "den_sum": "den_sum",
    "den_sum_squares": "den_sum_squares",
    "num_den_sum_products": "num_den_sum_products",
}
# The engine's name of each pre-period total of a ratio metric, and the column holding it.
RATIO_PRE_FIELDS = {
    "pre_num_sum": "pre_sum",
    "pre_num_sum_squares": "pre_sum_squares",
    "pre_den_sum": "pre_den_sum",
    "pre_den_sum_squares": "pre_den_sum_squares",
    "pre_num_den_sum_products": "pre_num_den_sum_products",
    "post_pre_num_sum_products": "post_pre_sum_products",
    "post_pre_den_sum_products": "post_pre_den_sum_products",
    "num_pre_den_sum_products": "num_pre_den_sum_products",
    "den_pre_num_sum_products": "den_pre_num_sum_products",
}


@dataclass(frozen=True)
class VariantSpec:
    id: int
    name: str
    is_control: bool
    share: float


@dataclass(frozen=True)
class MetricSpec:
    id: int
    name: str
    kind: str
    direction: str
    role: str


@dataclass(frozen=True)
class AnalysisInputs:
    """The design, the settings and the cohort totals keyed (metric id, variant id, date)."""

    experiment_id: int
    variants: tuple[VariantSpec, ...]
    metrics: tuple[MetricSpec, ...]
    choices: dict
    plan: dict
    totals: dict
    started_on: date | None = None

    @property
    def days_run(self) -> int | None:
        """The day of the test the latest data is from (day 1 is the start day)."""
        days = self.dates()
        if self.started_on is None or not days:
            return None
        return max((days[-1] - self.started_on).days + 1, 1)

    @property
    def has_data(self) -> bool:
        return any(row[0] > 0 for row in self.totals.values())

    def dates(self) -> list[date]:
        return list(self.all_dates)

    @cached_property
    def all_dates(self) -> tuple[date, ...]:
        return tuple(sorted({key[2] for key in self.totals if key[2] is not None}))

    @cached_property
    def series_rows(self) -> dict:
        """{(metric, variant): {date: totals}}: grouped once, read once per metric and variant."""
        grouped: dict = {}
        for (metric_id, variant_id, day), row in self.totals.items():
            grouped.setdefault((metric_id, variant_id), {})[day] = row
        return grouped

    def cumulative(self, metric_id: int, variant_id: int) -> tuple[dict, tuple]:
        """Totals up to each exposure day, and over everything (undated counts too)."""
        rows = self.series_rows.get((metric_id, variant_id), {})
        running, by_day = EMPTY, {}
        for day in self.all_dates:
            running = add_rows(running, rows[day]) if day in rows else running
            by_day[day] = running
        overall = add_rows(running, rows[None]) if None in rows else running
        return by_day, overall


def add_rows(a: tuple, b: tuple) -> tuple:
    """Field-wise sum; an optional sum missing from either side stays missing."""
    return tuple(None if x is None or y is None else x + y for x, y in zip(a, b, strict=True))


def started_on(experiment: Experiment) -> date | None:
    """The test's start day in the project's time zone; None before it starts."""
    if experiment.started_at is None:
        return None
    return timezone.localtime(experiment.started_at).date()


def cohorts_analysed(experiment_id: int, start: date | None):
    """The experiment's outcome rows the analysis reads: none dated before the start day."""
    cohorts = OutcomeCohort.objects.filter(experiment_id=experiment_id)
    return cohorts if start is None else cohorts.exclude(exposure_date__lt=start)


def cohorts_set_aside(experiment: Experiment):
    """The outcome rows dated before the start day, which no analysis reads."""
    start = started_on(experiment)
    cohorts = OutcomeCohort.objects.filter(experiment_id=experiment.id)
    return cohorts.none() if start is None else cohorts.filter(exposure_date__lt=start)


def cohort_totals(experiment_id: int, start: date | None = None) -> dict:
    """{(metric, variant, date): totals}, summed over sources, from the start day on."""
    totals: dict = {}
    rows = cohorts_analysed(experiment_id, start).values_list(
        "metric_id", "variant_id", "exposure_date", *STAT_FIELDS
    )
    for metric_id, variant_id, day, *values in rows:
        key = (metric_id, variant_id, day)
        totals[key] = add_rows(totals[key], tuple(values)) if key in totals else tuple(values)
    return totals


def segment_totals(experiment_id: int, start: date | None, dimension: str, segment: str) -> dict:
    """cohort_totals() of one segment: {(metric, variant, date): totals} from its rows."""
    rows = OutcomeSegment.objects.filter(
        experiment_id=experiment_id, dimension=dimension, segment=segment
    )
    if start is not None:
        rows = rows.exclude(exposure_date__lt=start)
    totals: dict = {}
    for metric_id, variant_id, day, *values in rows.values_list(
        "metric_id", "variant_id", "exposure_date", *STAT_FIELDS
    ):
        key = (metric_id, variant_id, day)
        totals[key] = add_rows(totals[key], tuple(values)) if key in totals else tuple(values)
    return totals


def plan_of(experiment: Experiment) -> dict:
    """Reading hints for the verdict: traffic, the smallest effect worth finding, duration."""
    plan = {"power": experiment.plan_power}
    if experiment.plan_daily_traffic:
        plan["daily_traffic"] = experiment.plan_daily_traffic
    if experiment.mde_relative:
        plan["mde_relative"] = experiment.mde_relative / 100
    if planned_days := experiment.planned_duration_days or experiment.plan_days:
        plan["planned_days"] = planned_days
    if experiment.plan_sample_size_per_variant:
        plan["planned_sample_per_variant"] = experiment.plan_sample_size_per_variant
    return plan


def inputs_read(
    *, experiment: Experiment, choices: dict, segment: tuple[str, str] | None = None
) -> AnalysisInputs:
    """Read everything one analysis of `experiment` depends on; with `segment` (dimension,
    value), that segment's totals stand in for the whole test's (analysis.services.segments)."""
    variants = tuple(
        VariantSpec(v.id, v.name, v.is_control, float(v.traffic_share))
        for v in experiment.variants.order_by("-is_control", "name", "id")
    )
    # Primary, secondary, then guardrail metrics: the order results are stored and listed in.
    role_rank = Case(
        *(When(role=role, then=rank) for rank, role in enumerate(MetricRole.values)),
        output_field=IntegerField(),
    )
    links = experiment.experiment_metrics.select_related("metric")
    links = links.order_by(role_rank, "metric__name")
    metrics = tuple(
        MetricSpec(x.metric_id, x.metric.name, x.metric.kind, x.metric.good_direction, x.role)
        for x in links
    )
    start = started_on(experiment)
    if segment is None:
        totals = cohort_totals(experiment.id, start)
    else:
        totals = segment_totals(experiment.id, start, *segment)
    return AnalysisInputs(
        experiment.id, variants, metrics, choices, plan_of(experiment), totals, start
    )


# A new recipe never matches a fingerprint of the old one: each test is analysed once more.
FINGERPRINT_RECIPE = "stamps-1"
SEPARATOR, ROW_SEPARATOR = "\x1f", "\x1e"
# Every field of the experiment row that `inputs_read` reads (its plan, its start day, the
# team whose defaults apply): a new one read there belongs here too.
PLAN_FIELDS = (
    "team_id",
    "started_at",
    "plan_power",
    "plan_daily_traffic",
    "mde_relative",
    "planned_duration_days",
    "plan_days",
    "plan_sample_size_per_variant",
)
SETTINGS_FIELDS = tuple(
    f"{owner}__{name}"
    for owner in ("analysis_settings", "team__analysis_defaults")
    for name in AnalysisChoices.CHOICE_FIELDS
)
STAMP_FIELDS = ("stamp_cohorts", "stamp_variants", "stamp_metrics", *PLAN_FIELDS, *SETTINGS_FIELDS)


def product_defaults() -> dict:
    """The settings of a test whose team saved none: they change only with a release."""
    fields = AnalysisSettings._meta
    return {name: fields.get_field(name).get_default() for name in AnalysisChoices.CHOICE_FIELDS}


def joined(*parts) -> Concat:
    """Columns as one text, apart by a control character that no name holds."""
    pieces = [parts[0]]
    for part in parts[1:]:
        pieces += [Value(SEPARATOR), part]
    return Concat(*pieces, output_field=TextField())


def per_experiment(rows: QuerySet, value) -> Subquery:
    """`value`, an aggregate over the rows of one experiment, as a column of its row."""
    grouped = rows.filter(experiment=OuterRef("pk")).order_by().values("experiment_id")
    return Subquery(grouped.annotate(stamp=value).values("stamp"), output_field=TextField())


def listed(*parts) -> StringAgg:
    """One text for all of an experiment's rows of a small table, in no set order.

    SQLite before 3.44 (the demo's) cannot order inside an aggregate; `fingerprint_of` sorts.
    """
    return StringAgg(joined("id", *parts), Value(ROW_SEPARATOR))


def as_text(expression) -> Cast:
    return Cast(expression, CharField())


def inputs_stamps(experiments: QuerySet) -> QuerySet:
    """Each experiment with what its answer depends on, or a stamp that moves with it.

    The small parts are read as they are: the variants, the attached metrics with their roles
    and the last change of each metric, the plan, the experiment's and its team's settings.
    The cohorts, hundreds of rows, by count, the sum and the largest of their ids, and their
    last change: a load or a re-push deletes and inserts (new, larger ids, so the sum moves
    even when as many rows go as come), a deleted load lowers the count, a saved row moves
    `updated_at` (cohorts are only ever replaced or saved, never changed by a bare UPDATE).
    One query, on the experiment index of each table (for the cohorts, an index-only scan of
    `outcome_cohort_changes`); `STAMP_FIELDS` names its columns.
    """
    cohorts = joined(
        as_text(Count("id")), as_text(Sum("id")), as_text(Max("id")), as_text(Max("updated_at"))
    )
    variants = listed("name", "is_control", "traffic_share")
    metrics = listed(
        "metric_id",
        "role",
        "metric__name",
        "metric__kind",
        "metric__good_direction",
        "metric__updated_at",
    )
    return experiments.annotate(
        stamp_cohorts=per_experiment(OutcomeCohort.objects.all(), cohorts),
        stamp_variants=per_experiment(Variant.objects.all(), variants),
        stamp_metrics=per_experiment(ExperimentMetric.objects.all(), metrics),
    )


def fingerprint_of(stamps) -> str:
    """sha256 of one experiment's stamps (a row of `STAMP_FIELDS`), the recipe and defaults."""
    cohorts, variants, metrics, *rest = stamps
    rows = [
        sorted(listing.split(ROW_SEPARATOR)) if listing else [] for listing in (variants, metrics)
    ]
    body = [FINGERPRINT_RECIPE, product_defaults(), cohorts, *rows, *rest]
    canonical = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def inputs_fingerprints(experiment_ids) -> dict[int, str]:
    """{experiment id: the fingerprint of its inputs as they are now}, in one query for all.

    PostgreSQL compiles (JIT) a query it costs high, which the stamps of a few hundred tests
    are: callers ask for a hundred at a time (`refresh_plan`, which reads all, turns JIT off).
    """
    experiments = Experiment.objects.filter(id__in=experiment_ids).order_by()
    rows = inputs_stamps(experiments).values_list("id", *STAMP_FIELDS)
    return {experiment_id: fingerprint_of(stamps) for experiment_id, *stamps in rows}


def inputs_fingerprint(experiment_id: int) -> str:
    """The fingerprint of the experiment's inputs as they are now, in one query."""
    return inputs_fingerprints([experiment_id])[experiment_id]
