"""The primary metric read per segment of each dimension (device, country, …), for the page.

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
from metrics.models import OutcomeSegment
from metrics.stats.analysis import compare
from metrics.stats.errors import StatsInputError
from metrics.stats.jsonio import parse_analysis
from metrics.stats.segments import DimensionResult, analyse_dimension


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


def _primary_payload(experiment) -> dict | None:
    row = (
        AnalysisResult.objects.filter(
            experiment=experiment, role="primary", is_control=True, is_current=True
        )
        .filter(output__isnull=False)
        .values("payload", "metric_id")
        .first()
    )
    return row if row and row["payload"] else None


def _segment_totals(experiment, metric_id: int) -> dict:
    """{dimension: {segment: {variant name: totals}}} from the start day on."""
    rows = OutcomeSegment.objects.filter(experiment=experiment, metric_id=metric_id)
    if (start := started_on(experiment)) is not None:
        rows = rows.exclude(exposure_date__lt=start)
    summed = rows.values("dimension", "segment", "variant__name").annotate(
        **{f"t_{f}": Sum(f) for f in STAT_FIELDS}
    )
    found: dict = {}
    for row in summed.order_by("dimension", "segment"):
        totals = tuple(row[f"t_{f}"] for f in STAT_FIELDS)
        found.setdefault(row["dimension"], {}).setdefault(row["segment"], {})[
            row["variant__name"]
        ] = totals
    return found


def _view(result: DimensionResult, refused: list[str], decrease: bool) -> DimensionView:
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
    """Per dimension and treatment, the primary metric read per segment; empty without any."""
    stored = _primary_payload(experiment)
    if stored is None:
        return []
    payload = stored["payload"]
    kind, names = payload["metric_type"], [v["name"] for v in payload["variants"]]
    overall = parse_analysis(payload)
    treatments = [i for i in range(len(names)) if i != overall.control_index]
    views = []
    for dimension, segments in _segment_totals(experiment, stored["metric_id"]).items():
        for index in treatments:
            kept, refused = [], []
            for segment, by_variant in segments.items():
                try:
                    # CUPED is left out per segment: the pre-period is not split by dimension.
                    variants = [
                        {"name": n, **variant_stats(kind, by_variant[n], cuped=False)}
                        for n in names
                    ]
                    inp = parse_analysis({**payload, "variants": variants})
                    compare(inp, index)
                except (KeyError, StatsInputError):
                    refused.append(segment)
                    continue
                kept.append((segment, inp))
            if not kept:
                continue
            try:
                result = analyse_dimension(dimension, kept, overall, index)
            except StatsInputError:
                continue  # no standard error to weigh a segment by: nothing readable to show
            if all(math.isfinite(s.relative.estimate) for s in result.segments):
                views.append(_view(result, refused, payload.get("direction") == "decrease"))
    return views
