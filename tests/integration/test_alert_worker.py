"""Alert e-mails through Redis and a real `celery worker`, to a real SMTP server: each person
gets the alert once, though every message arrives twice and the worker is killed mid-send and
started again; every delivery ends succeeded or failed in plain words."""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection

from growthlab.celery import app
from jobs.models import JobStatus
from jobs.watchdog import watchdog_sweep
from notifications import services
from notifications.delivery import MAYBE_SENT
from notifications.evaluate import Raised
from notifications.jobs import DELIVERIES
from notifications.models import Channel, Delivery, Kind
from notifications.tasks import delivery_execute_task
from tests.api.conftest import database_url
from tests.integration.processes import process_group_kill, process_group_stop, worker_logs
from tests.notifications.conftest import emails, running  # noqa: F401
from tests.notifications.receivers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 120  # a cold worker imports Django first
ANSWER_SECONDS = 2.0  # the server holds each message this long before its "250"


class SlowInbox:
    """Keeps each message once its data has arrived, then answers slowly, so a worker can be
    killed while the server already holds the alert but the worker has not heard back."""

    def __init__(self):
        self.messages = []
        self.answered = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        await asyncio.sleep(ANSWER_SECONDS)
        self.answered += 1
        return "250 OK"

    @property
    def unanswered(self) -> int:
        return len(self.messages) - self.answered


@pytest.fixture
def inbox():
    port, received = free_port(), SlowInbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


@pytest.fixture
def workers(tmp_path, inbox):
    """Starts workers on demand (one at a time, one process each); stops them all at the end."""
    if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
        pytest.fail("integration tests need DATABASE_URL (PostgreSQL) and REDIS_URL")
    if app.conf.task_always_eager:
        pytest.fail("mark the test `integration`, or its tasks run in this process")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{inbox[0]}",
    }
    app.control.purge()
    started = []

    def start() -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started)}.log"
        command = [sys.executable, "-m", "celery", "-A", "growthlab", "worker", "-Q", "celery"]
        command += ["--concurrency", "1", "--prefetch-multiplier", "1"]
        command += ["--without-gossip", "--without-mingle", "-l", "INFO"]
        command += ["-n", f"alerts-{uuid.uuid4().hex[:8]}@%h"]
        with open(log, "w") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        process_group_stop(process, 20)
    print(worker_logs(tmp_path))  # shown by pytest when the test fails


def wait(condition, what: str, process: subprocess.Popen, every=None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert process.poll() is None, "the worker exited"
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {WAIT_SECONDS} s")
        if every:
            every()
        time.sleep(0.3)


def test_each_alert_email_arrives_once_though_the_worker_is_killed_mid_send(
    running,  # noqa: F811
    workers,
    inbox,
):
    _, received = inbox
    first = workers()
    [alert] = services.alerts_raise(  # its deliveries are queued after the commit
        [
            Raised(
                Kind.GUARDRAIL_HARMED,
                f"guardrail:{running.pk}:drill",
                f"In “{running.title}”, B harms the guardrail Unsubscribes.",
                "Consider stopping B now and look at the results.",
                f"/experiments/{running.pk}/results/",
                running,
            )
        ]
    )
    rows = Delivery.objects.filter(alert=alert, channel=Channel.EMAIL)
    expected = sorted(rows.values_list("user__email", flat=True))
    assert len(expected) >= 3  # enough people that some are left when the worker dies
    for delivery_id in rows.values_list("id", flat=True):
        delivery_execute_task.delay(delivery_id)  # a duplicate delivery of each message

    # Killed while the server holds a message it has not yet answered: the worker cannot know
    # whether that one arrived.
    wait(lambda: received.answered >= 1 and received.unanswered == 1, "no send began", first)
    process_group_kill(first)
    in_flight = rows.get(status=JobStatus.RUNNING)
    assert in_flight.sending_at is not None

    second = workers()
    # The dead worker's job stays running until its heartbeat is 5 s old; the messages it had
    # taken are sent again once their job waited 10 s.
    wait(
        lambda: not rows.exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).exists(),
        "deliveries did not all end",
        second,
        every=lambda: watchdog_sweep(DELIVERIES, heartbeat_stale=5, queued_stale=10),
    )
    time.sleep(ANSWER_SECONDS + 2)  # a second copy would have arrived by now

    assert sorted(m["To"] for m in received.messages) == expected
    assert all(m["Subject"] == f"[GrowthLab] {alert.happened}" for m in received.messages)
    in_flight.refresh_from_db()
    # Not sent again: failed in the words a person reads on the delivery log.
    assert (in_flight.status, in_flight.error) == (JobStatus.FAILED, str(MAYBE_SENT))
    others = rows.exclude(pk=in_flight.pk)
    assert set(others.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    assert all(len(d.tries) == 1 and d.sending_at is None for d in others)
