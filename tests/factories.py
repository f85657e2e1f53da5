"""Plain rows for tests, made through the services so that history and checks apply."""

from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_create, experiment_metric_attach
from experiments.services.ideas import idea_create
from metrics.models import Metric, MetricKind

READY_DOCUMENTATION = {
    "title": "Free shipping banner on the cart page",
    "audience": "Returning visitors in Sweden",
    "hypothesis_insight": "cart abandonment peaks when shipping costs appear",
    "hypothesis_change": "showing free shipping above 499 SEK in the cart",
    "hypothesis_effect": "increase completed orders",
    "mde_relative": 5.0,
    "planned_duration_days": 21,
    "plan_baseline": 0.05,
    "plan_daily_traffic": 4000,
}


def metric_make(name: str = "Order conversion", kind: str = MetricKind.BINOMIAL, **fields):
    return Metric.objects.create(name=name, kind=kind, **fields)


def idea_make(people, **data):
    data = {
        "title": "Show delivery date on product page",
        "impact": 7,
        "confidence": 5,
        "ease": 8,
        **data,
    }
    return idea_create(team=people.team, author=people.owner, data=data)


def experiment_make(people, *, ready: bool = False, **data) -> Experiment:
    """A draft by people.owner; `ready` fills everything a start needs."""
    base = READY_DOCUMENTATION if ready else {"title": "A test still being written"}
    experiment = experiment_create(team=people.team, user=people.owner, data={**base, **data})
    if ready:
        metric = metric_make()
        experiment_metric_attach(
            experiment=experiment, metric=metric, role=MetricRole.PRIMARY, user=people.owner
        )
        Experiment.objects.filter(pk=experiment.pk).update(
            plan_sample_size_per_variant=31000, plan_days=16
        )
        experiment.refresh_from_db()
    return experiment


def read_fixed_horizon(experiment: Experiment) -> Experiment:
    """Give the test fixed-horizon analysis settings: its plan is then the textbook one."""
    from analysis.models import AnalysisSettings, Method

    AnalysisSettings.objects.update_or_create(
        experiment=experiment, defaults={"method": Method.FIXED}
    )
    return experiment
