"""Reading stored results for the dashboard: the one place that knows the analysis tables.

The page and the badges see plain values (`ExperimentResults`, stored results read back into
the engine's `StoredResult`), never `analysis` rows, so a change in how runs are stored is
adapted here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, OuterRef, Subquery, Sum

from analysis import wording
from analysis.models import AnalysisResult, AnalysisRun, RunStatus
from analysis.selectors import analysis_state
from analysis.services.inputs import cohorts_set_aside, started_on
from analysis.services.segments import segment_answer, segments_known
from dashboard.charts import Series
from metrics.ingestion.segments import folded_counts
from metrics.models import DataLoad, OutcomeCohort, OutcomeSource
from metrics.stats.analysis import StoredResult
from metrics.stats.jsonio import result_from_dict

SOURCE_LABELS = dict(OutcomeSource.choices)


@dataclass
class MetricResult:
    """One metric's stored answer: the engine's result (None if refused), why, and the series."""

    name: str
    role: str
    kind: str
    result: StoredResult | None
    error: str = ""
    series: Series = field(default_factory=dict)


@dataclass
class ExperimentResults:
    """The last good answer of a test, and the state of the runs since."""

    metrics: list[MetricResult]
    computed_at: datetime | None
    failed_at: datetime | None = None
    failure: str = ""
    refreshing: bool = False

    @property
    def stored(self) -> list[StoredResult]:
        """Every metric's result the engine could compute."""
        return [m.result for m in self.metrics if m.result is not None]

    @property
    def sequential(self) -> bool:
        """The decision rule every interval on the page follows: sequential or fixed horizon."""
        stored = self.stored
        return not stored or stored[0].settings.method == "sequential"


@dataclass(frozen=True)
class DataSource:
    """What one kind of source brought: users (as the load page counts them), variants, days."""

    label: str
    users: int
    variants: int
    days: int


def _metric_results(rows: list[AnalysisResult]) -> list[MetricResult]:
    by_metric: dict[int, MetricResult] = {}
    # Control first in every series; its row is the one that holds the metric's output.
    for row in sorted(rows, key=lambda r: not r.is_control):
        result = by_metric.setdefault(
            row.metric_id,
            MetricResult(
                row.metric.name,
                row.role,
                row.metric.kind,
                result_from_dict(row.output) if row.output else None,
                "" if row.output else wording.input_error_sentence(row.verdict, row.findings),
            ),
        )
        result.series[row.variant.name] = row.series
    return list(by_metric.values())


def latest_result_for(experiment) -> ExperimentResults | None:
    """The last successful analysis with any failure or refresh since; None before the first."""
    state = analysis_state(experiment)
    if state.success is None and state.failure is None:
        return None
    return ExperimentResults(
        metrics=_metric_results(state.results),
        computed_at=state.computed_at,
        failed_at=state.failure.finished_at if state.failure else None,
        failure=state.failure.error if state.failure else "",
        refreshing=state.active is not None,
    )


def segment_result_for(experiment, dimension: str, segment: str) -> ExperimentResults | None:
    """The results page's numbers for one segment: every metric read by the same analysis on
    that segment's totals (analysis.services.segments); None before the first answer."""
    state = analysis_state(experiment)
    answer = segment_answer(experiment=experiment, dimension=dimension, segment=segment)
    if answer is None or state.success is None:
        return None
    by_metric: dict[int, MetricResult] = {}
    for row in sorted(answer.rows, key=lambda r: not r["is_control"]):
        spec = answer.metric(row["metric_id"])
        result = by_metric.setdefault(
            spec.id,
            MetricResult(
                spec.name,
                spec.role,
                spec.kind,
                result_from_dict(row["output"]) if row["output"] else None,
                ""
                if row["output"]
                else wording.input_error_sentence(row["verdict"], row.get("findings")),
            ),
        )
        result.series[answer.variant(row["variant_id"]).name] = row["series"]
    return ExperimentResults(metrics=list(by_metric.values()), computed_at=state.computed_at)


def folded_dimensions(experiment) -> dict[str, tuple[int, int]]:
    """{dimension: (values folded into "other", values kept)} by the loads whose segments
    are stored; of two loads folding one dimension, the larger fold."""
    loads = DataLoad.objects.filter(experiment=experiment, segments__isnull=False).distinct()
    folded: dict[str, tuple[int, int]] = {}
    for notes in loads.values_list("notes", flat=True):
        for dimension, fold in folded_counts(notes or []).items():
            folded[dimension] = max(folded.get(dimension, fold), fold)
    return folded


def segment_choices(experiment) -> dict[str, list[str]]:
    """{dimension: its segments} stored for this test, sorted, for the page's filter."""
    known = segments_known([experiment.pk])
    return {dimension: sorted(known[dimension]) for dimension in sorted(known)}


@dataclass(frozen=True)
class SetAside:
    """Outcome rows dated before the start day, which the analysis leaves out."""

    rows: int
    start: date | None


def set_aside_for(experiment) -> SetAside:
    return SetAside(cohorts_set_aside(experiment).count(), started_on(experiment))


def data_sources_for(experiment) -> list[DataSource]:
    """Where the numbers come from: users, variants and exposure days per source, in one query.

    Every metric of a source counts the same users, so the metric with the most is the count
    (a metric column left empty for some users counts fewer).
    """
    per_metric = (
        OutcomeCohort.objects.filter(experiment=experiment)
        .values("source", "metric")
        .annotate(
            users=Sum("n"),
            variants=Count("variant", distinct=True),
            days=Count("exposure_date", distinct=True),
        )
        .order_by("source")
    )
    largest: dict[str, tuple[int, int, int]] = {}
    for row in per_metric:
        counts = (row["users"], row["variants"], row["days"])
        seen = largest.get(row["source"], (0, 0, 0))
        largest[row["source"]] = tuple(map(max, seen, counts))
    return [
        DataSource(SOURCE_LABELS.get(source, source), *counts) for source, counts in largest.items()
    ]


def outputs_by_experiment(experiment_ids: Iterable[int]) -> dict[int, list[StoredResult]]:
    """Every metric's stored result from each test's last good answer, in one query; a metric
    the engine refused has none."""
    rows = AnalysisResult.objects.filter(
        experiment_id__in=list(experiment_ids), is_control=True, is_current=True
    ).values_list("experiment_id", "output")
    found: dict[int, list[StoredResult]] = {}
    for experiment_id, output in rows:
        results = found.setdefault(experiment_id, [])
        if output:
            results.append(result_from_dict(output))
    return found


def refresh_failed_ids(experiment_ids: Iterable[int]) -> set[int]:
    """The tests whose newest finished analysis failed, in one query."""
    newest = (
        AnalysisRun.objects.filter(experiment=OuterRef("experiment_id"), finished_at__isnull=False)
        .order_by("-finished_at", "-id")
        .values("status")[:1]
    )
    finished = AnalysisRun.objects.filter(
        experiment_id__in=list(experiment_ids), finished_at__isnull=False
    )
    failed = finished.annotate(newest=Subquery(newest)).filter(newest=RunStatus.FAILED)
    return set(failed.values_list("experiment_id", flat=True))
