"""Programme impact: what the shipped tests added to each KPI node, raw and shrunk for selection.

Tests are shipped because their observed lift was large, so part of each winner's lift is luck
(the winner's curse). ``metrics.stats.shrinkage.shrink`` (Morris 1983; formula there) pulls
every lift towards the programme's mean by how noisy it was. The prior is estimated from every
concluded test with a stored primary result, shipped or not: estimated from the winners alone,
the programme's mean would itself carry the luck that selected them. Lifts are pooled in each
metric's good direction (a fall in "cart abandonment" counts as a gain), then turned back.

A node of the KPI tree is a metric, matched by its id: two teams whose tests move the same
metric add to one node, each team's share shown beside the node's total. Per node and team the
cumulative effect is the sum of the shipped tests' relative lifts (an additive reading of
small lifts, as the sprint pages sum them), with the 95% interval of the sum taken from the
tests' standard errors as independent (they ran on separate traffic):

    total = Σ θ̂ᵢ        interval = total ± z₀.₉₇₅ · √(Σ vᵢ)

with θ̂ᵢ, vᵢ the raw lift and its squared standard error, or the shrunk lift and Morris's
variance. Quarterly figures, of the tests concluded in the quarter: win rate = shipped /
concluded; learning rate = decisive / concluded, where decisive is any decision but
"inconclusive" (a loss teaches as much as a win; every concluded test has a written learning,
so its share would say nothing); time to decision = median days from start to conclusion.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import NormalDist, median

from django.utils import timezone

from dashboard.selectors import outputs_by_experiment
from experiments.models import Decision, Experiment
from experiments.selectors import primary_links, primary_metric
from learnings.models import ReadBack
from learnings.readbacks import latest_readback, readbacks_prefetch
from metrics.stats.analysis import StoredResult
from metrics.stats.shrinkage import Shrunk, shrink
from metrics.stats.verdict import decision_interval, furthest_good

ALPHA = 0.05


@dataclass(frozen=True)
class MeasuredLift:
    """A test's primary-metric lift as its decision rule reads it (relative, 0.08 = +8%)."""

    metric_name: str
    estimate: float
    ci_lower: float
    ci_upper: float
    std_error: float
    increase_is_good: bool


def measured_lift(results: list[StoredResult]) -> MeasuredLift | None:
    """The primary metric's lift of the treatment that went furthest in the good direction
    (the shipped variant is not recorded with the decision); None without a readable one."""
    primary = next((r for r in results if r.role == "primary"), None)
    if primary is None:
        return None
    comparison = furthest_good(primary.settings, list(primary.comparisons))
    if comparison is None:
        return None
    interval = decision_interval(primary.settings, comparison)
    z = NormalDist().inv_cdf(1 - primary.settings.alpha / 2)
    se = (interval.ci_upper - interval.ci_lower) / (2 * z)
    if not (math.isfinite(se) and se > 0):
        return None
    return MeasuredLift(
        primary.metric_name,
        interval.estimate,
        interval.ci_lower,
        interval.ci_upper,
        se,
        primary.settings.direction == "increase",
    )


@dataclass
class ShippedLift:
    experiment: Experiment
    lift: Shrunk
    readback: ReadBack | None = None  # its latest read-back (``latest_readback``)


def _interval(total: float, std_errors: list[float]) -> tuple[float, float]:
    half = NormalDist().inv_cdf(1 - ALPHA / 2) * math.sqrt(sum(s * s for s in std_errors))
    return total - half, total + half


@dataclass
class TeamImpact:
    """One team's shipped tests on one node, in the order they concluded."""

    team: str
    tests: list[ShippedLift] = field(default_factory=list)

    @property
    def raw_total(self) -> float:
        return sum(t.lift.raw for t in self.tests)

    @property
    def shrunk_total(self) -> float:
        return sum(t.lift.value for t in self.tests)

    @property
    def raw_interval(self) -> tuple[float, float]:
        return _interval(self.raw_total, [t.lift.raw_std_error for t in self.tests])

    @property
    def shrunk_interval(self) -> tuple[float, float]:
        return _interval(self.shrunk_total, [t.lift.std_error for t in self.tests])

    @property
    def readback_counts(self) -> dict[str, int]:
        """How many of the shipped tests held, faded or reversed at their latest read-back."""
        counts = dict.fromkeys(ReadBack.Outcome.values, 0)
        for test in self.tests:
            if test.readback is not None and test.readback.outcome:
                counts[test.readback.outcome] += 1
        return counts


