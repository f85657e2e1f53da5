"""Step that loads outcome data and analyses it, so the first start shows full dashboards.

Each test that has run gets one row of totals per variant, metric and exposure day, the way
a daily counts export arrives: sufficient statistics, never users or events. The numbers come
from a `random.Random` seeded with the test's title, so every load draws the same data, and
the engine then analyses them in-process, exactly as after an upload.
"""

import math
import random
from datetime import date, timedelta

from django.utils import timezone

from analysis.jobs import ANALYSIS_RUNS
from analysis.models import Trigger
from analysis.services import analysis_request, analysis_run_execute
from demo.context import Demo
from demo.data.outcomes import SCENARIOS
from experiments.models import Experiment, MetricRole
from jobs.attempt import Delivery, job_claim
from metrics.ingestion.columns import TOTAL_FIELDS
from metrics.ingestion.load import cohorts_replace
from metrics.ingestion.parse import CohortTotals
from metrics.ingestion.segments import SegmentTotals
from metrics.models import Metric, MetricKind, OutcomeSource

ANALYSED = (Experiment.Status.RUNNING, Experiment.Status.ANALYSING, Experiment.Status.CONCLUDED)
WEEKDAY_TRAFFIC = (0.95, 0.93, 0.94, 0.97, 1.02, 1.09, 1.1)  # Monday first: weekends shop more
ORDERS_PER_USER = 0.04  # the denominator of a ratio metric: most users place no order
ORDERS_SQUARED = 1.2 * ORDERS_PER_USER  # E[k²]: a few users order more than once


def outcomes_load(demo: Demo) -> None:
    tests = Experiment.objects.filter(team__in=demo.teams.values(), status__in=ANALYSED)
    for experiment in tests.select_related("owner").order_by("pk"):
        if experiment.outcome_cohorts.exists() or experiment.analysis_runs.exists():
            continue
        scenario = SCENARIOS.get(experiment.title, {})
        cohorts = experiment_cohorts(demo, experiment, scenario)
        written = cohorts_replace(
            experiment=experiment, source=OutcomeSource.COUNTS, cohorts=cohorts
        )
        demo.created["outcome cohorts"] += written
        analyse_now(experiment, Trigger.UPLOAD, user=experiment.owner)
        demo.count("analyses")
        if reason := scenario.get("refresh_error"):
            refresh_fail(experiment, reason)


def measured_results_write(demo: Demo) -> None:
    """Fill each concluded test's "what happened" from its stored result, as the conclude form
    would have: the demo concludes its tests before their data is loaded, and a learning must
    never quote other numbers than the result it is about."""
    from dashboard.results import measured_result

    concluded = Experiment.objects.filter(
        team__in=demo.teams.values(), concluded_at__isnull=False, postmortem_what_happened=""
    )
    for experiment in concluded.order_by("pk"):
        summary = measured_result(experiment).summary
        if not summary:
            continue
        Experiment.objects.filter(pk=experiment.pk).update(postmortem_what_happened=summary)
        entry = experiment.history.filter(summary="Concluded").first()
        if entry is not None:
            change = {"field": "postmortem_what_happened", "label": "What happened", "old": ""}
            entry.changes.append(change | {"new": summary})
            entry.save(update_fields=["changes"])


def analyse_now(experiment: Experiment, trigger: str, user=None) -> int:
    """Request an analysis and run it here: the demo's message is sent only after commit.

    The task that message starts later finds the run finished and returns without a write.
    """
    run = analysis_request(experiment=experiment, trigger=trigger, user=user)
    analysis_run_execute(run_id=run.id)
    return run.id


def refresh_fail(experiment: Experiment, reason: str) -> None:
    """A scheduled refresh after the good answer that failed, with its reason in plain words."""
    run = analysis_request(experiment=experiment, trigger=Trigger.SCHEDULE)
    job_claim(ANALYSIS_RUNS, run.id, Delivery.local()).fail(reason)


def exposure_days(demo: Demo, experiment: Experiment) -> list[date]:
    """Every whole day the test ran: up to the stop, or up to yesterday while it runs."""
    first = timezone.localtime(experiment.started_at).date()
    end = timezone.localtime(experiment.stopped_at).date() if experiment.stopped_at else demo.today
    return [first + timedelta(days=i) for i in range((end - first).days)]


