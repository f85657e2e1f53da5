"""Outcome cohorts with known totals, written straight to the table as a load would."""

from datetime import date, timedelta

from django.utils import timezone

from analysis.models import AnalysisRun, Trigger
from metrics.models import OutcomeCohort, OutcomeSource

FIRST_DAY = date(2026, 3, 2)


def cohorts_write(experiment, *, days: int = 5, b_conversions: int = 60, first=None):
    """Per day and variant: 1,000 users; A converts 50, B `b_conversions`; revenue with pre.

    The days start on the test's start day (data from before it is never analysed).
    """
    if first is None:
        started = experiment.started_at
        first = timezone.localtime(started).date() if started else FIRST_DAY
    rows = []
    for variant in experiment.variants.all():
        conversions = 50 if variant.is_control else b_conversions
        for link in experiment.experiment_metrics.select_related("metric"):
            for day in range(days):
                stats = (
                    binomial(conversions)
                    if link.metric.kind == "binomial"
                    else revenue(variant.is_control)
                )
                rows.append(
                    OutcomeCohort(
                        experiment=experiment,
                        variant=variant,
                        metric=link.metric,
                        exposure_date=first + timedelta(days=day),
                        source=OutcomeSource.PUSH,
                        **stats,
                    )
                )
    OutcomeCohort.objects.bulk_create(rows)


def binomial(conversions: int) -> dict:
    return {"n": 1000, "sum": conversions, "sum_squares": conversions}


def revenue(control: bool) -> dict:
    # 1,000 users spending 100 ± 20 (control) or 104 ± 20; the pre period explains half.
    mean = 100.0 if control else 104.0
    return {
        "n": 1000,
        "sum": 1000 * mean,
        "sum_squares": 1000 * (mean**2 + 400) - 400,
        "pre_sum": 100_000.0,
        "pre_sum_squares": 1000 * (100**2 + 400) - 400,
        "post_pre_sum_products": 1000 * (mean * 100 + 200) - 200,
    }


def fail_runs(experiment, count: int, *, hours_ago: float = 1) -> None:
    finished = timezone.now() - timedelta(hours=hours_ago)
    for index in range(count):
        AnalysisRun.objects.create(
            experiment=experiment,
            status="failed",
            fingerprint=f"{index:064d}",
            trigger=Trigger.SCHEDULE,
            queued_at=finished,
            sent_at=finished,
            finished_at=finished - timedelta(seconds=index),
            error="The warehouse timed out.",
        )


RATIO_COLUMNS = (
    "n",
    "sum",
    "sum_squares",
    "den_sum",
    "den_sum_squares",
    "num_den_sum_products",
    "pre_sum",
    "pre_sum_squares",
    "pre_den_sum",
    "pre_den_sum_squares",
    "pre_num_den_sum_products",
    "post_pre_sum_products",
    "post_pre_den_sum_products",
    "num_pre_den_sum_products",
    "den_pre_num_sum_products",
)


def ratio_cohorts_write(experiment, metric, totals_by_variant: dict, *, with_pre=True) -> None:
    """One undated cohort per variant of a ratio metric from (n, Σx, …, Σyx₀) totals.

    ``with_pre`` names the variants whose pre-period is loaded (True: all of them).
    """
    for variant in experiment.variants.all():
        fields = dict(zip(RATIO_COLUMNS, totals_by_variant[variant.name], strict=True))
        if with_pre is not True and variant.name not in with_pre:
            fields = dict(list(fields.items())[:6])
        OutcomeCohort.objects.create(
            experiment=experiment,
            variant=variant,
            metric=metric,
            exposure_date=None,
            source=OutcomeSource.COUNTS,
            **fields,
        )
