"""The sample-size plan: how many users each variant needs, and how many days that takes."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from experiments.models import Experiment
from experiments.selectors import primary_metric
from experiments.services.experiments import ensure_not_frozen
from experiments.services.history import recorded_edit
from experiments.signals import analysis_choices
from metrics import stats
from metrics.models import MetricKind

NEEDS_PRIMARY_METRIC = gettext_lazy("Attach a primary metric first: the plan depends on its kind.")
NEEDS_BASELINE_SD = gettext_lazy("A mean or ratio metric needs the baseline standard deviation.")
NEEDS_CONTROL = gettext_lazy("The test needs a control and at least one treatment to plan.")
NEEDS_MDE = gettext_lazy(
    "Set the minimum detectable effect: the smallest change worth finding decides how many "
    "users the test needs."
)
NEEDS_BASELINE = gettext_lazy("Set the baseline: today's value of the primary metric.")

# The analysis settings' decision rules (analysis.models.Method), which this app cannot import.
FIXED, SEQUENTIAL = "fixed", "sequential"


def power_payload(experiment: Experiment, kind: str) -> dict:
    """The engine's power input for this experiment's plan fields and variants.

    The plan is sized for the decision rule of the experiment's analysis settings: the
    sequential interval stays valid however often it is read, so it is wider and needs more
    users than the fixed-horizon interval for the same effect.
    """
    variants = list(experiment.variants.all())
    control = next((v for v in variants if v.is_control), None)
    treatments = [v for v in variants if not v.is_control]
    if control is None or not treatments:
        raise ValidationError(NEEDS_CONTROL)
    if not experiment.mde_relative:
        raise ValidationError({"mde_relative": NEEDS_MDE})
    if experiment.plan_baseline is None:
        raise ValidationError({"plan_baseline": NEEDS_BASELINE})
    payload = {
        "metric_type": "binomial" if kind == MetricKind.BINOMIAL else "mean",
        "mde_relative": experiment.mde_relative / 100,
        "alpha": experiment.plan_alpha,
        "power": experiment.plan_power,
        # The smallest treatment decides how long the whole test must run.
        "ratio": float(min(t.traffic_share for t in treatments) / control.traffic_share),
        "two_sided": True,
        "n_variants": len(variants),
        "correction": "bonferroni" if len(treatments) > 1 else "none",
        "daily_traffic": experiment.plan_daily_traffic,
        # Control first, as the engine's sizes are: the days needed follow the real split.
        "expected_split": [float(v.traffic_share) for v in [control, *treatments]],
        "sprint_days": experiment.team.sprint_length_days,
    }
    rule = analysis_choices(experiment)
    if rule["method"] == SEQUENTIAL:
        payload["sequential_tuning_parameter"] = rule["sequential_tuning_parameter"]
    if kind == MetricKind.BINOMIAL:
        payload["baseline_rate"] = experiment.plan_baseline
    elif not experiment.plan_baseline_sd:
        raise ValidationError({"plan_baseline_sd": NEEDS_BASELINE_SD})
    else:
        payload |= {
            "baseline_mean": experiment.plan_baseline,
            "baseline_sd": experiment.plan_baseline_sd,
        }
    return payload


def sample_size_plan(experiment: Experiment, *, method: str | None = None) -> dict:
    """Run the engine's power calculation; a bad input becomes a ValidationError.

    ``method`` sizes the plan for another decision rule than the experiment's own (the plan
    card compares the sequential plan with the fixed-horizon one).
    """
    metric = primary_metric(experiment)
    if metric is None:
        raise ValidationError(NEEDS_PRIMARY_METRIC)
    payload = power_payload(experiment, metric.kind)
    if method == FIXED:
        payload.pop("sequential_tuning_parameter", None)
    try:
        return stats.plan_power(payload)
    except stats.StatsInputError as error:
        raise ValidationError(str(error)) from error


def plan_method_of(experiment: Experiment) -> str:
    """The decision rule a plan made now is sized for: the analysis settings' method."""
    return analysis_choices(experiment)["method"]


@dataclass(frozen=True)
class PlanRule:
    """The decision rule a saved plan was sized for, beside the one the test is analysed with."""

    sized_for: str  # "fixed", "sequential", or "" for a plan saved before rules were recorded
    analysed_with: str
    fixed_sample: int | None  # users per variant a fixed-horizon reading would need

    @property
    def stale(self) -> bool:
        return bool(self.sized_for) and self.sized_for != self.analysed_with


def plan_rule(experiment: Experiment) -> PlanRule | None:
    """Which rule the plan is sized for and what a fixed-horizon plan would need; None unplanned."""
    if not experiment.plan_sample_size_per_variant:
        return None
    fixed_sample = None
    if experiment.plan_method == SEQUENTIAL:
        try:
            fixed_sample = max(sample_size_plan(experiment, method=FIXED)["n_per_variant"])
        except (ValidationError, TypeError):
            fixed_sample = None  # the plan's inputs changed since; the page shows the plan alone
    return PlanRule(experiment.plan_method, plan_method_of(experiment), fixed_sample)


@transaction.atomic
def experiment_plan_sample_size(*, experiment: Experiment, user, data: dict) -> Experiment:
    """Save the plan inputs and the sample size and days the engine computes from them."""
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    ensure_not_frozen(experiment)
    with recorded_edit(obj=experiment, user=user, summary="Planned the sample size"):
        for name, value in data.items():
            setattr(experiment, name, value)
        plan = sample_size_plan(experiment)
        experiment.plan_sample_size_per_variant = max(plan["n_per_variant"])
        experiment.plan_days = plan["days"]
        experiment.plan_method = plan_method_of(experiment)
        experiment.full_clean()
        experiment.save()
    return experiment
