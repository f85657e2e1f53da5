"""One segment of a test (device = mobile) read by the same analysis as the whole test.

The segment's stored totals stand in for the test's, and the settings are those of the test's
current answer, so every number of a segment is what the whole test's page would show had only
its users taken part: the decision rule (fixed horizon or sequential), the correction across
metrics, the plan. Nothing is stored: a segment is read when asked for, as a lead for the next
test, never as a verdict (``analysis.models.AnalysisResult`` holds only whole-test answers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from analysis.models import AnalysisResult
from analysis.services.compute import experiment_answer
from analysis.services.inputs import AnalysisInputs, inputs_read
from experiments.models import Experiment
from metrics.models import OutcomeSegment
from metrics.stats.analysis import AnalysisInput
from metrics.stats.errors import StatsInputError
from metrics.stats.jsonio import parse_analysis
from metrics.stats.segments import DimensionResult, analyse_dimension


@dataclass(frozen=True)
class SegmentAnswer:
    """The inputs a segment was read from and its rows, shaped as experiment_answer() makes
    them (one per variant x metric, the control's holding the engine's output)."""

    dimension: str
    segment: str
    inputs: AnalysisInputs
    rows: list[dict]

    def metric(self, metric_id: int):
        return next(m for m in self.inputs.metrics if m.id == metric_id)

    def variant(self, variant_id: int):
        return next(v for v in self.inputs.variants if v.id == variant_id)


class UnknownSegment(ValueError):
    """A dimension or segment with no stored rows, named in plain words."""


def segments_known(experiment_ids: Iterable[int] | None = None) -> dict[str, set[str]]:
    """{dimension: its segments} stored for these experiments (every experiment: None)."""
    rows = OutcomeSegment.objects.all()
    if experiment_ids is not None:
        rows = rows.filter(experiment_id__in=list(experiment_ids))
    found: dict[str, set[str]] = {}
    for dimension, segment in rows.order_by().values_list("dimension", "segment").distinct():
        found.setdefault(dimension, set()).add(segment)
    return found


def segment_checked(known: dict[str, set[str]], dimension: str, segment: str | None) -> None:
    """Raise UnknownSegment naming the dimension or the segment that has no stored rows."""
    if dimension not in known:
        names = ", ".join(sorted(known)) or _("none")
        raise UnknownSegment(
            _("No segments are stored for the dimension “%(dimension)s”; stored: %(names)s.")
            % {"dimension": dimension, "names": names}
        )
    if segment is not None and segment not in known[dimension]:
        raise UnknownSegment(
            _("The dimension “%(dimension)s” has no segment “%(segment)s”.")
            % {"dimension": dimension, "segment": segment}
        )


def current_choices(experiment_id: int) -> dict | None:
    """The settings the current answer was computed with; None before the first answer."""
    row = AnalysisResult.objects.filter(experiment_id=experiment_id, is_current=True)
    return row.order_by("id").values_list("settings", flat=True).first()


def segment_answer(
    *, experiment: Experiment, dimension: str, segment: str, daily: bool = True
) -> SegmentAnswer | None:
    """One segment read with the current answer's settings; None before the first answer."""
    choices = current_choices(experiment.id)
    if choices is None:
        return None
    inputs = inputs_read(experiment=experiment, choices=choices, segment=(dimension, segment))
    rows = experiment_answer(inputs, lambda: None, daily=daily)
    return SegmentAnswer(dimension, segment, inputs, rows)


def dimension_reads(
    dimension: str, overall_payload: dict, segment_payloads: Iterable[tuple[str, dict | None]]
) -> dict[int, tuple[DimensionResult | None, tuple[str, ...]]]:
    """Per treatment (its index in the payload's variants), the dimension's segments compared
    with the control, corrected across segments (BH), tested for heterogeneity and shrunk
    toward the overall lift (metrics.stats.segments), and the segments the engine refused
    (too few users in a variant), by name; None when no segment could be read."""
    overall = parse_analysis(overall_payload)
    readable: list[tuple[str, AnalysisInput]] = []
    unreadable: list[str] = []
    for name, payload in segment_payloads:
        try:
            if payload is None:  # a variant with no rows in this segment
                raise KeyError(name)
            readable.append((name, parse_analysis(payload)))
        except (KeyError, StatsInputError):
            unreadable.append(name)
    reads = {}
    for index in range(len(overall.variants)):
        if index == overall.control_index:
            continue
        try:
            result = analyse_dimension(dimension, readable, overall, index)
        except StatsInputError:  # no segment left to compare, or none to weigh by
            reads[index] = (None, tuple(unreadable))
            continue
        reads[index] = (result, (*unreadable, *result.refused))
    return reads
