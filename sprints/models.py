"""Three-week growth sprints: planned from the backlog, run, reviewed and frozen."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Sprint(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        IN_REVIEW = "in_review", _("In review")
        CLOSED = "closed", _("Closed")

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="sprints")
    number = models.PositiveIntegerField()
    goal = models.TextField(blank=True)
    goal_metric = models.ForeignKey(
        "metrics.Metric",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sprints",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNING)
    review_notes = models.TextField(blank=True)
    action_items = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Tests still open when the review closed: they leave the frozen sprint for the next one,
    # and the review keeps showing them as carried over.
    carried_over = models.ManyToManyField(
        "experiments.Experiment", blank=True, related_name="carried_over_from"
    )

    class Meta:
        ordering = ["team__name", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="sprint_ends_after_it_starts",
                violation_error_message=_("A sprint must end after the day it starts."),
            ),
            models.UniqueConstraint(
                fields=["team", "number"],
                name="sprint_number_unique_per_team",
                violation_error_message=_("The team already has a sprint with this number."),
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(status="active"),
                name="one_active_sprint_per_team",
                violation_error_message=_("The team already has an active sprint."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} sprint {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("sprints:detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def length_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1
