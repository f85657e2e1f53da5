"""GET /api/v1/results/: one flat row per experiment x variant x metric, ready for pandas.

Rows are each experiment's current answer (AnalysisResult.is_current: the results of its
latest successful run, which for an unchanged rerun are an earlier run's). Every column is a
plain value, so ``pd.read_csv(url)`` gives numbers as numbers.

``?dimension=device`` answers one row per segment of that dimension instead (``&segment=mobile``:
that one), each read by the same analysis as the whole test on the segment's totals
(analysis.services.segments), with the p-value adjusted across the dimension's segments
(Benjamini–Hochberg) and the lift shrunk toward the whole test's beside the raw ones. A segment
row never carries a verdict: its status is "lead" (or "error"), its verdict empty.
"""

import math

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from analysis.models import AnalysisResult
from analysis.services.segments import (
    UnknownSegment,
    dimension_reads,
    segment_answer,
    segment_checked,
    segments_known,
)
from experiments.api.filters import ExperimentFilter
from experiments.models import Experiment
from growthlab.rest.fields import day, integer, iso_datetime
from growthlab.rest.filters import date_range
from growthlab.rest.pagination import SubqueryPagination
from growthlab.rest.schema import READ, errors
from growthlab.rest.views import ApiListView
from metrics.models import OutcomeSegment
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
    dimension = serializers.CharField(
        required=False,
        max_length=64,
        help_text="One row per segment of this dimension (device, country, …) instead of the "
        "whole test's rows; each segment read by the same analysis, as a lead, never a verdict.",
    )
    segment = serializers.CharField(
        required=False, max_length=120, help_text="With dimension: only this segment's rows."
    )

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

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        dimension, segment = attrs.get("dimension"), attrs.get("segment")
        if segment is not None and dimension is None:
            raise serializers.ValidationError({"segment": [str(SEGMENT_WITHOUT_DIMENSION)]})
        if dimension is None:
            return attrs
        if attrs.get("result_status"):
            raise serializers.ValidationError({"result_status": [str(SEGMENT_NO_STATUS)]})
        known = segments_known()
        try:
            segment_checked(known, dimension, segment)
        except UnknownSegment as error:
            name = "dimension" if dimension not in known else "segment"
            raise serializers.ValidationError({name: [str(error)]}) from None
        return attrs

    def filter(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter(queryset)
        if (dimension := self.validated_data.get("dimension")) is None:
            return queryset
        stored = OutcomeSegment.objects.filter(dimension=dimension)
        if (segment := self.validated_data.get("segment")) is not None:
            stored = stored.filter(segment=segment)
        return queryset.filter(experiment_id__in=stored.values("experiment_id"))


SEGMENT_WITHOUT_DIMENSION = _("Name the dimension too, e.g. ?dimension=device&segment=mobile.")
SEGMENT_NO_STATUS = _(
    "Segment rows carry no verdict status; leave result_status out, or drop dimension to "
    "filter the whole test's rows by status."
)
# A segment names no winner: its treatment rows read "lead", never the engine's status.
LEAD = "lead"


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
        "dimension": row.get("dimension", ""),
        "segment": row.get("segment", ""),
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
        "segment_p_value_adjusted": number(row.get("segment_p_value_adjusted")),
        "shrunk_relative_effect": number(row.get("shrunk_relative_effect")),
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
    dimension = serializers.CharField(
        allow_blank=True, help_text="The dimension of a segment row; empty on the whole test's."
    )
    segment = serializers.CharField(
        allow_blank=True, help_text="The segment (device = mobile: 'mobile'); empty if whole."
    )
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
    segment_p_value_adjusted = floating(
        "Segment rows: the fixed-horizon p-value of the relative lift adjusted across the "
        "dimension's segments (Benjamini–Hochberg)."
    )
    shrunk_relative_effect = floating(
        "Segment rows: the relative lift pulled toward the whole test's by its noise "
        "(empirical Bayes, DerSimonian–Laird τ²)."
    )
    sequential_p_value = floating("Always-valid p-value: safe to read on any day.")
    chance_to_win = floating("Bayesian probability that the treatment beats the control.")
    status = serializers.CharField(
        help_text="The engine's status, 'control' or 'error'; a segment's treatment row: 'lead'."
    )
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

    def filter_queryset(self, queryset):
        params = self.filter_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        self.split = params.validated_data.get("dimension"), params.validated_data.get("segment")
        return params.filter(queryset)

    def rows(self, objects) -> list[dict]:
        # flat_row is FlatResultSerializer's output; DRF's per-request field copies are skipped.
        dimension, segment = getattr(self, "split", (None, None))
        if dimension is None:
            return [flat_row(row) for row in result_rows(objects)]
        return [
            flat_row(row) for row in segment_rows(list(result_rows(objects)), dimension, segment)
        ]


def segment_rows(rows: list[dict], dimension: str, only: str | None) -> list[dict]:
    """Each whole-test row of `rows` once per segment of `dimension` (or the one named), with
    that segment's numbers, in the order: experiment, segment, then the rows' own order."""
    found = []
    for experiment_id in dict.fromkeys(row["experiment_id"] for row in rows):
        experiment = Experiment.objects.get(pk=experiment_id)
        own = [row for row in rows if row["experiment_id"] == experiment_id]
        names = sorted(segments_known([experiment_id]).get(dimension, ()))
        answers = {
            name: segment_answer(
                experiment=experiment, dimension=dimension, segment=name, daily=False
            )
            for name in names
        }
        extras = segment_extras(experiment_id, dimension, answers)
        for name in [only] if only is not None else names:
            answer = answers.get(name)
            if answer is None:
                continue
            by_key = {(r["metric_id"], r["variant_id"]): r for r in answer.rows}
            for row in own:
                part = by_key.get((row["metric_id"], row["variant_id"]))
                if part is not None:
                    key = (name, row["metric_id"], row["variant_id"])
                    found.append(segment_row(row, part, dimension, name, extras.get(key)))
    return found


def segment_row(row: dict, part: dict, dimension: str, name: str, extra) -> dict:
    """A whole-test row with one segment's inputs and comparison, worded as a lead."""
    status = part["status"] if part["status"] in ("control", "error") else LEAD
    verdict = part["verdict"] if status == "error" else ""
    adjusted, shrunk = extra or (None, None)
    return {
        **row,
        "inputs": part["inputs"],
        "comparison": part["comparison"],
        "status": status,
        "verdict": verdict,
        "dimension": dimension,
        "segment": name,
        "segment_p_value_adjusted": adjusted,
        "shrunk_relative_effect": shrunk,
    }


def segment_extras(experiment_id: int, dimension: str, answers: dict) -> dict:
    """{(segment, metric id, variant id): (BH-adjusted p, shrunk lift)} across the segments."""
    overall = AnalysisResult.objects.filter(
        experiment_id=experiment_id, is_current=True, is_control=True, output__isnull=False
    ).values_list("metric_id", "payload")
    extras = {}
    for metric_id, payload in overall:
        if not payload:
            continue
        pieces = []
        for name, answer in answers.items():
            control = next(
                (r for r in answer.rows if r["metric_id"] == metric_id and r["is_control"]), None
            )
            pieces.append((name, control["payload"] if control else None))
        variant_ids = {v.name: v.id for v in next(iter(answers.values())).inputs.variants}
        for index, (result, _refused) in dimension_reads(dimension, payload, pieces).items():
            if result is None:
                continue
            variant_id = variant_ids[payload["variants"][index]["name"]]
            for read in result.segments:
                extras[(read.segment, metric_id, variant_id)] = (
                    read.p_value_adjusted,
                    read.shrunk_relative,
                )
    return extras
