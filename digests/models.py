"""Weekly digests (each e-mail a job, sent once), opt-outs, and read-only share links."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models import Job


class Trigger(models.TextChoices):
    SCHEDULED = "scheduled", _("Monday morning")
    MANUAL = "manual", _("Sent by hand")


class DigestSend(Job):
    """One team's digest for one period, to one person: built and handed to SMTP once."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_sends"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_to = models.EmailField(blank=True, help_text="The address it went to.")
    skipped = models.BooleanField(
        default=False, help_text="Nothing happened, and the team sends nothing then."
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "digest send"
        constraints = [
            # Beat may ask again within the morning: the week's digest is made once per person.
            models.UniqueConstraint(
                fields=["team", "recipient", "period_start"],
                condition=Q(trigger="scheduled"),
                name="one_scheduled_digest_per_person_and_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} digest to {self.recipient} ({self.period_start:%Y-%m-%d})"


class DigestOptOut(models.Model):
    """This person asked for no more digests of this team."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_digest_opt_out_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} unsubscribed from {self.team}"


class ShareLink(models.Model):
    """A read-only view of a team's period for people without an account, until it expires."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(
        "metrics.Metric", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day the view covers.")
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="share_link_period_ends_after_it_starts",
                violation_error_message=_("The period must end on or after the day it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.starts_on} – {self.ends_on}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
