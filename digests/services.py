"""Sending digests (beat on Monday morning in each team's zone, or a lead by hand),
unsubscribing, and share links: made, revoked, and read back from their token."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import EmptyWeek, Team, User
from digests.jobs import DIGEST_SENDS
from digests.mail import digest_message
from digests.models import DigestOptOut, DigestSend, ShareLink, Trigger
from digests.selectors import team_digest, with_alerts
from digests.tokens import share_link_id, unsubscribe_ids
from jobs.attempt import Attempt, Delivery
from jobs.services import job_execute, job_send
from metrics.models import Metric
from notifications.services import digest_alerts_mark_sent

MORNING_ENDS_HOUR = 12  # beat runs hourly; a digest not out by noon waits for next Monday
ON_DEMAND_DAYS = 7

NO_ADDRESS = _("{person} has no e-mail address that can be written to: “{address}”.")
SHARE_DAYS_RANGE = _("A share link lasts from 1 to 90 days.")
SHARE_PERIOD = _("The period must end on or after the day it starts.")
KPI_UNKNOWN = _("That KPI is not in the catalogue.")


# --- When and to whom ------------------------------------------------------------------------


def week_before(team: Team, now: datetime) -> tuple[datetime, datetime]:
    """The team's last full week: Monday 00:00 to the next Monday 00:00, in its time zone."""
    zone = ZoneInfo(team.time_zone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    end = datetime.combine(monday, time.min, zone)
    return datetime.combine(monday - timedelta(days=7), time.min, zone), end


def is_monday_morning(team: Team, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(team.time_zone))
    return local.weekday() == 0 and settings.DIGEST_LOCAL_HOUR <= local.hour < MORNING_ENDS_HOUR


def teams_due(now: datetime) -> list[Team]:
    """The teams for whom it is Monday morning now (between DIGEST_LOCAL_HOUR and noon)."""
    return [team for team in Team.objects.order_by("pk") if is_monday_morning(team, now)]


def recipients_of(team: Team) -> list[User]:
    """The team's members who have not unsubscribed, in a stable order."""
    opted_out = DigestOptOut.objects.filter(team=team).values("user")
    people = User.objects.filter(memberships__team=team, is_active=True).exclude(pk__in=opted_out)
    return list(people.order_by("pk").distinct())


# --- Sending -------------------------------------------------------------------------------


def digests_schedule(now: datetime | None = None) -> list[DigestSend]:
    """Beat's hourly fan-out: each due team's week, once per person; returns the rows it made."""
    now = now or timezone.now()
    made = []
    for team in teams_due(now):
        start, end = week_before(team, now)
        for person in recipients_of(team):
            if (send := _scheduled_send(team, person, start, end)) is not None:
                made.append(send)
    return made


def _scheduled_send(team: Team, person: User, start: datetime, end: datetime):
    """A new row for this week's digest to `person`, or None if it was made before."""
    try:
        with transaction.atomic():
            send = DigestSend.objects.create(
                team=team,
                recipient=person,
                period_start=start,
                period_end=end,
                trigger=Trigger.SCHEDULED,
            )
            job_send(DIGEST_SENDS, [send.id])
    except IntegrityError:
        return None  # the unique constraint: this week's digest already exists
    return send


@transaction.atomic
def digest_send_now(*, team: Team, user: User) -> list[DigestSend]:
    """A team lead sends the last seven days' digest to every subscribed member now."""
    access.require(access.can_edit_team(user, team))
    end = timezone.now()
    sends = [
        DigestSend.objects.create(
            team=team,
            recipient=person,
            period_start=end - timedelta(days=ON_DEMAND_DAYS),
            period_end=end,
            trigger=Trigger.MANUAL,
            requested_by=user,
        )
        for person in recipients_of(team)
    ]
    job_send(DIGEST_SENDS, [send.id for send in sends])
    return sends


def digest_send_execute(*, send_id: int, delivery: Delivery | None = None) -> None:
    job_execute(DIGEST_SENDS, job_id=send_id, delivery=delivery, work=_send_work)


def _send_work(attempt: Attempt) -> None:
    send = DigestSend.objects.select_related("team", "recipient").get(id=attempt.job_id)
    person, team = send.recipient, send.team
    if DigestOptOut.objects.filter(user=person, team=team).exists():
        attempt.finish(skipped=True)
        return
    try:
        validate_email(person.email)
    except ValidationError:
        name = person.get_full_name() or person.username
        attempt.fail(str(NO_ADDRESS).format(person=name, address=person.email))
        return
    digest = with_alerts(
        team_digest(team, send.period_start, send.period_end), person, send.period_start
    )
    if digest.is_empty and team.digest_empty_week == EmptyWeek.SKIP:
        attempt.finish(skipped=True)
        return
    attempt.checkpoint()  # lost the job while building it: another attempt sends it
    digest_message(digest, person).send()
    digest_alerts_mark_sent(alert["delivery"] for alert in digest.alerts)
    attempt.finish(sent_to=person.email, error="")


# --- Unsubscribing ---------------------------------------------------------------------------


def digest_unsubscribe(*, token: str) -> DigestOptOut:
    """Stop the team's digests to the token's person; raise signing.BadSignature if altered."""
    user_id, team_id = unsubscribe_ids(token)
    opt_out, _created = DigestOptOut.objects.get_or_create(user_id=user_id, team_id=team_id)
    return opt_out


# --- Share links -----------------------------------------------------------------------------


@transaction.atomic
def share_link_create(
    *,
    team: Team,
    user: User,
    starts_on: date,
    ends_on: date,
    days_valid: int,
    kpi: Metric | None = None,
) -> ShareLink:
    access.require(access.can_edit_team(user, team))
    if not 1 <= days_valid <= 90:
        raise ValidationError({"days_valid": str(SHARE_DAYS_RANGE)})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": str(SHARE_PERIOD)})
    return ShareLink.objects.create(
        team=team,
        kpi=kpi,
        starts_on=starts_on,
        ends_on=ends_on,
        expires_at=timezone.now() + timedelta(days=days_valid),
        created_by=user,
    )


@transaction.atomic
def share_link_revoke(*, link: ShareLink, user: User) -> ShareLink:
    access.require(access.can_edit_team(user, link.team))
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db()
    return link


class ShareRefused(Exception):
    """A share link that no longer opens; `reason` says why in words a visitor understands."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


ALTERED = _("This link is not one GrowthLab made: it may have been copied incompletely.")
REVOKED = _("The team withdrew this link on {day}. Ask them for a new one.")
EXPIRED = _("This link stopped working on {day}. Ask the team for a new one.")


def share_link_open(token: str) -> ShareLink:
    """The live link the token names; raise ShareRefused saying why it no longer opens."""
    try:
        link = ShareLink.objects.select_related("team", "kpi").get(pk=share_link_id(token))
    except (signing.BadSignature, ValueError, ShareLink.DoesNotExist):
        raise ShareRefused(str(ALTERED)) from None
    if link.revoked_at is not None:
        raise ShareRefused(
            str(REVOKED).format(day=f"{timezone.localdate(link.revoked_at):%-d %B %Y}")
        )
    if link.expires_at <= timezone.now():
        raise ShareRefused(
            str(EXPIRED).format(day=f"{timezone.localdate(link.expires_at):%-d %B %Y}")
        )
    return link
