"""Deliveries: real e-mail to a local SMTP server, signed JSON to a local HTTP receiver,
retries with backoff logged, bad addresses and URLs refused in plain words."""

import hashlib
import hmac
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from growthlab.env import smtp_mailer
from jobs.watchdog import watchdog_sweep
from notifications import delivery as delivery_module
from notifications import services
from notifications.evaluate import Raised
from notifications.jobs import DELIVERIES
from notifications.models import Channel, Delivery, Kind, Preference, TeamAlertSettings, Webhook
from tests.conftest import PASSWORD
from tests.notifications.receivers import HttpReceiver, SmtpServer


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFICATIONS_RETRY_SECONDS = 0
    settings.NOTIFICATIONS_MAX_TRIES = 3
    settings.NOTIFICATIONS_HTTP_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": smtp_mailer(server.url)}
        yield server


@pytest.fixture
def receiver():
    with HttpReceiver() as server:
        yield server


@pytest.fixture
def only_owner(emails):
    """Everyone but the owner turned guardrail alerts off: one e-mail per alert."""
    for user in (emails.teammate, emails.lead, emails.analyst, emails.viewer):
        Preference.objects.create(user=user, kind=Kind.GUARDRAIL_HARMED, mode="off")
    return emails


@pytest.fixture
def raise_one(running, django_capture_on_commit_callbacks):
    def go(key="guardrail:1", deliver=True):
        raised = Raised(
            Kind.GUARDRAIL_HARMED,
            key,
            f"In “{running.title}”, B harms the guardrail Unsubscribes.",
            "Consider stopping B now and look at the results.",
            f"/experiments/{running.pk}/results/",
            running,
        )
        with django_capture_on_commit_callbacks(execute=deliver):
            return services.alerts_raise([raised])

    return go


def test_an_alert_arrives_as_a_real_email(smtp, only_owner, raise_one):
    [alert] = raise_one()
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == ["owner@example.com"]
    assert message["Subject"] == f"[GrowthLab] {alert.happened}"
    assert message["From"] == "GrowthLab <growthlab@localhost>"
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert message["X-GrowthLab-Delivery"] == str(delivery.pk)
    body = message.get_content()
    assert alert.happened in body and alert.todo in body
    assert f"{settings.SITE_URL}/experiments/{alert.experiment_id}/results/" in body
    assert (delivery.status, len(delivery.tries), delivery.sending_at) == ("succeeded", 1, None)
    raise_one()  # the same occurrence again: nothing more arrives
    assert len(smtp.inbox.messages) == 1


def test_an_smtp_server_that_refuses_for_a_while_is_tried_again(
    smtp, only_owner, raise_one, fast_retries
):
    smtp.inbox.refuse = 1
    raise_one()
    assert len(smtp.inbox.messages) == 1
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery.status == "succeeded"
    assert [t["answer"][:17] for t in delivery.tries] == ["SMTPDataError: (4", "250 accepted"]


def test_an_address_that_does_not_parse_fails_in_plain_words(smtp, only_owner, raise_one):
    only_owner.owner.email = "owner at example dot com"
    only_owner.owner.save()
    raise_one()
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery.status == "failed"
    assert delivery.error.startswith("“owner at example dot com” is not an e-mail address")
    assert smtp.inbox.messages == []


