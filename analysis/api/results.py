"""GET /api/v1/results/: one flat row per experiment x variant x metric, ready for pandas.

Rows are each experiment's current answer (AnalysisResult.is_current: the results of its
latest successful run, which for an unchanged rerun are an earlier run's). Every column is a
plain value, so ``pd.read_csv(url)`` gives numbers as numbers.
"""

import math

from django.db.models import F, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from analysis.models import AnalysisResult
from experiments.api.filters import ExperimentFilter
from growthlab.rest.fields import day, integer, iso_datetime
from growthlab.rest.filters import date_range
from growthlab.rest.pagination import SubqueryPagination
from growthlab.rest.schema import READ, errors
from growthlab.rest.views import ApiListView
from metrics.stats.frequentist import TestResult
from metrics.stats.jsonio import decision_blocks_of, decision_rule_of

# Only the scalars and the comparison a flat row shows: the database picks them out of the
# stored JSON, so no request decodes an engine output, a payload or a daily series.
ROW_VALUES = {
    "experiment_title": F("experiment__title"),
    "team_id": F("experiment__team_id"),
    "team_name": F("experiment__team__name"),
    "sprint_id": F("experiment__sprint_id"),
    "experiment_status": F("experiment__status"),
    "decision": F("experiment__decision"),
    "metric_name": F("metric__name"),
    "metric_kind": F("metric__kind"),
    "variant_name": F("variant__name"),
}
ROW_BLOCKS = ("comparison",)
ROW_FIELDS = (
    "id",
    "experiment_id",
    "metric_id",
    "role",
    "variant_id",
    "is_control",
    "inputs",
    "status",
    "verdict",
    "method",
    "settings",
    "run_id",
    "computed_at",
)


def current_result_ids() -> QuerySet:
    """Ids of every experiment's current answer rows, newest experiment first.

    Rows of one answer keep the order the analysis stored them in: primary, secondary, then
    guardrail metrics by name, control first, then variant name. A page is chosen on these ids
    alone (an index scan, and a count with no joins unless a filter needs one); only that page's
    rows are then read wide.
    """
    current = AnalysisResult.objects.filter(is_current=True)
    return current.order_by("-experiment_id", "id").values_list("id", flat=True)


def result_rows(ids) -> QuerySet:
    """The values each flat row is made of (see flat_row), in the list's order.

    `ids` is a list, or a page of current_result_ids() still unevaluated: a subquery then.
    """
    rows = AnalysisResult.objects.filter(id__in=ids).order_by("-experiment_id", "id")
    return rows.values(*ROW_FIELDS, *ROW_BLOCKS, **ROW_VALUES)


class ResultFilter(ExperimentFilter):
    """The experiment list's filters, applied to each row's experiment, plus row filters."""

    experiment = integer("Experiment id.")
    role = serializers.ChoiceField(choices=["primary", "secondary", "guardrail"], required=False)
    result_status = serializers.CharField(
        required=False, max_length=32, help_text="The engine's status of the row, e.g. 'won'."
    )
    computed_after = day("Computed", "after")
    computed_before = day("Computed", "before")

    lookups = {
        **{name: f"experiment__{lookup}" for name, lookup in ExperimentFilter.lookups.items()},
        "experiment": "experiment_id",
        "metric": "metric_id",
        "role": "role",
        "result_status": "status",
        **date_range("computed"),
    }
    text_fields = (
        *(f"experiment__{name}" for name in ExperimentFilter.text_fields),
        "metric__name",
        "variant__name",
    )


def number(value) -> float | None:
    """A float, or None for a missing or non-finite one (JSON and CSV have no infinity)."""
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def interval_blocks(row: dict) -> tuple[TestResult | None, TestResult | None]:
    """(absolute, relative) as the verdict reads them: the decision rule's."""
    if row["is_control"] or row["comparison"] is None:
        return None, None
    return decision_blocks_of(row["comparison"])


def variant_value(kind: str, inputs: dict) -> float | None:
    """The metric in one variant, by the engine's definitions (rate p, mean ȳ, ratio Σx/Σy)."""
    numerator, denominator = {
        "binomial": ("conversions", "n"),
        "mean": ("sum", "n"),
        "ratio": ("num_sum", "den_sum"),
    }[kind]
    if not inputs.get(denominator) or inputs.get(numerator) is None:
        return None
    return number(inputs[numerator] / inputs[denominator])


def end(block: TestResult | None, field: str) -> float | None:
    return None if block is None else number(getattr(block, field))


def cuped_fields(comparison: dict) -> dict:
    """The CUPED block of a mean or ratio metric's comparison, flat; empty without one."""
    cuped = comparison.get("cuped") or {}
    relative = cuped.get("relative") or {}
    return {
        "cuped_theta": number(cuped.get("theta")),
        "cuped_variance_reduction": number(cuped.get("variance_reduction")),
        "cuped_relative_effect": number(relative.get("estimate")),
        "cuped_relative_ci_lower": number(relative.get("ci_lower")),
        "cuped_relative_ci_upper": number(relative.get("ci_upper")),
        "cuped_p_value": number(relative.get("p_value")),
    }


