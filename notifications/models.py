"""Alerts, who follows what, how each person wants to hear, and every delivery made.

An alert is one occurrence of something worth knowing (a test may ship, a guardrail is harmed),
stored once under its `dedupe_key`. Each person who hears of it by e-mail, each team's Slack
webhook and each generic webhook gets one `Delivery`, a job (see `jobs`): claimed, retried with
backoff, watched, and never sent twice. A delivery kept for the weekly digest waits with
channel `digest` and is no job; the digest picks it up (`services.digest_alerts`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jobs.models import Job


class Kind(models.TextChoices):
    RESULT_READY = "result_ready", _("Result ready to act on")
    GUARDRAIL_HARMED = "guardrail_harmed", _("Guardrail harmed")
    SRM = "srm", _("Traffic split broken")
    NO_DATA = "no_data", _("No new data")
    REPEATED_FAILURE = "repeated_failure", _("Load or analysis failed three times")
    PLANNED_END = "planned_end", _("Planned end reached")
    SPRINT_REVIEW = "sprint_review", _("Sprint review due")
    SIGNOFF = "signoff", _("Sign-off asked for or decided")
    READBACK = "readback", _("A shipped win read back: data needed or reversed")


class Mode(models.TextChoices):
    NOW = "now", _("E-mail now")
    DIGEST = "digest", _("In the weekly digest")
    OFF = "off", _("Off")


# Quiet by default: only what must stop or may ship a test is e-mailed at once.
DEFAULT_MODES = {
    Kind.RESULT_READY: Mode.NOW,
    Kind.GUARDRAIL_HARMED: Mode.NOW,
    Kind.SRM: Mode.NOW,
    Kind.NO_DATA: Mode.DIGEST,
    Kind.REPEATED_FAILURE: Mode.DIGEST,
    Kind.PLANNED_END: Mode.DIGEST,
    Kind.SPRINT_REVIEW: Mode.DIGEST,
    # A test waits on it: the lead must hear of a request, the requester of the answer.
    Kind.SIGNOFF: Mode.NOW,
    # A read-back waits on a new load, or a shipped change now hurts: both need someone now.
    Kind.READBACK: Mode.NOW,
}


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    DIGEST = "digest", _("Weekly digest")
    SLACK = "slack", _("Team's Slack webhook")
    WEBHOOK = "webhook", _("Outgoing webhook")


class Alert(models.Model):
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # One occurrence, e.g. "srm:12:20260302" for test 12 started on 2 March: raised once.
    dedupe_key = models.CharField(max_length=200, unique=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="alerts")
    experiment = models.ForeignKey(
        "experiments.Experiment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
    )
    sprint = models.ForeignKey(
        "sprints.Sprint", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    happened = models.TextField(help_text=_("One sentence: what happened."))
    todo = models.TextField(help_text=_("One sentence: what to do."))
    path = models.CharField(max_length=300, help_text=_("The page to open, without the host."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"])]

    def __str__(self) -> str:
        return self.happened

    @property
    def text(self) -> str:
        return f"{self.happened} {self.todo}"


class Follow(models.Model):
    """One person following (or, with `following` off, no longer following) one thing.

    Exactly one of experiment, team, metric and sprint is set. A row with `following` off
    records that an owner or team member unfollowed a test they would follow by default.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    experiment = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, null=True, blank=True
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True)
    metric = models.ForeignKey("metrics.Metric", on_delete=models.CASCADE, null=True, blank=True)
    sprint = models.ForeignKey("sprints.Sprint", on_delete=models.CASCADE, null=True, blank=True)
    following = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TARGETS = ("experiment", "team", "metric", "sprint")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(experiment__isnull=False, team__isnull=True, metric__isnull=True)
                    & Q(sprint__isnull=True)
                )
                | (
                    Q(experiment__isnull=True, team__isnull=False, metric__isnull=True)
                    & Q(sprint__isnull=True)
                )
                | (
                    Q(experiment__isnull=True, team__isnull=True, metric__isnull=False)
                    & Q(sprint__isnull=True)
                )
                | (
                    Q(experiment__isnull=True, team__isnull=True, metric__isnull=True)
                    & Q(sprint__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"follow_once_per_{target}",
                )
                for target in ("experiment", "team", "metric", "sprint")
            ),
        ]

    def __str__(self) -> str:
        target = next(getattr(self, t) for t in self.TARGETS if getattr(self, f"{t}_id"))
        return f"{self.user} {'follows' if self.following else 'unfollowed'} {target}"


class Preference(models.Model):
    """How one person hears of one kind of alert by e-mail; absent: the team's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preferences"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    mode = models.CharField(max_length=8, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.mode}"


class TeamAlertSettings(models.Model):
    """A team lead's settings: the defaults of the team's members, grace period and Slack."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="alert_settings"
    )
    no_data_grace_days = models.PositiveSmallIntegerField(
        _("Days without new data before an alert"), default=2
    )
    # Fernet token (metrics.ingestion.vault), like a SQL source's URL: the path is the secret.
    slack_url_encrypted = models.TextField(blank=True)
    slack_url_shown = models.CharField(max_length=120, blank=True)
    # {kind: mode} for the team's members who set nothing themselves; missing: DEFAULT_MODES.
    defaults = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "team alert settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(no_data_grace_days__gte=1, no_data_grace_days__lte=60),
                name="team_alert_grace_between_1_and_60_days",
                violation_error_message=_("The grace period lies between 1 and 60 days."),
            )
        ]

    def __str__(self) -> str:
        return f"Alert settings of {self.team}"

    def mode_for(self, kind: str) -> str:
        return self.defaults.get(kind, DEFAULT_MODES[kind])


class Webhook(models.Model):
    """A generic outgoing webhook an admin added: every alert, as signed JSON."""

    name = models.CharField(max_length=80)
    url_encrypted = models.TextField()
    url_shown = models.CharField(max_length=120)
    secret_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Delivery(Job):
    """One alert to one person by e-mail (or kept for their digest), or to one webhook."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_deliveries",
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    # When a worker began handing it over: a later attempt that finds this set without an
    # outcome cannot know whether it arrived, and does not send it a second time.
    sending_at = models.DateTimeField(null=True, blank=True)
    tries = models.JSONField(
        default=list, blank=True, help_text=_("Each try: when, and what the receiver answered.")
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "user", "channel"],
                condition=Q(user__isnull=False),
                name="delivery_once_per_person_and_channel",
            ),
            models.UniqueConstraint(
                fields=["alert", "team"],
                condition=Q(team__isnull=False),
                name="delivery_once_per_team_webhook",
            ),
            models.UniqueConstraint(
                fields=["alert", "webhook"],
                condition=Q(webhook__isnull=False),
                name="delivery_once_per_webhook",
            ),
        ]
        indexes = [models.Index(fields=["user", "channel", "status"])]
