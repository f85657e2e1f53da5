"""People, teams and the role each person holds in each team."""

from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    MARKETER = "marketer", _("Marketer")
    TEAM_LEAD = "team_lead", _("Team lead")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Admin")


class ScoringModel(models.TextChoices):
    ICE = "ice", _("ICE (average of impact, confidence and ease)")
    RICE = "rice", _("RICE (reach × impact × confidence ÷ effort)")


class EmptyWeek(models.TextChoices):
    SAY_SO = "say_so", _("Send the digest, saying nothing happened")
    SKIP = "skip", _("Send nothing")


UNKNOWN_TIME_ZONE = _("“{zone}” is not a time zone; write it like Europe/Helsinki.")


def time_zone_known(zone: str) -> None:
    if zone not in available_timezones():
        raise ValidationError(str(UNKNOWN_TIME_ZONE).format(zone=zone))


class User(AbstractUser):
    """A person who signs in. Roles live on memberships, one per team."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the organisation's default language."),
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    mission = models.TextField(blank=True)
    scoring_model = models.CharField(
        max_length=8, choices=ScoringModel.choices, default=ScoringModel.ICE
    )
    sprint_length_days = models.PositiveSmallIntegerField(
        default=21, help_text="Length of a growth sprint in days; three weeks by default."
    )
    north_star = models.ForeignKey(
        "metrics.Metric",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="north_star_of",
    )
    time_zone = models.CharField(
        max_length=64,
        default=settings.TIME_ZONE,
        help_text="Where the team works: its weekly digest goes out on Monday morning there.",
        validators=[time_zone_known],
    )
    currency = models.CharField(
        max_length=3, default="SEK", help_text="The currency of the team's business cases."
    )
    digest_empty_week = models.CharField(
        "A week with nothing to report",
        max_length=8,
        choices=EmptyWeek.choices,
        default=EmptyWeek.SAY_SO,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sprint_length_days__gte=7) & Q(sprint_length_days__lte=56),
                name="team_sprint_length_1_to_8_weeks",
                violation_error_message=_("A sprint lasts between 7 and 56 days."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team"],
                name="one_membership_per_user_and_team",
                violation_error_message=_("This person is already a member of the team."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} in {self.team}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. “weekly report”.")
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
