"""The weekly digest as it reaches a mail server: headers, both parts, the unsubscribe link."""

import re
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import EmptyWeek
from digests.models import DigestOptOut, DigestSend, Trigger
from digests.services import digest_send_now, digests_schedule, recipients_of
from jobs.models import JobStatus

MONDAY_MORNING = "2026-12-07T08:30:00+01:00"  # Stockholm, the people's team's zone


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Send the team's digest by hand, running the jobs its commit queues (tasks run eagerly)."""

    def send(people):
        with django_capture_on_commit_callbacks(execute=True):
            return digest_send_now(team=people.team, user=people.lead)

    return send


@pytest.fixture
def sent_digests(addressed, smtp, running, concluded, send_now):
    running("Delivery date on the product page")
    concluded("Free shipping banner")
    sends = send_now(addressed)
    return sends, smtp.wait_for(len(sends))


def digest_to(messages, address):
    return next(m for m in messages if m["To"] == address)


def test_each_member_gets_one_digest_with_a_plain_and_an_html_part(addressed, sent_digests):
    sends, messages = sent_digests
    assert len(messages) == len(sends) == 5
    message = digest_to(messages, "lead@example.com")
    assert message["Subject"].startswith("Web Growth ")
    assert "1 concluded, 2 started, 1 running" in message["Subject"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Free shipping banner [Ship]" in text
    assert "Learning: What Free shipping banner taught us." in text
    assert "4,380,000 SEK a year at the measured +50% of B" in text
    assert "Delivery date on the product page: Ship B" in text
    assert "What Free shipping banner taught us." in html
    assert '<meta name="viewport"' in html
    # Nothing for a mail client to fetch: no images, no remote stylesheets.
    assert "<img" not in html and "<link" not in html
    sends = DigestSend.objects.filter(recipient=addressed.lead)
    assert [(s.status, s.sent_to) for s in sends] == [(JobStatus.SUCCEEDED, "lead@example.com")]


def test_one_click_unsubscribe_headers_and_the_link_works_without_signing_in(
    addressed, sent_digests
):
    _, messages = sent_digests
    message = digest_to(messages, "viewer@example.com")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(
        r"<http://127\.0\.0\.1:8000(/digests/unsubscribe/[^>]+/)>", message["List-Unsubscribe"]
    )
    assert url, message["List-Unsubscribe"]
    assert (
        f"Unsubscribe: http://127.0.0.1:8000{url[1]}" in message.get_body(("plain",)).get_content()
    )
    anonymous = Client(enforce_csrf_checks=True)
    confirm = anonymous.get(url[1])
    assert confirm.status_code == 200
    assert "Stop the weekly digest of Web Growth?" in confirm.text
    assert not DigestOptOut.objects.exists()  # a GET (a link scanner) changes nothing
    # RFC 8058: the mail client POSTs the body below, with no cookie and no CSRF token.
    done = anonymous.post(url[1], {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    assert DigestOptOut.objects.get().user == addressed.viewer
    assert addressed.viewer not in recipients_of(addressed.team)
    assert addressed.lead in recipients_of(addressed.team)


def test_an_altered_unsubscribe_link_is_refused_in_plain_words(addressed, sent_digests):
    _, messages = sent_digests
    url = re.search(
        r"/digests/unsubscribe/[^>]+/",
        digest_to(messages, "viewer@example.com")["List-Unsubscribe"],
    )[0]
    altered = url.replace(":", ":x", 1)
    response = Client().post(altered)
    assert response.status_code == 403
    assert "not one GrowthLab made" in response.text
    assert not DigestOptOut.objects.exists()


def test_an_unsubscribed_person_gets_no_more_digests(addressed, smtp, send_now):
    DigestOptOut.objects.create(user=addressed.viewer, team=addressed.team)
    send_now(addressed)
    messages = smtp.wait_for(4)
    assert "viewer@example.com" not in [m["To"] for m in messages]
    assert len(messages) == 4


def test_an_empty_week_says_so_by_default(addressed, smtp, send_now):
    sends = send_now(addressed)
    messages = smtp.wait_for(len(sends))
    message = digest_to(messages, "owner@example.com")
    assert message["Subject"] == "Web Growth: a quiet week, nothing concluded, started or running"
    assert "A quiet week: nothing concluded" in message.get_body(("plain",)).get_content()


def test_an_empty_week_sends_nothing_when_the_team_says_so(addressed, smtp, send_now):
    addressed.team.digest_empty_week = EmptyWeek.SKIP
    addressed.team.save()
    sends = send_now(addressed)
    assert len(sends) == 5
    assert smtp.envelopes == []
    assert set(DigestSend.objects.values_list("status", "skipped")) == {(JobStatus.SUCCEEDED, True)}


def test_an_address_that_does_not_parse_fails_that_send_only_and_says_why(
    addressed, smtp, send_now
):
    addressed.viewer.email = "viewer at example"
    addressed.viewer.save()
    send_now(addressed)
    assert len(smtp.wait_for(4)) == 4
    failed = DigestSend.objects.get(status=JobStatus.FAILED)
    assert failed.recipient == addressed.viewer
    assert (
        failed.error == "viewer has no e-mail address that can be written to: “viewer at example”."
    )


def test_beat_s_monday_digest_is_made_once_however_often_beat_asks(
    addressed, smtp, django_capture_on_commit_callbacks
):
    addressed.other_team.time_zone = "America/New_York"  # 02:30 there: not yet morning
    addressed.other_team.save()
    now = datetime.fromisoformat(MONDAY_MORNING)
    with django_capture_on_commit_callbacks(execute=True):
        first = digests_schedule(now)
        again = digests_schedule(now.replace(hour=9))
    assert len(first) == 5 and again == []
    assert len(smtp.wait_for(5)) == 5
    assert DigestSend.objects.filter(trigger=Trigger.SCHEDULED).count() == 5
    week = DigestSend.objects.first()
    # The week before: Monday 30 November to Monday 7 December, midnight in Stockholm.
    assert (week.period_start, week.period_end) == (
        datetime.fromisoformat("2026-11-30T00:00:00+01:00"),
        datetime.fromisoformat("2026-12-07T00:00:00+01:00"),
    )


def test_a_digest_preview_matches_what_is_sent(client, addressed, sent_digests):
    _, messages = sent_digests
    client.force_login(addressed.lead)
    page = client.get(reverse("digests:preview", args=[addressed.team.slug])).text
    for line in ("Free shipping banner", "What Free shipping banner taught us.", "win rate"):
        assert line in page
        assert line in digest_to(messages, "lead@example.com").get_body(("html",)).get_content()