def flat_row(row: dict) -> dict:
    absolute, relative = interval_blocks(row)
    comparison = row["comparison"] or {}
    fixed = comparison.get("absolute") or {}
    sequential = (comparison.get("sequential") or {}).get("absolute") or {}
    chance_to_win = (comparison.get("bayesian") or {}).get("chance_to_win")
    settings = row["settings"]
    return {
        "experiment_id": row["experiment_id"],
        "experiment": row["experiment_title"],
        "team_id": row["team_id"],
        "team": row["team_name"],
        "sprint_id": row["sprint_id"],
        "experiment_status": row["experiment_status"],
        "decision": row["decision"],
        "metric_id": row["metric_id"],
        "metric": row["metric_name"],
        "role": row["role"],
        "variant_id": row["variant_id"],
        "variant": row["variant_name"],
        "is_control": row["is_control"],
        "n": row["inputs"].get("n"),
        "value": variant_value(row["metric_kind"], row["inputs"]),
        "absolute_effect": end(absolute, "estimate"),
        "absolute_ci_lower": end(absolute, "ci_lower"),
        "absolute_ci_upper": end(absolute, "ci_upper"),
        "relative_effect": end(relative, "estimate"),
        "relative_ci_lower": end(relative, "ci_lower"),
        "relative_ci_upper": end(relative, "ci_upper"),
        "p_value": number(fixed.get("p_value")),
        "p_value_adjusted": number(comparison.get("p_value_adjusted")),
        "sequential_p_value": number(sequential.get("p_value")),
        "chance_to_win": number(chance_to_win),
        "status": row["status"],
        "verdict": row["verdict"],
        "method": row["method"],
        "alpha": number(settings.get("alpha")),
        "two_sided": settings.get("two_sided"),
        "sequential": decision_rule_of(comparison).method == "sequential"
        if row["comparison"]
        else settings.get("method") == "sequential",
        "correction": settings.get("correction"),
        "cuped": settings.get("cuped"),
        **cuped_fields(comparison),
        "run_id": row["run_id"],
        "computed_at": iso_datetime(row["computed_at"]),
    }


def floating(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text)


class FlatResultSerializer(serializers.Serializer):
    """One variant x metric of an experiment's latest successful analysis."""

    experiment_id = serializers.IntegerField()
    experiment = serializers.CharField(help_text="The experiment's title.")
    team_id = serializers.IntegerField()
    team = serializers.CharField()
    sprint_id = serializers.IntegerField(allow_null=True)
    experiment_status = serializers.CharField()
    decision = serializers.CharField(allow_blank=True)
    metric_id = serializers.IntegerField()
    metric = serializers.CharField()
    role = serializers.CharField(help_text="primary, secondary or guardrail.")
    variant_id = serializers.IntegerField()
    variant = serializers.CharField()
    is_control = serializers.BooleanField()
    n = serializers.IntegerField(allow_null=True, help_text="Users in this variant.")
    value = floating("The metric in this variant: a rate, a mean or a ratio.")
    absolute_effect = floating("Treatment minus control; empty on the control's row.")
    absolute_ci_lower = floating("Lower end of the interval of the absolute effect.")
    absolute_ci_upper = floating("Upper end; empty when the interval is open.")
    relative_effect = floating("Relative lift against control, as a fraction (0.05 = +5%).")
    relative_ci_lower = floating("Lower end of the interval of the relative lift.")
    relative_ci_upper = floating("Upper end of the interval of the relative lift.")
    p_value = floating("Fixed-horizon p-value of the absolute effect.")
    p_value_adjusted = floating(
        "The fixed-horizon p-value corrected across treatments x metrics (see correction)."
    )
    sequential_p_value = floating("Always-valid p-value: safe to read on any day.")
    chance_to_win = floating("Bayesian probability that the treatment beats the control.")
    status = serializers.CharField(help_text="The engine's status, 'control' or 'error'.")
    verdict = serializers.CharField(allow_blank=True)
    method = serializers.CharField(help_text="Absolute test / reading, e.g. welch_t/sequential.")
    alpha = floating("Significance level.")
    two_sided = serializers.BooleanField(allow_null=True)
    sequential = serializers.BooleanField(
        help_text="True: the intervals are the always-valid sequential ones; "
        "False: fixed-horizon intervals, read once at the planned end."
    )
    correction = serializers.CharField(allow_null=True)
    cuped = serializers.BooleanField(allow_null=True)
    cuped_theta = floating("CUPED: how much of the pre-period value is taken out (θ).")
    cuped_variance_reduction = floating(
        "CUPED: the share of the variance the pre-period removed (0.4 = 40% narrower squared)."
    )
    cuped_relative_effect = floating(
        "CUPED-adjusted relative lift (mean and ratio metrics with a pre-period)."
    )
    cuped_relative_ci_lower = floating("Lower end of the CUPED-adjusted relative lift's interval.")
    cuped_relative_ci_upper = floating("Upper end of the CUPED-adjusted relative lift's interval.")
    cuped_p_value = floating("Fixed-horizon p-value of the CUPED-adjusted relative lift.")
    run_id = serializers.IntegerField(help_text="The analysis run that computed the row.")
    computed_at = serializers.DateTimeField()

    def to_representation(self, instance: dict) -> dict:
        # flat_row already holds JSON values in field order: DRF's per-field pass is skipped.
        return flat_row(instance)


@extend_schema(
    parameters=[ResultFilter],
    responses={200: FlatResultSerializer(many=True)} | errors(*READ),
)
class ResultListApi(ApiListView):
    serializer_class = FlatResultSerializer
    filter_class = ResultFilter
    csv_filename = "results"

    pagination_class = SubqueryPagination

    def get_queryset(self):
        return current_result_ids()

    def rows(self, objects) -> list[dict]:
        # flat_row is FlatResultSerializer's output; DRF's per-request field copies are skipped.
        return [flat_row(row) for row in result_rows(objects)]
