"""Sprint fixtures: a sprint of the people's team and tests ready to be planned into it."""

import base64
import re
import zlib
from datetime import date, timedelta

import pytest
from django.utils import timezone

from analysis.models import Trigger
from analysis.services import analysis_request, analysis_run_execute
from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_create, experiment_metric_attach
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from metrics.models import Direction
from sprints.services import experiment_add_to_sprint, sprint_create
from tests.analysis.data import cohorts_write
from tests.factories import metric_make, read_fixed_horizon

# p = 10 %, 10 % relative MDE, α = 0.05, power 0.8, 50/50: the textbook two-proportion formula
# gives (1.96·√(2·0.105·0.895) + 0.8416·√(0.09 + 0.0979))² / 0.01² = 14,751 users per variant;
# 29,502 users at 2,000 a day take 15 days. These tests are read with the fixed-horizon rule;
# test_sprint_planning checks a sequential one against its own plan.
FITTING_PLAN = {"plan_baseline": 0.10, "mde_relative": 10.0, "plan_daily_traffic": 2000}
NEEDED_PER_VARIANT = 14751
NEEDED_DAYS = 15


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def metric(db):
    return metric_make(name="Order conversion")


@pytest.fixture
def sprint(people):
    return sprint_create(team=people.team, user=people.lead, data={"starts_on": today()})


@pytest.fixture
def make_test(people, metric):
    """A documented draft of people.team, ready to plan: hypothesis, variants, metric, plan."""

    def make(title: str = "Free shipping banner", *, sequential: bool = False, **data):
        documented = {
            "title": title,
            "audience": "Returning visitors in Sweden",
            "hypothesis_insight": "cart abandonment peaks when shipping costs appear",
            "hypothesis_change": "showing free shipping above 499 SEK in the cart",
            "hypothesis_effect": "increase completed orders",
            **FITTING_PLAN,
            **data,
        }
        experiment = experiment_create(team=people.team, user=people.owner, data=documented)
        experiment_metric_attach(
            experiment=experiment, metric=metric, role=MetricRole.PRIMARY, user=people.owner
        )
        Experiment.objects.filter(pk=experiment.pk).update(
            plan_sample_size_per_variant=NEEDED_PER_VARIANT, plan_days=NEEDED_DAYS
        )
        experiment.refresh_from_db()
        return experiment if sequential else read_fixed_horizon(experiment)

    return make


def days(n: int) -> timedelta:
    return timedelta(days=n)


# Analysed tests: the real analysis service on cohorts with known totals, per day and variant
# 1,000 users, A converts 50 and B `b_conversions`, so B's lift is exactly b/50 - 1.
DAYS = 14  # 14,000 users per variant: a 50 % lift is far past any doubt


@pytest.fixture
def return_rate(db):
    return metric_make("Return rate", good_direction=Direction.DECREASE)


@pytest.fixture
def analysed_test_fields():
    """Extra fields every analysed test is made with; a suite overrides it (the digests')."""
    return {}


@pytest.fixture
def running(people, sprint, make_test, analysed_test_fields):
    """A running test of the sprint, analysed on cohorts where B converts `b_conversions`."""

    def make(title: str, b_conversions: int | None = 75, guardrail=None, **data) -> Experiment:
        experiment = make_test(title, **analysed_test_fields, **data)
        # Planned for the users it gets, so the answer is read at its planned end.
        Experiment.objects.filter(pk=experiment.pk).update(
            plan_sample_size_per_variant=1000 * DAYS, planned_duration_days=DAYS
        )
        experiment.refresh_from_db()
        if guardrail is not None:
            experiment_metric_attach(
                experiment=experiment,
                metric=guardrail,
                role=MetricRole.GUARDRAIL,
                user=people.owner,
            )
        experiment_add_to_sprint(sprint=sprint, experiment=experiment, user=people.lead)
        experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
        if b_conversions is not None:
            cohorts_write(experiment, days=DAYS, b_conversions=b_conversions)
            run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=people.owner)
            analysis_run_execute(run_id=run.id)
        return experiment

    return make


@pytest.fixture
def concluded(people, running):
    def make(title: str, decision: str = "ship", **analysed) -> Experiment:
        experiment = running(title, **analysed)
        return experiment_conclude(
            experiment=experiment,
            user=people.lead,
            decision=decision,
            learning=f"What {title} taught us.",
            next_test="Try it on the app too.",
            reason="Shipped on judgement.",
        )

    return make


def pdf_text(pdf: bytes) -> str:
    """The words drawn on a reportlab PDF's pages: each page stream decoded (ASCII85, then
    inflated), the strings of its text operators unescaped (the standard fonts are WinAnsi)."""
    words = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.S):
        content = zlib.decompress(base64.a85decode(stream.strip(), adobe=stream.endswith(b"~>")))
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)", content, flags=re.S):
            unescaped = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1],
                literal,
            )
            words.append(unescaped.decode("cp1252"))
    return " ".join(words)
