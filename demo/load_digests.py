"""The demo's business cases and a stakeholder share link, so the digest and the shared view
have money and a link to show."""

from datetime import timedelta

from demo.context import Demo
from digests.models import ShareLink
from digests.services import share_link_create
from experiments.models import Experiment
from experiments.selectors import primary_links, primary_metric

# What one unit of each kind of primary metric is worth: an order's margin in SEK, or the
# margin on one SEK of revenue.
VALUE_PER_UNIT = {"binomial": 180.0, "mean": 0.35, "ratio": 0.35}
SHARED_TEAM = "Web Growth"


def business_cases_load(demo: Demo) -> None:
    unpriced = Experiment.objects.filter(value_per_unit__isnull=True).prefetch_related(
        primary_links()
    )
    for experiment in unpriced:
        metric = primary_metric(experiment)
        if metric is None:
            continue
        # A direct update: concluded tests are part of the record and closed to edits, but the
        # demo's history starts with these values already written.
        Experiment.objects.filter(pk=experiment.pk).update(
            value_per_unit=VALUE_PER_UNIT[metric.kind]
        )


def share_link_load(demo: Demo) -> None:
    team = demo.teams[SHARED_TEAM]
    if ShareLink.objects.filter(team=team).exists():
        return
    share_link_create(
        team=team,
        user=demo.leads[SHARED_TEAM],
        starts_on=demo.today - timedelta(days=29),
        ends_on=demo.today,
        days_valid=90,
    )
    demo.count("share links")
