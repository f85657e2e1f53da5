"""The shared metric catalogue, arranged as a KPI tree under each team's North Star."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jobs.models import Job, JobStatus
from metrics.stats.fields import LARGEST


class MetricKind(models.TextChoices):
    BINOMIAL = "binomial", _("Conversion (share of users who did it)")
    MEAN = "mean", _("Mean per user (e.g. revenue per user)")
    RATIO = "ratio", _("Ratio (e.g. revenue per order)")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


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
        null=True,
        blank=True,
        help_text="Typical value today: a rate (0–1) or a mean.",
        validators=[MinValueValidator(-LARGEST), MaxValueValidator(LARGEST)],
    )
    baseline_sd = models.FloatField(
        null=True,
        blank=True,
        help_text="Standard deviation per user, for mean metrics.",
        validators=[MinValueValidator(0), MaxValueValidator(LARGEST)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="metric_is_not_its_own_parent",
                violation_error_message=_("A metric cannot be its own parent."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_sd__isnull=True) | Q(baseline_sd__gt=0),
                name="metric_baseline_sd_positive",
                violation_error_message=_("The baseline standard deviation must be above zero."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="binomial")
                | Q(baseline_value__isnull=True)
                | (Q(baseline_value__gt=0) & Q(baseline_value__lt=1)),
                name="metric_binomial_baseline_is_a_rate",
                violation_error_message=_("A conversion baseline is a rate between 0 and 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def lower_is_better(self) -> bool:
        return self.good_direction == Direction.DECREASE


# --- Outcome data: sufficient statistics and the loads that write them ---------------------


class OutcomeSource(models.TextChoices):
    FILE = "file", _("Per-user file")
    COUNTS = "counts", _("Pre-aggregated counts")
    SQL = "sql", _("SQL data source")
    PUSH = "push", _("Tracking pipeline push")


class SufficientTotals(models.Model):
    """The sufficient statistics of one cohort: what the engine needs, summed over its users."""

    n = models.BigIntegerField()
    sum = models.FloatField(default=0)
    sum_squares = models.FloatField(default=0)
    den_sum = models.FloatField(null=True, blank=True)
    den_sum_squares = models.FloatField(null=True, blank=True)
    num_den_sum_products = models.FloatField(null=True, blank=True)
    pre_sum = models.FloatField(null=True, blank=True)
    pre_sum_squares = models.FloatField(null=True, blank=True)
    post_pre_sum_products = models.FloatField(null=True, blank=True)
    # A ratio metric's pre-period: pre_sum/pre_sum_squares/post_pre_sum_products hold its
    # numerator's, these its denominator's and the cross products the delta method needs.
    pre_den_sum = models.FloatField(null=True, blank=True)
    pre_den_sum_squares = models.FloatField(null=True, blank=True)
    pre_num_den_sum_products = models.FloatField(null=True, blank=True)
    post_pre_den_sum_products = models.FloatField(null=True, blank=True)
    num_pre_den_sum_products = models.FloatField(null=True, blank=True)
    den_pre_num_sum_products = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OutcomeCohort(SufficientTotals):
    """Totals of one metric for one variant's users first exposed on one day, from one source.

    Never raw events: analysis cost grows with variants x metrics x days, not with users. For a
    binomial metric ``sum`` is the conversions; for a ratio metric ``sum``/``sum_squares`` hold
    the numerator and ``den_*`` the denominator; ``pre_*`` hold the CUPED covariate (empty: no
    pre-period).
    ``exposure_date`` is empty for counts a tool exported without days.
    """

    experiment = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="outcome_cohorts"
    )
    variant = models.ForeignKey(
        "experiments.Variant", on_delete=models.CASCADE, related_name="outcome_cohorts"
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="outcome_cohorts")
    exposure_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=OutcomeSource.choices)
    load = models.ForeignKey(
        "metrics.DataLoad",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts",
        help_text="The load that wrote these totals.",
    )

    class Meta:
        ordering = ["experiment", "metric", "exposure_date", "variant"]
        indexes = [
            # An analysis fingerprint counts and stamps an experiment's rows from this index
            # alone, without reading them.
            models.Index(fields=["experiment", "id", "updated_at"], name="outcome_cohort_changes"),
        ]
        constraints = [
            # A reload replaces, never doubles: one row per key (dated and undated apart,
            # since NULL dates never collide in a plain unique index).
            models.UniqueConstraint(
                fields=["experiment", "variant", "metric", "exposure_date", "source"],
                condition=Q(exposure_date__isnull=False),
                name="outcome_cohort_unique_per_day",
            ),
            models.UniqueConstraint(
                fields=["experiment", "variant", "metric", "source"],
                condition=Q(exposure_date__isnull=True),
                name="outcome_cohort_unique_undated",
            ),
            models.CheckConstraint(
                condition=Q(n__gte=0),
                name="outcome_cohort_n_not_negative",
                violation_error_message=_("A cohort cannot have fewer than zero users."),
            ),
            models.CheckConstraint(
                condition=Q(sum_squares__gte=0)
                & (Q(den_sum_squares__isnull=True) | Q(den_sum_squares__gte=0))
                & (Q(pre_sum_squares__isnull=True) | Q(pre_sum_squares__gte=0)),
                name="outcome_cohort_squares_not_negative",
                violation_error_message=_("A sum of squares cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} / {self.variant} / {self.exposure_date or 'all days'}"

    @property
    def value(self) -> float | None:
        """The rate or mean (Σ/n), or for a ratio metric Σnumerator/Σdenominator."""
        if self.den_sum is not None:
            return self.sum / self.den_sum if self.den_sum else None
        return self.sum / self.n if self.n else None


class OutcomeSegment(SufficientTotals):
    """The totals of an OutcomeCohort split by one dimension's value (device, country, …).

    The overall OutcomeCohort stays as it is and is the sum of one dimension's segments; every
    dimension splits the same users again, so segments of two dimensions never add up together.
    A user counts in the segment of the first exposure (metrics.ingestion.segments).
    """

    experiment = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="outcome_segments"
    )
    variant = models.ForeignKey(
        "experiments.Variant", on_delete=models.CASCADE, related_name="outcome_segments"
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="outcome_segments")
    exposure_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=OutcomeSource.choices)
    dimension = models.CharField(max_length=64)
    segment = models.CharField(max_length=120)
    load = models.ForeignKey(
        "metrics.DataLoad",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="segments",
    )

    class Meta:
        ordering = ["experiment", "metric", "dimension", "segment", "exposure_date", "variant"]
        indexes = [
            models.Index(
                fields=["experiment", "metric", "dimension"], name="outcome_segment_lookup"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "experiment",
                    "variant",
                    "metric",
                    "exposure_date",
                    "source",
                    "dimension",
                    "segment",
                ],
                condition=Q(exposure_date__isnull=False),
                name="outcome_segment_unique_per_day",
            ),
            models.UniqueConstraint(
                fields=["experiment", "variant", "metric", "source", "dimension", "segment"],
                condition=Q(exposure_date__isnull=True),
                name="outcome_segment_unique_undated",
            ),
            models.CheckConstraint(
                condition=Q(n__gte=0),
                name="outcome_segment_n_not_negative",
                violation_error_message=_("A segment cannot have fewer than zero users."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} / {self.variant} / {self.dimension}={self.segment}"


class DataLoad(Job):
    """One request to bring outcome data in: its input, its progress and its outcome (a job)."""

    class Kind(models.TextChoices):
        FILE = "file", _("File upload")
        COUNTS = "counts", _("Pre-aggregated counts")
        SQL = "sql", _("SQL data source")
        PUSH = "push", _("Pipeline push")
        CLI = "cli", _("Command line")

    Status = JobStatus  # a load's states are a job's

    experiment = models.ForeignKey(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="data_loads"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    stored_name = models.CharField(
        max_length=255, blank=True, help_text="Server-generated name under MEDIA_ROOT/uploads/."
    )
    original_name = models.CharField(max_length=255, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(
        default=list, blank=True, help_text="Typed or pushed counts, for kinds without a file."
    )
    rows_read = models.BigIntegerField(default=0)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    phase = models.CharField(max_length=32, blank=True)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first problems: [{row, column, message}]."
    )
    errors_more = models.PositiveIntegerField(default=0, help_text="Problems beyond those listed.")
    cohorts_written = models.PositiveIntegerField(default=0)
    notes = models.JSONField(
        default=list,
        blank=True,
        help_text="What a good load changed on the way: segments folded or left out.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_loads",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Loads of one experiment run one at a time, so two never interleave their writes.
            models.UniqueConstraint(
                fields=["experiment"],
                condition=Q(status="running"),
                name="data_load_one_running_per_experiment",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100),
                name="data_load_progress_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"


class UploadMapping(models.Model):
    """The column mapping last used for an experiment's files, offered again next time."""

    experiment = models.OneToOneField(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="upload_mapping"
    )
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Column mapping of {self.experiment}"


# --- SQL data sources: a warehouse queried in place -------------------------------------------


class DataSource(models.Model):
    """A warehouse connection an analyst saved; the SQLAlchemy URL is stored encrypted.

    ``url_encrypted`` is a Fernet token (metrics.ingestion.sources); the plain URL, which holds
    the password, is only ever decrypted in the worker that runs a query.
    """

    name = models.CharField(max_length=120)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="data_sources")
    url_encrypted = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExperimentQuery(models.Model):
    """The per-user query an experiment's outcomes come from, and which column is what.

    The query returns one row per user; ``mapping`` has the upload mapping's shape
    ({"user", "variant", "date", "metrics": {name: {"column", "denominator", "pre"}}}).
    """

    experiment = models.OneToOneField(
        "experiments.Experiment", on_delete=models.CASCADE, related_name="outcome_query"
    )
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="queries")
    query = models.TextField(help_text="SELECT … one row per user: user, variant, date, metrics.")
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Outcome query of {self.experiment}"
