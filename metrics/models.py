"""The shared metric catalogue, arranged as a KPI tree under each team's North Star."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class MetricKind(models.TextChoices):
    BINOMIAL = "binomial", "Conversion (share of users who did it)"
    MEAN = "mean", "Mean per user (e.g. revenue per user)"
    RATIO = "ratio", "Ratio (e.g. revenue per order)"


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"


class Metric(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=MetricKind.choices)
    unit = models.CharField(max_length=32, blank=True, help_text="%, SEK, orders, clicks …")
    good_direction = models.CharField(
        max_length=16, choices=Direction.choices, default=Direction.INCREASE
    )
    definition = models.TextField(
        blank=True,
        help_text="How the metric is read from the data: the column, event or SQL expression.",
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="metrics",
        help_text="Leave empty for a metric the whole organisation shares.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_metrics",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The metric above this one in the KPI tree.",
    )
    baseline_value = models.FloatField(
        null=True, blank=True, help_text="Typical value today: a rate (0–1) or a mean."
    )
    baseline_sd = models.FloatField(
        null=True, blank=True, help_text="Standard deviation per user, for mean metrics."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="metric_is_not_its_own_parent",
                violation_error_message="A metric cannot be its own parent.",
            ),
            models.CheckConstraint(
                condition=Q(baseline_sd__isnull=True) | Q(baseline_sd__gt=0),
                name="metric_baseline_sd_positive",
                violation_error_message="The baseline standard deviation must be above zero.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="binomial")
                | Q(baseline_value__isnull=True)
                | (Q(baseline_value__gt=0) & Q(baseline_value__lt=1)),
                name="metric_binomial_baseline_is_a_rate",
                violation_error_message="A conversion baseline is a rate between 0 and 1.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def lower_is_better(self) -> bool:
        return self.good_direction == Direction.DECREASE
