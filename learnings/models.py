"""Links between learnings: a later test confirms or contradicts what an earlier one taught.

A learning is a concluded Experiment (its decision, learning and post-mortem); this app adds
only what the experiment does not hold: how later tests bear on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jobs.models import Job, JobStatus


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
                violation_error_message=_("This test is already linked to the learning."),
            ),
            models.CheckConstraint(
                condition=~Q(learning=F("later_test")),
                name="learning_link_not_to_itself",
                violation_error_message=_("A test cannot confirm or contradict itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.later_test} {self.get_kind_display().lower()} {self.learning}"


# --- Did the win hold: read-backs of a shipped test's long-term metric ----------------------


class ReadBackPlan(models.Model):
    """What a shipped test is read back on, and the test as it stood when the plan was made.

    The snapshot (`control`, `shipped_variant`, `cohorts`, `original_*`) is written once, when
    the plan is first saved, so a later load or analysis of the test cannot change what each
    read-back is compared with. `cohorts` is {variant: {exposure day or "": users}}.
    """

    experiment = models.OneToOneField(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="readback_plan"
    )
    metric = models.ForeignKey(
        "metrics.Metric", on_delete=models.PROTECT, related_name="readback_plans"
    )
    column = models.CharField(
        _("Column in the SQL query"),
        max_length=120,
        blank=True,
        help_text=_(
            "Where the per-user query holds this metric; blank when the source's mapping"
            " already maps it."
        ),
    )
    control = models.CharField(max_length=64)
    shipped_variant = models.CharField(max_length=64)
    from_sql = models.BooleanField(default=False)
    cohorts = models.JSONField(default=dict)
    original_metric = models.CharField(max_length=120, blank=True)
    original_estimate = models.FloatField(null=True, blank=True)
    original_lower = models.FloatField(null=True, blank=True)
    original_upper = models.FloatField(null=True, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A reversal reopens the learning: the post-mortem of the reversal is written here, beside
    # the test's own post-mortem, which stays as it was.
    postmortem_asked_at = models.DateTimeField(null=True, blank=True)
    postmortem_what_happened = models.TextField(_("What happened"), blank=True)
    postmortem_why = models.TextField(_("Why we think so"), blank=True)
    postmortem_next_test = models.TextField(_("The next test"), blank=True)
    postmortem_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    postmortem_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Read-backs of {self.experiment}"

    @property
    def postmortem_open(self) -> bool:
        return self.postmortem_asked_at is not None and self.postmortem_at is None


class ReadBackStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    WAITING = "waiting", _("Waiting for new data")
    QUEUED = JobStatus.QUEUED, _("Queued")
    RUNNING = JobStatus.RUNNING, _("Running")
    SUCCEEDED = JobStatus.SUCCEEDED, _("Done")
    FAILED = JobStatus.FAILED, _("Failed")


class ReadBack(Job):
    """One read-back of a plan, so many days after the ship; a job once it is due.

    Before it is due it is `scheduled`; a test whose data is pushed or uploaded then waits
    (`waiting`) for a load newer than the due day. Only then is it queued, claimed and run.
    """

    class Outcome(models.TextChoices):
        HELD = "held", _("Held")
        FADED = "faded", _("Faded")
        REVERSED = "reversed", _("Reversed")

    status = models.CharField(
        max_length=16, choices=ReadBackStatus.choices, default=ReadBackStatus.SCHEDULED
    )
    plan = models.ForeignKey(ReadBackPlan, on_delete=models.CASCADE, related_name="readbacks")
    days = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    estimate = models.FloatField(null=True, blank=True)
    ci_lower = models.FloatField(null=True, blank=True)
    ci_upper = models.FloatField(null=True, blank=True)
    users = models.JSONField(default=dict, blank=True, help_text=_("Users per variant read."))
    metric_name = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["days"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "days"],
                name="one_readback_per_plan_and_day",
                violation_error_message=_("This test is already read back on that day."),
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=730),
                name="readback_days_1_to_730",
                violation_error_message=_("A read-back lies 1 to 730 days after the ship."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.experiment} after {self.days} days"

    @property
    def state(self) -> str:
        """Its outcome once read (held, faded, reversed); else failed, or pending until then."""
        if self.outcome:
            return self.outcome
        return "failed" if self.status == ReadBackStatus.FAILED else "pending"