def experiment_cohorts(demo: Demo, experiment: Experiment, scenario: dict) -> list[CohortTotals]:
    rng = random.Random(experiment.title)
    variants = list(experiment.variants.order_by("-is_control", "name"))
    shares = planned_shares(variants, scenario.get("skew", 1.0))
    traffic = experiment.plan_daily_traffic * scenario.get("traffic", 1.0)
    links = experiment.experiment_metrics.select_related("metric").order_by("role", "metric__name")
    baselines = {link.metric.name: baseline_of(experiment, link, rng) for link in links}
    cohorts = []
    for day in exposure_days(demo, experiment):
        daily = traffic * WEEKDAY_TRAFFIC[day.weekday()] * rng.uniform(0.94, 1.06)
        for index, (variant, share) in enumerate(zip(variants, shares, strict=True)):
            n = assigned(rng, daily, share)
            for link in links:
                name = link.metric.name
                if devices := scenario.get("devices"):
                    cohorts += device_cohorts(
                        rng,
                        scenario,
                        devices,
                        link,
                        variant.name,
                        day,
                        n,
                        {"index": index, "baseline": baselines[name]},
                    )
                    continue
                lift = 0.0 if index == 0 else lift_of(scenario, name, index)
                value = baselines[name] * (1 + lift)
                totals = metric_totals(rng, link.metric, n, value)
                cohorts.append(CohortTotals(variant.name, day, name, n, **totals))
    return cohorts


def device_cohorts(rng, scenario, devices, link, variant, day, n, at) -> list[CohortTotals]:
    """One variant's day split by device, each drawn with its device's lift, then the overall
    row as their sum: the segments add up to the overall totals, as a load stores them."""
    name, index = link.metric.name, at["index"]
    by_device = scenario.get("device_lifts", {}).get(name, {})
    rows, users = [], 0
    for position, (device, device_share) in enumerate(devices.items()):
        count = n - users if position == len(devices) - 1 else round(n * device_share)
        users += count
        lift = 0.0 if index == 0 else by_device.get(device, lift_of(scenario, name, index))
        totals = metric_totals(rng, link.metric, count, at["baseline"] * (1 + lift))
        rows.append(
            SegmentTotals(variant, day, name, count, **totals, dimension="device", segment=device)
        )
    summed = {
        field: None
        if any(getattr(r, field) is None for r in rows)
        else sum(getattr(r, field) for r in rows)
        for field in TOTAL_FIELDS
    }
    return [CohortTotals(variant, day, name, n, **summed), *rows]


def planned_shares(variants: list, skew: float) -> list[float]:
    """Each variant's share of the traffic; a skew over 1 sends the treatments too many users."""
    weights = [float(v.traffic_share) * (1 if v.is_control else skew) for v in variants]
    return [w / sum(weights) for w in weights]


def assigned(rng: random.Random, daily: float, share: float) -> int:
    """Users a variant gets in a day: a binomial draw around its share, as random assignment."""
    return round(rng.gauss(daily * share, math.sqrt(daily * share * (1 - share))))


def baseline_of(experiment: Experiment, link, rng: random.Random) -> float:
    """The control's true value: the plan's baseline for the primary metric, else the
    catalogue's, a little off as every audience is."""
    if link.role == MetricRole.PRIMARY and experiment.plan_baseline:
        return experiment.plan_baseline
    return link.metric.baseline_value * rng.uniform(0.96, 1.04)


def lift_of(scenario: dict, metric: str, treatment: int) -> float:
    lift = scenario.get("lifts", {}).get(metric, 0.0)
    return lift[treatment - 1] if isinstance(lift, tuple) else lift


def metric_totals(rng: random.Random, metric: Metric, n: int, value: float) -> dict:
    if metric.kind == MetricKind.BINOMIAL:
        return binomial_totals(rng, n, value)
    if metric.kind == MetricKind.MEAN:
        return mean_totals(rng, n, value, metric.baseline_sd)
    return ratio_totals(rng, n, value, metric.baseline_sd)


def binomial_totals(rng: random.Random, n: int, rate: float) -> dict:
    """Conversions drawn around n·p; each user is 0 or 1, so Σx² equals Σx."""
    spread = math.sqrt(n * rate * (1 - rate))
    conversions = min(n, max(0, round(rng.gauss(n * rate, spread))))
    return {"sum": conversions, "sum_squares": conversions}


def mean_totals(rng: random.Random, n: int, mean: float, sd: float) -> dict:
    """Σx drawn around n·μ, and Σx² = (n − 1)·s² + (Σx)²/n for a sample variance near σ²."""
    total = rng.gauss(n * mean, sd * math.sqrt(n))
    variance = sd**2 * rng.uniform(0.92, 1.08)
    return {"sum": total, "sum_squares": (n - 1) * variance + total**2 / n}


def ratio_totals(rng: random.Random, n: int, per_order: float, order_sd: float) -> dict:
    """Orders per user (k) as the denominator, their value (r) as the numerator.

    With order values of mean A and spread S: E[r·k] = A·E[k²] and E[r²] = E[k]·S² + A²·E[k²].
    """
    orders = max(1.0, rng.gauss(n * ORDERS_PER_USER, math.sqrt(n * ORDERS_PER_USER)))
    orders_squared = orders * ORDERS_SQUARED / ORDERS_PER_USER
    value = rng.gauss(per_order * orders, order_sd * math.sqrt(orders))
    return {
        "sum": value,
        "sum_squares": orders * order_sd**2 + per_order**2 * orders_squared,
        "den_sum": orders,
        "den_sum_squares": orders_squared,
        "num_den_sum_products": per_order * orders_squared,
    }
