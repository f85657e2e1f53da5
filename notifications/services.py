"""Every write of alerts, follows, preferences, team settings and webhooks; and the digest's read.

`alerts_raise` stores each occurrence once (its key is unique) and makes one delivery per
person and channel, per team Slack webhook and per generic webhook; the e-mails and webhook
calls go out as jobs after the transaction commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, Team, User
from analysis.models import AnalysisRun
from experiments.models import Experiment
from jobs.models import JobStatus
from jobs.services import job_send
from metrics.ingestion.vault import url_decrypt, url_encrypt
from metrics.models import DataLoad
from notifications import evaluate
from notifications.evaluate import Raised
from notifications.jobs import DELIVERIES
from notifications.models import (
    DEFAULT_MODES,
    Alert,
    Channel,
    Delivery,
    Follow,
    Kind,
    Mode,
    Preference,
    TeamAlertSettings,
    Webhook,
)

BAD_WEBHOOK_URL = _(
    "This is not a webhook URL: it must start with https:// (or http://) and name a host, "
    "e.g. https://hooks.slack.com/services/T000/B000/XXXX."
)
WEBHOOK_URL_CREDENTIALS = _("Leave the user name and password out of the webhook URL.")
UNKNOWN_TARGET = _("Only a test, a team, a metric or a sprint can be followed.")


# --- Raising ------------------------------------------------------------------------------


@transaction.atomic
def alerts_raise(raised: Iterable[Raised]) -> list[Alert]:
    """Store each occurrence not stored before and queue its deliveries; return the new ones."""
    raised = list(raised)
    if not raised:
        return []
    known = set(
        Alert.objects.filter(dedupe_key__in=[r.key for r in raised]).values_list(
            "dedupe_key", flat=True
        )
    )
    new = []
    for item in raised:
        if item.key in known:
            continue
        alert, created = Alert.objects.get_or_create(
            dedupe_key=item.key,
            defaults={
                "kind": item.kind,
                "team_id": item.team_id,
                "experiment": item.experiment,
                "sprint": item.sprint,
                "happened": item.happened,
                "todo": item.todo,
                "path": item.path,
            },
        )
        if created:  # a concurrent evaluation that stored it first also delivers it
            deliveries_create(alert)
            new.append(alert)
    return new


def recipients(alert: Alert) -> set[int]:
    """The people who hear of this alert: its followers and those who follow it by default."""
    if alert.experiment_id:
        experiment = alert.experiment
        targets = (
            Q(experiment=experiment)
            | Q(team_id=experiment.team_id)
            | Q(metric__in=experiment.experiment_metrics.values("metric_id"))
        )
        if experiment.sprint_id:
            targets |= Q(sprint_id=experiment.sprint_id)
        # The owner and the team's members follow their team's tests unless they unfollowed.
        default = set(
            Membership.objects.filter(team_id=experiment.team_id).values_list("user_id", flat=True)
        )
        if experiment.owner_id:
            default.add(experiment.owner_id)
        unfollowed = Follow.objects.filter(experiment=experiment, following=False)
    else:
        targets = Q(sprint_id=alert.sprint_id) | Q(team_id=alert.team_id)
        # A sprint's review is the leads' to run: they hear of it unless they unfollowed.
        default = set(
            Membership.objects.filter(team_id=alert.team_id, role=Role.TEAM_LEAD).values_list(
                "user_id", flat=True
            )
        )
        unfollowed = Follow.objects.filter(sprint_id=alert.sprint_id, following=False)
    followers = set(
        Follow.objects.filter(targets, following=True).values_list("user_id", flat=True)
    )
    return (followers | default) - set(unfollowed.values_list("user_id", flat=True))


def modes_for(user_ids: set[int], kind: str, team_id: int) -> dict[int, str]:
    """How each person hears of `kind`: their own setting, else the team's, else the default."""
    team_settings = TeamAlertSettings.objects.filter(team_id=team_id).first()
    fallback = team_settings.mode_for(kind) if team_settings else DEFAULT_MODES[kind]
    own = dict(
        Preference.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", "mode")
    )
    return {user_id: own.get(user_id, fallback) for user_id in user_ids}


def deliveries_create(alert: Alert) -> list[Delivery]:
    """One delivery per person and channel, per Slack webhook and per generic webhook."""
    rows = []
    modes = modes_for(recipients(alert), alert.kind, alert.team_id)
    for user_id, mode in sorted(modes.items()):
        if mode == Mode.NOW:
            rows.append(Delivery(alert=alert, user_id=user_id, channel=Channel.EMAIL))
        elif mode == Mode.DIGEST:
            rows.append(Delivery(alert=alert, user_id=user_id, channel=Channel.DIGEST))
    team_settings = TeamAlertSettings.objects.filter(team_id=alert.team_id).first()
    slack = team_settings and team_settings.slack_url_encrypted
    if slack and team_settings.mode_for(alert.kind) == Mode.NOW:
        rows.append(Delivery(alert=alert, team_id=alert.team_id, channel=Channel.SLACK))
    for webhook in Webhook.objects.filter(active=True):
        rows.append(Delivery(alert=alert, webhook=webhook, channel=Channel.WEBHOOK))
    rows = Delivery.objects.bulk_create(rows)
    job_send(DELIVERIES, [row.id for row in rows if row.channel != Channel.DIGEST])
    return rows


# --- The digest's read --------------------------------------------------------------------


def digest_alerts(person: User, since) -> list[Delivery]:
    """The person's alerts kept for the digest since `since`, oldest first, alert attached.

    They stay queued with channel `digest` until `digest_alerts_mark_sent` marks them.
    """
    rows = Delivery.objects.filter(user=person, channel=Channel.DIGEST, status=JobStatus.QUEUED)
    rows = rows.filter(created_at__gte=since).select_related("alert", "alert__experiment")
    return list(rows.order_by("created_at", "id"))


