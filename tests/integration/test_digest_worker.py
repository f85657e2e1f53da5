"""Digest e-mails through Redis and a real `celery worker`, to a real SMTP server: each person
gets the digest once, even when its message is delivered twice."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from accounts.models import User
from digests.models import DigestSend
from digests.services import digest_send_now
from digests.tasks import digest_send_execute_task
from growthlab.celery import app
from jobs.models import JobStatus
from tests.api.conftest import database_url
from tests.digests.conftest import smtp_server
from tests.integration.processes import process_group_stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 120


@pytest.fixture
def inbox():
    controller, received = smtp_server()
    yield controller.port, received
    controller.stop()


@pytest.fixture
def digest_worker(tmp_path, inbox):
    if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
        pytest.fail("integration tests need DATABASE_URL (PostgreSQL) and REDIS_URL")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{inbox[0]}",
    }
    app.control.purge()
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "growthlab", "worker", "-Q", "celery"]
    command += ["--concurrency", "2", "--without-gossip", "--without-mingle"]
    command += ["-n", f"digest-{uuid.uuid4().hex[:8]}@%h", "-l", "INFO"]
    with open(log, "w") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    yield process, log
    process_group_stop(process, 20)
    print(log.read_text()[-4000:])


def test_each_digest_is_sent_once_though_its_message_arrives_twice(people, digest_worker, inbox):
    process, _ = digest_worker
    _, received = inbox
    for user in User.objects.filter(memberships__team=people.team):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    sends = digest_send_now(team=people.team, user=people.lead)  # queued after its commit
    for send in sends:
        digest_send_execute_task.delay(send.id)  # a duplicate delivery of each message
    deadline = time.monotonic() + WAIT_SECONDS
    rows = DigestSend.objects.filter(team=people.team)
    while rows.exclude(status=JobStatus.SUCCEEDED).exists() and time.monotonic() < deadline:
        assert process.poll() is None, "the worker exited"
        time.sleep(0.3)
    assert set(rows.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    time.sleep(3)  # a second copy would arrive by now: every duplicate has been taken
    addresses = sorted(m["To"] for m in received.messages)
    assert addresses == sorted(f"{u.username}@example.com" for u in (s.recipient for s in sends))
    assert len(addresses) == 5
    assert all(send.attempts == 1 for send in rows)