@dataclass
class NodeImpact(TeamImpact):
    """A KPI node (a metric, by id): all its shipped tests, and each team's share of them."""

    metric_id: int = 0
    node: str = ""
    teams: list[TeamImpact] = field(default_factory=list)

    @property
    def cumulative(self) -> list[tuple[ShippedLift, float, float, float, float]]:
        """(test, raw sum, its interval's half-width, shrunk sum, half-width) after each test."""
        z = NormalDist().inv_cdf(1 - ALPHA / 2)
        rows, raw, shrunk, raw_var, shrunk_var = [], 0.0, 0.0, 0.0, 0.0
        for test in self.tests:
            raw += test.lift.raw
            shrunk += test.lift.value
            raw_var += test.lift.raw_std_error**2
            shrunk_var += test.lift.std_error**2
            rows.append((test, raw, z * math.sqrt(raw_var), shrunk, z * math.sqrt(shrunk_var)))
        return rows


def _pooled_shrink(lifts: list[MeasuredLift]) -> list[Shrunk]:
    """Shrink in each metric's good direction, then give each result its own sign back."""
    signs = [1.0 if lift.increase_is_good else -1.0 for lift in lifts]
    pooled = shrink(
        [s * lift.estimate for s, lift in zip(signs, lifts, strict=True)],
        [lift.std_error for lift in lifts],
        ALPHA,
    )
    return [
        p
        if s > 0
        else Shrunk(
            -p.raw,
            p.raw_std_error,
            -p.value,
            p.std_error,
            p.shrinkage,
            -p.ci_upper,
            -p.ci_lower,
            -p.raw_ci_upper,
            -p.raw_ci_lower,
        )
        for s, p in zip(signs, pooled, strict=True)
    ]


def programme_impact() -> list[NodeImpact]:
    """One entry per KPI node with a shipped, measured test; each with its teams' shares."""
    concluded = list(
        Experiment.objects.filter(concluded_at__isnull=False)
        .exclude(decision="")
        .select_related("team")
        .prefetch_related(primary_links(), *readbacks_prefetch())
        .order_by("concluded_at", "pk")
    )
    outputs = outputs_by_experiment(e.pk for e in concluded)
    measured = []
    for experiment in concluded:
        metric = primary_metric(experiment)
        lift = measured_lift(outputs.get(experiment.pk, []))
        if metric is not None and lift is not None:
            measured.append((experiment, metric, lift))
    shrunk = _pooled_shrink([lift for _, _, lift in measured])
    nodes: dict[int, NodeImpact] = {}
    for (experiment, metric, _), lift in zip(measured, shrunk, strict=True):
        if experiment.decision != Decision.SHIP:
            continue
        node = nodes.setdefault(metric.pk, NodeImpact("", metric_id=metric.pk, node=metric.name))
        shipped = ShippedLift(experiment, lift, latest_readback(experiment))
        node.tests.append(shipped)
        team = next((t for t in node.teams if t.team == experiment.team.name), None)
        if team is None:
            team = TeamImpact(experiment.team.name)
            node.teams.append(team)
        team.tests.append(shipped)
    for node in nodes.values():
        node.teams.sort(key=lambda t: t.team)
    return sorted(nodes.values(), key=lambda n: (n.node, n.metric_id))


@dataclass(frozen=True)
class QuarterFigures:
    label: str  # "2026 Q3"
    concluded: int
    wins: int
    decisive: int
    median_days_to_decision: float | None

    @property
    def win_rate(self) -> float | None:
        return None if not self.concluded else self.wins / self.concluded

    @property
    def learning_rate(self) -> float | None:
        return None if not self.concluded else self.decisive / self.concluded


def quarter_of(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarterly_figures() -> list[QuarterFigures]:
    """Every quarter with a concluded test, oldest first, by the local day it concluded."""
    rows = (
        Experiment.objects.filter(concluded_at__isnull=False)
        .exclude(decision="")
        .values_list("concluded_at", "started_at", "decision")
    )
    by_quarter: dict[str, list] = defaultdict(list)
    for concluded_at, started_at, decision in rows:
        by_quarter[quarter_of(timezone.localdate(concluded_at))].append(
            (concluded_at, started_at, decision)
        )
    figures = []
    for label in sorted(by_quarter):
        tests = by_quarter[label]
        waits = [(timezone.localdate(c) - timezone.localdate(s)).days for c, s, _ in tests if s]
        figures.append(
            QuarterFigures(
                label=label,
                concluded=len(tests),
                wins=sum(d == Decision.SHIP for _, _, d in tests),
                decisive=sum(d != Decision.INCONCLUSIVE for _, _, d in tests),
                median_days_to_decision=median(waits) if waits else None,
            )
        )
    return figures