def digest_alerts_mark_sent(deliveries: Iterable[Delivery]) -> int:
    now = timezone.now()
    ids = [d.id for d in deliveries]
    return Delivery.objects.filter(id__in=ids, channel=Channel.DIGEST).update(
        status=JobStatus.SUCCEEDED, finished_at=now
    )


# --- Follows ------------------------------------------------------------------------------


def follows_by_default(user: User, obj) -> bool:
    """Owners and team members follow their team's tests without a row saying so."""
    if not isinstance(obj, Experiment):
        return False
    return (
        obj.owner_id == user.id
        or Membership.objects.filter(user=user, team_id=obj.team_id).exists()
    )


def target_of(obj) -> str:
    for target in Follow.TARGETS:
        model = Follow._meta.get_field(target).related_model
        if isinstance(obj, model):
            return target
    raise ValidationError(UNKNOWN_TARGET)


def is_following(user: User, obj) -> bool:
    row = Follow.objects.filter(user=user, **{target_of(obj): obj}).first()
    return row.following if row else follows_by_default(user, obj)


@transaction.atomic
def follow_set(*, user: User, obj, following: bool) -> Follow | None:
    """Follow or unfollow `obj`; the row remains only where it differs from the default."""
    target = target_of(obj)
    rows = Follow.objects.select_for_update().filter(user=user, **{target: obj})
    if following == follows_by_default(user, obj):
        rows.delete()
        return None
    row, _created = Follow.objects.update_or_create(
        user=user, **{target: obj}, defaults={"following": following}
    )
    return row


# --- Preferences and team settings --------------------------------------------------------


def preferences_of(user: User) -> dict[str, str]:
    """{kind: mode} as the person hears today, their first team's defaults filling the gaps."""
    membership = user.memberships.select_related("team__alert_settings").first()
    team_settings = getattr(membership.team, "alert_settings", None) if membership else None
    own = dict(user.alert_preferences.values_list("kind", "mode"))
    return {
        kind: own.get(kind)
        or (team_settings.mode_for(kind) if team_settings else DEFAULT_MODES[kind])
        for kind in Kind.values
    }


def mode_check(kind: str, mode: str) -> None:
    if kind not in Kind.values:
        raise ValidationError(str(_("“{kind}” is not a kind of alert.")).format(kind=kind))
    if mode not in Mode.values:
        raise ValidationError(
            str(_("Choose e-mail now, the weekly digest or off for “{kind}”.")).format(
                kind=Kind(kind).label
            )
        )


@transaction.atomic
def preferences_save(*, user: User, modes: dict[str, str]) -> None:
    for kind, mode in modes.items():
        mode_check(kind, mode)
    for kind, mode in modes.items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


def webhook_url_check(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as error:
        raise ValidationError(BAD_WEBHOOK_URL) from error
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError(WEBHOOK_URL_CREDENTIALS)
    return url


def url_shown(url: str) -> str:
    """Enough to recognise the webhook, too little to use it: host and the last characters."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…{url[-4:]}"


def team_settings_of(team: Team) -> TeamAlertSettings:
    return TeamAlertSettings.objects.filter(team=team).first() or TeamAlertSettings(team=team)


@transaction.atomic
def team_settings_save(
    *,
    team: Team,
    grace_days: int,
    defaults: dict[str, str],
    slack_url: str | None = None,
    slack_remove: bool = False,
) -> TeamAlertSettings:
    """Save a team's alert settings; an empty `slack_url` keeps the saved webhook."""
    for kind, mode in defaults.items():
        mode_check(kind, mode)
    row = TeamAlertSettings.objects.select_for_update().filter(team=team).first()
    row = row or TeamAlertSettings(team=team)
    row.no_data_grace_days = grace_days
    row.defaults = {**row.defaults, **defaults}
    if slack_remove:
        row.slack_url_encrypted, row.slack_url_shown = "", ""
    elif slack_url:
        url = webhook_url_check(slack_url)
        row.slack_url_encrypted, row.slack_url_shown = url_encrypt(url), url_shown(url)
    row.full_clean()
    row.save()
    return row


def slack_url_of(team_id: int) -> str:
    return url_decrypt(TeamAlertSettings.objects.get(team_id=team_id).slack_url_encrypted)


# --- Generic webhooks ---------------------------------------------------------------------


@transaction.atomic
def webhook_create(*, name: str, url: str, user: User) -> tuple[Webhook, str]:
    """Add a webhook; return it and its signing secret, which is shown this once."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Name the webhook, e.g. “Data team’s alert bot”."))
    url = webhook_url_check(url)
    secret = secrets.token_urlsafe(32)
    webhook = Webhook.objects.create(
        name=name[:80],
        url_encrypted=url_encrypt(url),
        url_shown=url_shown(url),
        secret_encrypted=url_encrypt(secret),
        created_by=user,
    )
    return webhook, secret


def webhook_active_set(*, webhook: Webhook, active: bool) -> None:
    Webhook.objects.filter(pk=webhook.pk).update(active=active)


# --- After a job ---------------------------------------------------------------------------


def alerts_after_job(*, kind: str, job_id: int, succeeded: bool) -> list[Alert]:
    """The alerts an analysis run ("analysis") or a data load ("load") makes due."""
    jobs = AnalysisRun.objects if kind == "analysis" else DataLoad.objects
    experiment_id = jobs.values_list("experiment_id", flat=True).get(id=job_id)
    experiment = Experiment.objects.get(id=experiment_id)
    if succeeded:
        return alerts_raise(evaluate.result_alerts(experiment))
    return alerts_raise(filter(None, [evaluate.failure_alert(experiment, kind)]))
