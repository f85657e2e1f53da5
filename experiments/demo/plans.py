"""The sample-size plan of a demo test, from its primary metric's baseline and its traffic."""

from dataclasses import dataclass

from experiments.demo.context import Demo
from experiments.demo.sample_size import days_needed, sample_size_per_variant
from experiments.models import Experiment
from metrics.models import MetricKind

ALPHA = Experiment._meta.get_field("plan_alpha").default
POWER = Experiment._meta.get_field("plan_power").default


@dataclass(frozen=True)
class Plan:
    baseline: float
    sd: float | None
    daily_traffic: int
    per_variant: int
    days: int  # days the sample size needs
    duration: int  # days the test runs: longer than `days` when buyers need time to act


def plan_for(demo: Demo, spec: dict) -> Plan | None:
    """The plan for a documented test; None for a draft without traffic figures yet."""
    if "daily_traffic" not in spec:
        return None
    metric = demo.metrics[spec["metrics"]["primary"]]
    baseline = spec.get("baseline", metric.baseline_value)
    sd = None if metric.kind == MetricKind.BINOMIAL else metric.baseline_sd
    per_variant = sample_size_per_variant(
        baseline=baseline, sd=sd, mde_relative=spec["mde"], alpha=ALPHA, power=POWER
    )
    smallest_share = min(share for _name, _description, share in spec["variants"])
    days = days_needed(
        per_variant=per_variant, daily_traffic=spec["daily_traffic"], smallest_share=smallest_share
    )
    return Plan(baseline, sd, spec["daily_traffic"], per_variant, days, spec.get("run_days", days))
