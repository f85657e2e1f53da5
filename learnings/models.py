"""Links between learnings: a later test confirms or contradicts what an earlier one taught.

A learning is a concluded Experiment (its decision, learning and post-mortem); this app adds
only what the experiment does not hold: how later tests bear on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LearningLink(models.Model):
    class Kind(models.TextChoices):
        CONFIRMS = "confirms", _("Confirms")
        CONTRADICTS = "contradicts", _("Contradicts")

    learning = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="later_evidence"
    )
    later_test = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="evidence_for"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learning", "later_test"],
                name="one_link_per_learning_and_test",
                violation_error_message="This test is already linked to the learning.",
            ),
            models.CheckConstraint(
                condition=~Q(learning=F("later_test")),
                name="learning_link_not_to_itself",
                violation_error_message="A test cannot confirm or contradict itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.later_test} {self.get_kind_display().lower()} {self.learning}"
