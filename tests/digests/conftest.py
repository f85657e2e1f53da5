"""Digest fixtures: the people's team with tests running, started and concluded, analysed by
the real analysis service on cohorts with known totals (A converts 5 %, B 7.5 %)."""

import pytest

from accounts.models import User
from analysis.models import Trigger
from analysis.services import analysis_request, analysis_run_execute
from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from metrics.models import Direction
from sprints.services import experiment_add_to_sprint
from tests.analysis.data import cohorts_write
from tests.api.conftest import as_user  # noqa: F401 (a fixture)
from tests.factories import metric_make
from tests.sprints.conftest import make_test, metric, sprint  # noqa: F401 (fixtures)

DAYS = 14
# 5 % of 4,000 daily users at 120 SEK a conversion, +10 % expected: 0.05 × 4000 × 365 × 0.1
# × 120 = 876,000 SEK a year.
BUSINESS_CASE = {"value_per_unit": 120.0, "value_expected_lift": 10.0, "value_daily_users": 4000}


@pytest.fixture
def addressed(people):
    """Everyone in the people's team has an e-mail address."""
    for user in User.objects.filter(memberships__team=people.team):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return people


@pytest.fixture
def return_rate(db):
    return metric_make("Return rate", good_direction=Direction.DECREASE)


@pytest.fixture
def running(people, sprint, make_test):  # noqa: F811
    """A running test of the sprint, analysed on cohorts where B converts `b_conversions`."""

    def make(title: str, b_conversions: int | None = 75, guardrail=None, **data) -> Experiment:
        experiment = make_test(title, **BUSINESS_CASE, **data)
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


class Inbox:
    """What a local SMTP server received, each message parsed as a mail client would."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self):
        import email
        from email import policy

        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def wait_for(self, count: int, seconds: float = 60):
        import time

        deadline = time.monotonic() + seconds
        while len(self.envelopes) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


def smtp_server():
    """A real SMTP server on a free local port; (controller, inbox)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def smtp_mailers(port: int) -> dict:
    from growthlab.env import smtp_mailer

    return {"default": smtp_mailer(f"smtp://127.0.0.1:{port}")}


@pytest.fixture
def smtp(settings):
    """Digests go through Django's SMTP backend (from an EMAIL_URL) to a local server."""
    controller, inbox = smtp_server()
    settings.MAILERS = smtp_mailers(controller.port)
    yield inbox
    controller.stop()
