"""What an analysis reads: the experiment's design, its settings and its summed cohorts.

Everything the numbers depend on is gathered into one frozen value, so its fingerprint is the
identity of the result: equal fingerprints mean equal answers.

Outcome rows dated before the test's start day are set aside, never analysed: nobody saw a
variant then, so they can only blur the difference. Rows without a date are kept.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, When
from django.utils import timezone

from experiments.models import Experiment, MetricRole
from metrics.models import OutcomeCohort

BASE_FIELDS = ("n", "sum", "sum_squares")
OPTIONAL_FIELDS = (
    "den_sum", "den_sum_squares", "num_den_sum_products",
    "pre_sum", "pre_sum_squares", "post_pre_sum_products",
    "pre_den_sum", "pre_den_sum_squares", "pre_num_den_sum_products",
    "post_pre_den_sum_products", "num_pre_den_sum_products", "den_pre_num_sum_products",
)  # fmt: skip
STAT_FIELDS = BASE_FIELDS + OPTIONAL_FIELDS
PRE_FIELDS = ("pre_sum", "pre_sum_squares", "post_pre_sum_products")
EMPTY = (0, 0.0, 0.0) + (0.0,) * len(OPTIONAL_FIELDS)
RATIO_FIELDS = {"num_sum": "sum", "num_sum_squares": "sum_squares", "den_sum": "den_sum",
                "den_sum_squares": "den_sum_squares",
                "num_den_sum_products": "num_den_sum_products"}  # fmt: skip
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
        return sorted({key[2] for key in self.totals if key[2] is not None})

    def fingerprint(self) -> str:
        """sha256 of everything the answer depends on, in a canonical order."""
        body = {
            "variants": [vars(v) for v in self.variants],
            "metrics": [vars(m) for m in self.metrics],
            "choices": self.choices,
            "plan": self.plan,
            "started_on": self.started_on,
            "totals": sorted([*map(str, key), *value] for key, value in self.totals.items()),
        }
        canonical = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def cumulative(self, metric_id: int, variant_id: int) -> tuple[dict, tuple]:
        """Totals up to each exposure day, and over everything (undated counts too)."""
        rows = {
            day: row
            for (m, v, day), row in self.totals.items()
            if (m, v) == (metric_id, variant_id)
        }
        running, by_day = EMPTY, {}
        for day in self.dates():
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


def inputs_read(*, experiment: Experiment, choices: dict) -> AnalysisInputs:
    """Read everything one analysis of `experiment` depends on."""
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
    totals = cohort_totals(experiment.id, start)
    return AnalysisInputs(
        experiment.id, variants, metrics, choices, plan_of(experiment), totals, start
    )