def test_a_webhook_gets_signed_json(receiver, only_owner, raise_one, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    webhook, secret = services.webhook_create(
        name="Alert bot", url=receiver.url, user=only_owner.admin
    )
    [alert] = raise_one()
    [request] = receiver.inbox.requests
    headers, body = request["headers"], request["body"]
    expected = hmac.new(
        secret.encode(), headers["X-GrowthLab-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-GrowthLab-Signature"] == f"sha256={expected}"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["alert"]["kind"] == "guardrail_harmed"
    assert payload["alert"]["happened"] == alert.happened
    delivery = Delivery.objects.get(webhook=webhook)
    assert payload["delivery"] == delivery.pk and delivery.status == "succeeded"
    # Stored encrypted: neither the URL's secret path nor the signing secret in the row.
    row = Webhook.objects.get()
    assert "secret-path" not in row.url_encrypted and secret not in row.secret_encrypted
    assert row.url_shown.endswith("/…1234") and "secret-path" not in row.url_shown


def test_a_receiver_answering_500_is_retried_then_failed_and_logged(
    receiver, only_owner, raise_one, fast_retries, client
):
    receiver.inbox.answers = [500, 500, 500]
    webhook, _secret = services.webhook_create(name="Flaky", url=receiver.url, user=None)
    raise_one()
    assert len(receiver.inbox.requests) == 3
    # The same delivery each time, so the receiver can tell a retry from a new alert.
    assert len({r["headers"]["X-GrowthLab-Delivery"] for r in receiver.inbox.requests}) == 1
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.status == "failed" and [t["answer"] for t in delivery.tries] == ["HTTP 500"] * 3
    assert "did not take the alert after 3 tries" in delivery.error
    client.login(username="admin", password=PASSWORD)
    page = client.get(reverse("notifications:webhook", args=[webhook.pk])).content.decode()
    assert "HTTP 500" in page and "did not take the alert after 3 tries" in page


def test_a_receiver_that_times_out_is_tried_again(receiver, only_owner, raise_one, fast_retries):
    receiver.inbox.answers = ["slow"]
    receiver.inbox.slow_seconds = 1.5
    webhook, _secret = services.webhook_create(name="Slow", url=receiver.url, user=None)
    raise_one()
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.status == "succeeded"
    assert [t["answer"] for t in delivery.tries] == ["no answer within 0.5 s", "HTTP 200"]


def test_the_backoff_doubles_and_the_watchdog_waits_for_it(
    receiver, only_owner, raise_one, settings, monkeypatch
):
    settings.NOTIFICATIONS_RETRY_SECONDS = 30
    receiver.inbox.answers = [500, 500]
    webhook, _secret = services.webhook_create(name="Later", url=receiver.url, user=None)
    task, waits = DELIVERIES.execute_task(), []
    original = task.apply_async

    def later(args=None, kwargs=None, countdown=None, **options):
        if countdown is None:
            return original(args, kwargs, **options)
        waits.append(countdown)  # a retry: run it now, as if its time had come
        return original(args, kwargs, **options)

    monkeypatch.setattr(task, "apply_async", later)
    raise_one()
    delivery = Delivery.objects.get(webhook=webhook)
    assert waits == [30, 60] and delivery.status == "succeeded" and len(delivery.tries) == 3


def test_a_delivery_waiting_for_its_retry_is_not_resent_by_the_watchdog(
    receiver, only_owner, raise_one, settings, monkeypatch
):
    settings.NOTIFICATIONS_RETRY_SECONDS = 30
    receiver.inbox.answers = [500]
    webhook, _secret = services.webhook_create(name="Later", url=receiver.url, user=None)
    task = DELIVERIES.execute_task()
    original = task.apply_async

    def drop_retries(args=None, kwargs=None, countdown=None, **options):
        return None if countdown else original(args, kwargs, **options)

    monkeypatch.setattr(task, "apply_async", drop_retries)
    raise_one()
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.status == "queued" and delivery.sent_at > delivery.created_at
    assert watchdog_sweep(DELIVERIES, queued_stale=20).resent == []  # due in 30 s, not lost


def test_a_delivery_whose_worker_died_mid_send_is_not_sent_twice(
    receiver, only_owner, raise_one, django_capture_on_commit_callbacks
):
    webhook, _secret = services.webhook_create(name="Once", url=receiver.url, user=None)
    raise_one(deliver=False)  # deliveries made, their messages never sent
    delivery = Delivery.objects.get(webhook=webhook)
    Delivery.objects.filter(pk=delivery.pk).update(sending_at=delivery.created_at)
    delivery_module.delivery_execute(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "may have arrived" in delivery.error
    assert receiver.inbox.requests == []


def test_a_bad_webhook_url_is_refused_in_plain_words(people):
    for url in ("hooks.slack.com/services/x", "ftp://example.com/x", "https://"):
        with pytest.raises(ValidationError, match="This is not a webhook URL"):
            services.webhook_create(name="Bad", url=url, user=people.admin)
    with pytest.raises(ValidationError, match="user name and password"):
        services.webhook_create(name="Bad", url="https://me:pw@example.com/x", user=None)
    assert Webhook.objects.count() == 0


def test_the_team_slack_webhook_is_encrypted_masked_and_posted_to(receiver, only_owner, raise_one):
    services.team_settings_save(
        team=only_owner.team, grace_days=2, defaults={}, slack_url=receiver.url
    )
    row = TeamAlertSettings.objects.get()
    assert "secret-path" not in row.slack_url_encrypted
    assert services.slack_url_of(row.team_id) == receiver.url
    assert row.slack_url_shown == f"http://127.0.0.1:{receiver.server.server_port}/…1234"
    [alert] = raise_one()
    [request] = receiver.inbox.requests
    assert json.loads(request["body"])["text"].startswith(alert.happened)
    assert Delivery.objects.get(channel=Channel.SLACK).status == "succeeded"
