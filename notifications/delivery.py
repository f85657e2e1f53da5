"""Handing one delivery over: e-mail through Django's mail framework, JSON to a webhook.

A delivery is sent at most once. A worker marks `sending_at` before it hands the alert over;
an attempt that finds the mark without an outcome (the worker died mid-send) cannot know
whether it arrived and fails it in plain words instead of sending a second copy. A receiver
that refuses for a while (an HTTP 5xx, a timeout, an SMTP server away) is tried again with
backoff, each try written to the delivery's log; one that can never work (an address that
does not parse) fails at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.attempt import Attempt
from jobs.attempt import Delivery as JobDelivery
from jobs.models import JobStatus
from jobs.services import job_execute
from metrics.ingestion.vault import url_decrypt
from notifications.jobs import DELIVERIES
from notifications.models import Channel, Delivery

logger = logging.getLogger(__name__)

DEFAULTS = {
    "MAX_TRIES": 5,  # tries to reach the receiver before the delivery fails
    "RETRY_SECONDS": 30,  # the first wait; doubled after each failed try
    "RETRY_MAX_SECONDS": 60 * 60,
    "HTTP_TIMEOUT_SECONDS": 10,
}
BAD_ADDRESS = _(
    "“{address}” is not an e-mail address that can be sent to: correct it on {person}’s "
    "profile (name@example.com)."
)
NO_ADDRESS = _("{person} has no e-mail address: add one to their profile.")
MAYBE_SENT = _(
    "The worker stopped while handing this alert over, so it may have arrived; it was not "
    "sent again, to avoid a second copy."
)
GAVE_UP = _("The receiver did not take the alert after {tries} tries; last answer: {answer}")
SIGNATURE_HEADER = "X-GrowthLab-Signature"
TIMESTAMP_HEADER = "X-GrowthLab-Timestamp"
DELIVERY_HEADER = "X-GrowthLab-Delivery"


def conf(name: str):
    return getattr(settings, f"NOTIFICATIONS_{name}", DEFAULTS[name])


class Refused(Exception):
    """The delivery can never succeed as it is: say why, do not try again."""


class NotTaken(Exception):
    """The receiver did not take it this time: try again later."""


def link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>": the receiver checks both, so a replay is seen."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def email_send(delivery: Delivery) -> str:
    user, alert = delivery.user, delivery.alert
    person = user.get_full_name() or user.username
    if not user.email:
        raise Refused(str(NO_ADDRESS).format(person=person))
    try:
        validate_email(user.email)
    except ValidationError as error:
        raise Refused(str(BAD_ADDRESS).format(address=user.email, person=person)) from error
    body = "\n\n".join(
        [
            alert.happened,
            alert.todo,
            link(alert.path),
            str(
                _("You follow this in GrowthLab; change what you hear on your profile: {url}")
            ).format(url=link("/accounts/profile/#alerts")),
        ]
    )
    message = EmailMessage(
        subject=f"[GrowthLab] {alert.happened}",
        body=body,
        to=[user.email],
        headers={DELIVERY_HEADER: str(delivery.pk)},
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise Refused(str(BAD_ADDRESS).format(address=user.email, person=person)) from error
    except (smtplib.SMTPException, OSError) as error:
        raise NotTaken(f"{type(error).__name__}: {error}") from error
    return "250 accepted"


def http_post(url: str, body: bytes, headers: dict[str, str]) -> str:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=conf("HTTP_TIMEOUT_SECONDS")) as response:
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise Refused(
                str(_("The webhook answered HTTP {code}: check its URL.")).format(code=error.code)
            ) from error
        raise NotTaken(f"HTTP {error.code}") from error
    except TimeoutError as error:
        raise NotTaken(
            str(_("no answer within {s} s")).format(s=conf("HTTP_TIMEOUT_SECONDS"))
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise NotTaken(str(getattr(error, "reason", error))) from error


def alert_json(delivery: Delivery) -> dict:
    alert = delivery.alert
    return {
        "delivery": delivery.pk,
        "alert": {
            "id": alert.pk,
            "kind": alert.kind,
            "happened": alert.happened,
            "todo": alert.todo,
            "url": link(alert.path),
            "team": alert.team.slug,
            "experiment": alert.experiment_id,
            "sprint": alert.sprint_id,
            "created_at": alert.created_at.isoformat(),
        },
    }


def webhook_send(delivery: Delivery) -> str:
    body = json.dumps(alert_json(delivery), separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    secret = url_decrypt(delivery.webhook.secret_encrypted)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GrowthLab-Webhook/1",
        DELIVERY_HEADER: str(delivery.pk),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    return http_post(url_decrypt(delivery.webhook.url_encrypted), body, headers)


def slack_send(delivery: Delivery) -> str:
    from notifications.services import slack_url_of

    alert = delivery.alert
    text = f"{alert.happened} {alert.todo} <{link(alert.path)}|{_('Open in GrowthLab')}>"
    body = json.dumps({"text": text}).encode()
    return http_post(slack_url_of(delivery.team_id), body, {"Content-Type": "application/json"})


SENDERS = {Channel.EMAIL: email_send, Channel.WEBHOOK: webhook_send, Channel.SLACK: slack_send}


def delivery_execute(*, delivery_id: int, delivery: JobDelivery | None = None) -> None:
    """Claim the delivery and hand it over; a duplicate message returns without a write."""
    job_execute(DELIVERIES, job_id=delivery_id, delivery=delivery, work=delivery_hand_over)


def try_logged(row: Delivery, answer: str) -> list[dict]:
    return [*row.tries, {"at": timezone.now().isoformat(), "answer": answer}]


def delivery_hand_over(attempt: Attempt) -> None:
    row = Delivery.objects.select_related("alert__team", "user", "webhook").get(id=attempt.job_id)
    if row.sending_at is not None:
        attempt.fail(str(MAYBE_SENT))
        return
    attempt.update(sending_at=timezone.now())
    try:
        answer = SENDERS[row.channel](row)
    except Refused as refused:
        attempt.fail(str(refused), sending_at=None, tries=try_logged(row, str(refused)))
        return
    except NotTaken as trouble:
        tries = try_logged(row, str(trouble))
        if len(tries) >= conf("MAX_TRIES"):
            message = str(GAVE_UP).format(tries=len(tries), answer=trouble)
            attempt.fail(message, sending_at=None, tries=tries)
        else:
            delivery_retry_later(attempt, tries)
        return
    attempt.finish(sending_at=None, tries=try_logged(row, answer), error="")


def delivery_retry_later(attempt: Attempt, tries: list[dict]) -> None:
    """Give the job back to the queue and send its message after the backoff."""
    wait = min(conf("RETRY_SECONDS") * 2 ** (len(tries) - 1), conf("RETRY_MAX_SECONDS"))
    # The watchdog resends a queued job only once its message is this old, so the wait is
    # counted from the moment it is due.
    due = timezone.now() + timedelta(seconds=wait)
    attempt.update(status=JobStatus.QUEUED, claim="", sending_at=None, sent_at=due, tries=tries)
    task = DELIVERIES.execute_task()
    transaction.on_commit(lambda: task.apply_async((attempt.job_id,), countdown=wait))
