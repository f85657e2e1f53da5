"""Digest fixtures: the people's team with tests running, started and concluded, analysed by
the real analysis service on cohorts with known totals (A converts 5 %, B 7.5 %)."""

import pytest

from accounts.models import User
from tests.api.conftest import as_user  # noqa: F401 (a fixture)
from tests.sprints.conftest import (  # noqa: F401 (fixtures)
    DAYS,
    concluded,
    make_test,
    metric,
    return_rate,
    running,
    sprint,
)

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
def analysed_test_fields():
    """Every analysed test here has a business case."""
    return BUSINESS_CASE


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
