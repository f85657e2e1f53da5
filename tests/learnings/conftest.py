"""A library of 50 concluded tests with known words, teams, channels, decisions and tags;
five shipped tests with stored results."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.services.runs import analysis_request
from experiments.models import Channel, Decision, Experiment, ExperimentMetric, MetricRole, Tag
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_transition
from tests.analysis.data import cohorts_write
from tests.factories import READY_DOCUMENTATION, experiment_make, metric_make

TOPICS = [  # (title, learning) per topic; five tests of each
    ("Delivery date on product page", "Showing the delivery date lifts orders on mobile."),
    ("Birthday voucher timing", "Vouchers sent a week early are redeemed more often."),
    ("Onboarding e-mail series", "A shorter onboarding series keeps more new members."),
    ("Checkout trust badges", "Trust badges did not change checkout completion."),
    ("Push reminder cadence", "Daily push reminders raised uninstalls."),
    ("Search autocomplete", "Autocomplete suggestions shorten time to add to cart."),
    ("Loyalty points banner", "Points banners distract from the main offer."),
    ("Price anchoring", "Showing the old price beside the new one lifts conversion."),
    ("Newsletter subject lines", "Questions in subject lines raise opens but not clicks."),
    ("Store pickup option", "Offering pickup in store lowers shipping complaints."),
]
CHANNELS = [Channel.WEB, Channel.EMAIL, Channel.APP, Channel.PUSH, Channel.PAID_SEARCH]
DECISIONS = [
    Decision.SHIP,
    Decision.ITERATE,
    Decision.ABANDON,
    Decision.INCONCLUSIVE,
    Decision.SHIP,
]


@dataclass
class Library:
    orders: object  # the primary metric of every "Delivery date" and "Price anchoring" test
    signups: object  # the primary metric of every other test


def learning_make(people, i: int, title: str, learning: str, **fields) -> Experiment:
    concluded = timezone.now() - timedelta(days=200 - i)
    data = {
        "team": people.team if i % 2 == 0 else people.other_team,
        "owner": people.owner,
        "title": title,
        "learning": learning,
        "channel": CHANNELS[i % 5],
        "audience": "Returning customers in Sweden" if i % 3 == 0 else "New members",
        "decision": DECISIONS[i % 5],
        "status": Experiment.Status.CONCLUDED,
        "started_at": concluded - timedelta(days=21),
        "concluded_at": concluded,
        **fields,
    }
    return Experiment.objects.create(**data)


@pytest.fixture
def library(people) -> Library:
    orders, signups = metric_make("Orders"), metric_make("Sign-ups")
    mobile = Tag.objects.create(name="mobile")
    for t, (title, learning) in enumerate(TOPICS):
        for k in range(5):
            i = t * 5 + k
            experiment = learning_make(people, i, f"{title} #{k + 1}", learning)
            metric = orders if t in (0, 7) else signups
            ExperimentMetric.objects.create(
                experiment=experiment, metric=metric, role=MetricRole.PRIMARY
            )
            if k == 0:
                experiment.tags.add(mobile)
    return Library(orders=orders, signups=signups)


B_CONVERSIONS = [90, 56, 52, 48, 60]  # A converts 50 of 1,000 a day: +80%, +12%, +4%, -4%, +20%


@pytest.fixture
def shipped(people, django_capture_on_commit_callbacks):
    made = []
    orders = metric_make()
    for i, conversions in enumerate(B_CONVERSIONS):
        data = {**READY_DOCUMENTATION, "title": f"Shipped test {i}"}
        experiment = experiment_make(people, **data)
        experiment_metric_attach(
            experiment=experiment, metric=orders, role=MetricRole.PRIMARY, user=people.owner
        )
        Experiment.objects.filter(pk=experiment.pk).update(
            plan_sample_size_per_variant=31000, plan_days=16
        )
        experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
        cohorts_write(experiment, b_conversions=conversions)
        with django_capture_on_commit_callbacks(execute=True):
            analysis_request(experiment=experiment, trigger="manual")
        made.append(experiment.pk)
    # the conclusion itself is not under test here: mark them shipped directly
    Experiment.objects.filter(pk__in=made).update(
        decision=Decision.SHIP, concluded_at=timezone.now(), learning="Shipped."
    )
    return made
