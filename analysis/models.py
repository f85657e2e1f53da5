"""Analysis runs and their stored results: every answer a marketer reads, with its inputs.

A run is a database row first and a Celery message second: the row is the truth, the message
only a reminder to work on it. So a lost message (Redis gone) or a dead worker leaves a row the
watchdog can see and queue again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jobs.models import Job, JobStatus
from metrics.stats.corrections import DEFAULT_CORRECTION


class Method(models.TextChoices):
    FIXED = "fixed", _("Fixed horizon (read once, at the planned end)")
    SEQUENTIAL = "sequential", _("Sequential (safe to look every day)")


class Correction(models.TextChoices):
    HOLM = "holm", _("Holm (controls any false win)")
    BH = "bh", _("Benjamini–Hochberg (controls the share of false wins)")
    NONE = "none", _("None")


class AnalysisChoices(models.Model):
    """How a test is analysed; a team's defaults and an experiment's settings share the fields."""

    alpha = models.FloatField("Significance level", default=0.05)
    two_sided = models.BooleanField(
        "Two-sided", default=True, help_text="Off: test only in the metric's good direction."
    )
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.SEQUENTIAL)
    sequential_tuning_parameter = models.FloatField(
        default=5000, help_text="Users per arm where the sequential interval is tightest."
    )
    prior_mean = models.FloatField(
        "Prior mean of the lift", null=True, blank=True, help_text="Empty: a flat prior."
    )
    prior_sd = models.FloatField("Prior spread of the lift", null=True, blank=True)
    correction = models.CharField(
        max_length=8, choices=Correction.choices, default=DEFAULT_CORRECTION
    )
    cuped = models.BooleanField(
        "CUPED", default=True, help_text="Use pre-period data, where loaded, to narrow intervals."
    )

    CHOICE_FIELDS = (
        "alpha",
        "two_sided",
        "method",
        "sequential_tuning_parameter",
        "prior_mean",
        "prior_sd",
        "correction",
        "cuped",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(alpha__gt=0) & Q(alpha__lt=0.5),
                name="%(class)s_alpha_between_0_and_half",
                violation_error_message=_("The significance level lies between 0 and 0.5."),
            ),
            models.CheckConstraint(
                condition=Q(prior_sd__isnull=True) | Q(prior_sd__gt=0),
                name="%(class)s_prior_sd_positive",
                violation_error_message=_("The prior's spread must be above zero."),
            ),
            models.CheckConstraint(
                condition=Q(prior_mean__isnull=True, prior_sd__isnull=True)
                | Q(prior_mean__isnull=False, prior_sd__isnull=False),
                name="%(class)s_prior_complete",
                violation_error_message=_("A prior needs both a mean and a spread."),
            ),
            models.CheckConstraint(
                condition=Q(sequential_tuning_parameter__gt=0),
                name="%(class)s_tuning_positive",
                violation_error_message=_("The sequential tuning parameter must be above zero."),
            ),
        ]

    def choices_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.CHOICE_FIELDS}


class TeamAnalysisDefaults(AnalysisChoices):
    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="analysis_defaults"
    )

    class Meta(AnalysisChoices.Meta):
        verbose_name_plural = "team analysis defaults"

    def __str__(self) -> str:
        return f"Analysis defaults of {self.team}"


class AnalysisSettings(AnalysisChoices):
    experiment = models.OneToOneField(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="analysis_settings"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(AnalysisChoices.Meta):
        verbose_name_plural = "analysis settings"

    def __str__(self) -> str:
        return f"Analysis settings of {self.experiment}"


RunStatus = JobStatus  # a run's states are a job's: queued, running, succeeded, failed


class Trigger(models.TextChoices):
    UPLOAD = "upload", _("New data loaded")
    REFRESH = "refresh", _("Data refreshed")
    SCHEDULE = "schedule", _("Scheduled refresh")
    SETTINGS = "settings", _("Settings changed")
    MANUAL = "manual", _("Re-analyse pressed")


class AnalysisRun(Job):
    """One request to analyse an experiment, and what became of it (a job, see `jobs`)."""

    experiment = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="analysis_runs"
    )
    fingerprint = models.CharField(
        max_length=64, help_text="sha256 of the sufficient statistics and the settings."
    )
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="analysis_runs",
    )
    queued_at = models.DateTimeField()
    error = models.TextField(blank=True, help_text="Why it failed, in plain words.")
    analysed_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="sha256 of the inputs the worker actually analysed."
    )
    results_run = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The run whose stored results answer this one (itself, or an earlier run "
        "with the same inputs).",
    )
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    unchanged_checks = models.PositiveIntegerField(
        default=0,
        help_text="Scheduled refreshes since this run that found its inputs unchanged and "
        "analysed nothing again.",
    )
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When a scheduled refresh last found them unchanged."
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["experiment", "status", "-finished_at"])]
        constraints = [
            # Identical requests collapse: one queued-or-running run per experiment and inputs.
            models.UniqueConstraint(
                fields=["experiment", "fingerprint"],
                condition=Q(status__in=["queued", "running"]),
                name="analysis_run_one_active_per_inputs",
            ),
        ]

    def __str__(self) -> str:
        return f"Analysis #{self.pk} of {self.experiment_id} ({self.status})"


class AnalysisResult(models.Model):
    """One variant x metric of a successful run, stored with everything to reproduce it."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="results")
    experiment = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="analysis_results"
    )
    variant = models.ForeignKey("experiments.Variant", on_delete=models.CASCADE, related_name="+")
    metric = models.ForeignKey("metrics.Metric", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16)
    is_control = models.BooleanField(default=False)
    inputs = models.JSONField(help_text="This variant's summed sufficient statistics.")
    # The metric's payload and output are stored once, on the control's row; a treatment's
    # row holds its own inputs, comparison and series.
    payload = models.JSONField(
        null=True, help_text="The exact payload the engine analysed (control's row only)."
    )
    method = models.CharField(max_length=32, help_text="e.g. welch_t, sequential")
    settings = models.JSONField(help_text="alpha, sidedness, correction, CUPED, tuning, prior.")
    output = models.JSONField(
        null=True, help_text="The engine's full output for the metric (control's row only)."
    )
    comparison = models.JSONField(null=True, help_text="This treatment against the control.")
    verdict = models.TextField(blank=True)
    status = models.CharField(max_length=32, help_text="The engine's status, or 'error'.")
    findings = models.JSONField(default=list)
    series = models.JSONField(default=list, help_text="Daily cumulative results for the charts.")
    computed_at = models.DateTimeField()
    is_current = models.BooleanField(
        default=False,
        help_text="True on the rows of the experiment's standing answer (its latest successful "
        "run's results); lists of current results read these without looking at runs.",
    )

    class Meta:
        ordering = ["run", "metric__name", "-is_control", "variant__name"]
        indexes = [
            # The flat results list: current rows, newest experiment first, in stored order.
            models.Index(
                fields=["-experiment", "id"],
                condition=Q(is_current=True),
                name="analysis_result_current",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "variant", "metric"], name="analysis_result_once_per_run"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} / {self.variant} (run {self.run_id})"

    @property
    def decision_interval(self):
        """The relative lift and interval this row's verdict used; None on a control's row."""
        if self.comparison is None:
            return None
        from metrics.stats.jsonio import decision_blocks_of

        return decision_blocks_of(self.comparison)[1]
