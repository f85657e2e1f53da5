"""Every metric read per segment of each dimension (device, country, …), for the page.

The segments are compared with the settings of the stored overall answer (its engine payload),
so a segment is read exactly as the whole test is; the engine (``metrics.stats.segments``)
corrects across segments, tests the heterogeneity and shrinks. A segment the engine refuses
(too few users in a variant) is left out by name rather than hiding the whole dimension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Sum

from analysis.models import AnalysisResult
from analysis.services.compute import variant_stats
from analysis.services.inputs import STAT_FIELDS, started_on
from analysis.services.segments import dimension_reads
from metrics.models import OutcomeSegment
from metrics.stats.segments import DimensionResult


@dataclass(frozen=True)
class SegmentRow:
    """One segment's treatment against its control, lifts as fractions."""

    segment: str
    users: tuple[int, ...]
    lift: float
    ci_lower: float
    ci_upper: float
    shrunk: float
    p_value: float
    p_value_adjusted: float
    srm_mismatch: bool


@dataclass(frozen=True)
class DimensionView:
    """Every segment of one dimension for one treatment, and whether their effects differ."""

    metric: str
    role: str
    dimension: str
    variant: str
    overall: float
    rows: tuple[SegmentRow, ...]
    differs: bool
    q: float | None
    q_p_value: float | None
    i_squared: float | None
    best: str  # the segment that gains most in the metric's good direction
    worst: str
    refused: tuple[str, ...]


def _stored_payloads(experiment) -> list[dict]:
    """Every metric's stored payload of the current answer, in the order the page lists them."""
    rows = (
        AnalysisResult.objects.filter(experiment=experiment, is_control=True, is_current=True)
        .filter(output__isnull=False)
        .order_by("id")
        .values("payload", "metric_id", "metric__name", "role")
    )
    return [row for row in rows if row["payload"]]


def _segment_totals(experiment) -> dict:
    """{metric id: {dimension: {segment: {variant name: totals}}}} from the start day on."""
    rows = OutcomeSegment.objects.filter(experiment=experiment)
    if (start := started_on(experiment)) is not None:
        rows = rows.exclude(exposure_date__lt=start)
    summed = rows.values("metric_id", "dimension", "segment", "variant__name").annotate(
        **{f"t_{f}": Sum(f) for f in STAT_FIELDS}
    )
    found: dict = {}
    for row in summed.order_by("metric_id", "dimension", "segment"):
        totals = tuple(row[f"t_{f}"] for f in STAT_FIELDS)
        by_dimension = found.setdefault(row["metric_id"], {}).setdefault(row["dimension"], {})
        by_dimension.setdefault(row["segment"], {})[row["variant__name"]] = totals
    return found


def _segment_payload(payload: dict, by_variant: dict) -> dict | None:
    """The stored payload with one segment's variants; None if a variant has no rows there.
    CUPED is left out per segment: the pre-period is not split by dimension everywhere."""
    kind, names = payload["metric_type"], [v["name"] for v in payload["variants"]]
    if any(n not in by_variant for n in names):
        return None
    variants = [{"name": n, **variant_stats(kind, by_variant[n], cuped=False)} for n in names]
    return {**payload, "variants": variants}


def _view(
    result: DimensionResult, refused: list[str], decrease: bool, metric: str, role: str
) -> DimensionView:
    rows = tuple(
        SegmentRow(
            segment=s.segment,
            users=s.users,
            lift=s.relative.estimate,
            ci_lower=s.relative.ci_lower,
            ci_upper=s.relative.ci_upper,
            shrunk=s.shrunk_relative,
            p_value=s.relative.p_value,
            p_value_adjusted=s.p_value_adjusted,
            srm_mismatch=s.srm.mismatch,
        )
        for s in result.segments
    )
    ranked = sorted(rows, key=lambda r: -r.lift if not decrease else r.lift)
    het = result.heterogeneity
    return DimensionView(
        metric=metric,
        role=role,
        dimension=result.dimension,
        variant=result.variant,
        overall=result.overall_relative,
        rows=rows,
        differs=bool(het and het.differs),
        q=het.q if het else None,
        q_p_value=het.p_value if het else None,
        i_squared=het.i_squared if het else None,
        best=ranked[0].segment,
        worst=ranked[-1].segment,
        refused=tuple(refused),
    )


def segment_views(experiment) -> list[DimensionView]:
    """Per metric, dimension and treatment, the metric read per segment; empty without any."""
    totals = _segment_totals(experiment)
    views = []
    for stored in _stored_payloads(experiment):
        payload = stored["payload"]
        decrease = payload.get("direction") == "decrease"
        for dimension, segments in totals.get(stored["metric_id"], {}).items():
            pieces = [(name, _segment_payload(payload, v)) for name, v in segments.items()]
            reads = dimension_reads(dimension, payload, pieces)
            for result, refused in reads.values():
                if result is None:
                    continue
                if all(math.isfinite(s.relative.estimate) for s in result.segments):
                    views.append(
                        _view(
                            result, list(refused), decrease, stored["metric__name"], stored["role"]
                        )
                    )
    return views
