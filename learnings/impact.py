"""Programme impact: what the shipped tests added to each KPI node, raw and shrunk for selection.

Tests are shipped because their observed lift was large, so part of each winner's lift is luck;
``metrics.stats.shrinkage.shrink`` pulls every shipped lift towards the programme's mean across
all shipped tests (one prior for the programme) before the lifts are added up per node and team.
"""

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from dashboard.selectors import outputs_by_experiment
from experiments.models import Decision, Experiment
from metrics.stats.shrinkage import Shrunk, shrink
from metrics.stats.verdict import decision_interval, furthest_good

ALPHA = 0.05


@dataclass
class ShippedLift:
    experiment: Experiment
    node: str
    lift: Shrunk


@dataclass
class NodeImpact:
    node: str
    team: str
    tests: list[ShippedLift] = field(default_factory=list)

    @property
    def raw_total(self) -> float:
        return sum(t.lift.raw for t in self.tests)

    @property
    def shrunk_total(self) -> float:
        return sum(t.lift.value for t in self.tests)

    def _half_width(self, attribute: str) -> float:
        # the tests ran on separate traffic, so their errors are taken as independent
        z = NormalDist().inv_cdf(1 - ALPHA / 2)
        return z * math.sqrt(sum(getattr(t.lift, attribute) ** 2 for t in self.tests))

    @property
    def raw_interval(self) -> tuple[float, float]:
        half = self._half_width("raw_std_error")
        return self.raw_total - half, self.raw_total + half

    @property
    def shrunk_interval(self) -> tuple[float, float]:
        half = self._half_width("std_error")
        return self.shrunk_total - half, self.shrunk_total + half


def _primary_lift(results) -> tuple[str, float, float] | None:
    """(metric, relative lift, standard error) of the shipped variant on the primary metric."""
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
    return primary.metric_name, interval.estimate, se


def programme_impact() -> list[NodeImpact]:
    """One row per KPI node and team, with each shipped test's raw and shrunk lift."""
    shipped = list(
        Experiment.objects.filter(decision=Decision.SHIP, concluded_at__isnull=False)
        .select_related("team")
        .order_by("concluded_at")
    )
    outputs = outputs_by_experiment(e.pk for e in shipped)
    found = []
    for experiment in shipped:
        lift = _primary_lift(outputs.get(experiment.pk, []))
        if lift is not None:
            found.append((experiment, *lift))
    shrunk = shrink([f[2] for f in found], [f[3] for f in found], ALPHA)
    nodes: dict[tuple[str, str], NodeImpact] = {}
    for (experiment, node, _, _), lift in zip(found, shrunk, strict=True):
        key = (node, experiment.team.name)
        impact = nodes.setdefault(key, NodeImpact(node, experiment.team.name))
        impact.tests.append(ShippedLift(experiment, node, lift))
    return sorted(nodes.values(), key=lambda n: (n.node, n.team))
