"""Ideas, experiments and their documentation: the growth process from idea to learning."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from metrics.stats.fields import LARGEST


def between(low: float, high: float) -> list:
    """A number field's range: what a marketer could mean, and what the engine can compute."""
    return [MinValueValidator(low), MaxValueValidator(high)]


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Website")
    APP = "app", _("App")
    PAID_SEARCH = "paid_search", _("Paid search")
    PAID_SOCIAL = "paid_social", _("Paid social")
    ORGANIC_SOCIAL = "organic_social", _("Organic social")
    SEO = "seo", _("Search engine optimisation")
    PUSH = "push", _("Push and SMS")
    PRINT = "print", _("Print and direct mail")
    STORE = "store", _("Physical store")
    OTHER = "other", _("Other")


class Tag(models.Model):
    name = models.CharField(max_length=48, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


SCORE_NAMES = {"impact": _("Impact"), "confidence": _("Confidence"), "ease": _("Ease")}


def score_between(field: str, low: int, high: int) -> models.CheckConstraint:
    # Braces, not %-fields: Django fills the message with "%(name)s" when it reports it.
    message = format_lazy(
        _("{score} is scored from {low} to {high}."), score=SCORE_NAMES[field], low=low, high=high
    )
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | (Q(**{f"{field}__gte": low}) & Q(**{f"{field}__lte": high})),
        name=f"idea_{field}_{low}_to_{high}",
        violation_error_message=message,
    )


class Idea(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        TESTING = "testing", _("Being tested")
        TESTED = "tested", _("Tested")
        PARKED = "parked", _("Parked")
        REJECTED = "rejected", _("Rejected")

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="ideas"
    )
    title = models.CharField(max_length=200)
    insight = models.TextField("Observation or insight", blank=True)
    proposed_change = models.TextField(blank=True)
    audience = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=32, choices=Channel.choices, default=Channel.WEB)
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    ease = models.PositiveSmallIntegerField(null=True, blank=True)
    reach = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="People reached per quarter (RICE).",
        # reach × impact × confidence is multiplied as a 32-bit integer in the RICE score
        validators=between(0, 10**7),
    )
    effort = models.FloatField(
        null=True,
        blank=True,
        help_text="Person-weeks of work (RICE).",
        validators=between(0.1, 10_000),  # the RICE score divides by it
    )
    ice_score = models.GeneratedField(
        expression=Cast(F("impact") + F("confidence") + F("ease"), models.FloatField())
        / Value(3.0),
        output_field=models.FloatField(),
        db_persist=True,
    )
    rice_score = models.GeneratedField(
        expression=Cast(F("reach") * F("impact") * F("confidence"), models.FloatField())
        / (Value(10.0) * F("effort")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            score_between("impact", 1, 10),
            score_between("confidence", 1, 10),
            score_between("ease", 1, 10),
            models.CheckConstraint(
                condition=Q(effort__isnull=True) | Q(effort__gt=0),
                name="idea_effort_positive",
                violation_error_message=_("Effort must be more than zero person-weeks."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("experiments:idea_detail", args=[self.pk])


class Decision(models.TextChoices):
    SHIP = "ship", _("Ship")
    ITERATE = "iterate", _("Iterate")
    ABANDON = "abandon", _("Abandon")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Experiment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        ANALYSING = "analysing", _("Analysing")
        CONCLUDED = "concluded", _("Concluded")
        ARCHIVED = "archived", _("Archived")

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="experiments")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="owned_experiments",
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="experiments"
    )
    sprint = models.ForeignKey(
        "sprints.Sprint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiments",
    )
    title = models.CharField(max_length=200)
    channel = models.CharField(max_length=32, choices=Channel.choices, default=Channel.WEB)
    audience = models.CharField(max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="experiments")
    description = models.TextField(blank=True, help_text="Markdown.")

    hypothesis_insight = models.TextField("Because we saw …", blank=True)
    hypothesis_change = models.TextField("We believe that …", blank=True)
    hypothesis_effect = models.CharField("Expected effect (will …)", max_length=200, blank=True)
    mde_relative = models.FloatField(
        "Minimum detectable effect (%)",
        null=True,
        blank=True,
        help_text="The smallest relative change worth detecting, in percent.",
        validators=[MaxValueValidator(1000)],  # above 0: experiment_mde_positive
    )
    planned_duration_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=between(1, 365)
    )

    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)

    plan_baseline = models.FloatField(
        "Baseline",
        null=True,
        blank=True,
        help_text="Today's rate (0–1) or mean.",
        validators=between(-LARGEST, LARGEST),
    )
    plan_baseline_sd = models.FloatField(
        "Baseline standard deviation", null=True, blank=True, validators=between(0, LARGEST)
    )
    plan_daily_traffic = models.PositiveIntegerField(
        "Daily users entering the test", null=True, blank=True, validators=between(1, 10**9)
    )
    plan_alpha = models.FloatField(
        "Significance level", default=0.05, validators=between(0.0001, 0.5)
    )
    plan_power = models.FloatField("Power", default=0.8, validators=between(0.5, 0.9999))
    plan_sample_size_per_variant = models.PositiveIntegerField(
        "Users needed per variant", null=True, blank=True
    )
    plan_days = models.PositiveSmallIntegerField("Days needed", null=True, blank=True)
    # The analysis settings' method when the plan was made ("fixed" or "sequential"), so the
    # page can say which interval the sample size was sized for.
    plan_method = models.CharField("Sized for", max_length=16, blank=True)

    # The business case: what a year of the change is worth if the hypothesis holds
    # (experiments.business_case). Lift and users default to the plan's MDE and daily users.
    value_per_unit = models.FloatField(
        "Value of one unit",
        null=True,
        blank=True,
        help_text="What one conversion is worth, or what one unit of revenue leaves (a margin).",
        validators=between(0, LARGEST),
    )
    value_expected_lift = models.FloatField(
        "Expected lift if the hypothesis holds (%)",
        null=True,
        blank=True,
        help_text="Relative change in percent; blank uses the minimum detectable effect.",
        validators=between(-100, 1000),
    )
    value_daily_users = models.PositiveIntegerField(
        "Daily users once shipped",
        null=True,
        blank=True,
        help_text="Everyone the change reaches a day; blank uses the test's daily users.",
        validators=between(1, 10**9),
    )

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    learning = models.TextField("What we learned", blank=True)
    postmortem_what_happened = models.TextField("What happened", blank=True)
    postmortem_why = models.TextField("Why we think so", blank=True)
    postmortem_next_test = models.TextField("The next test", blank=True)
    template = models.ForeignKey(
        "experiments.ExperimentTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiments",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        # The experiment list (page and API) shows the most recently changed tests first.
        indexes = [models.Index(fields=["-updated_at", "-id"], name="experiment_recent_first")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="concluded") | (~Q(decision="") & ~Q(learning="")),
                name="concluded_experiment_has_decision_and_learning",
                violation_error_message=_("A concluded test needs a decision and a learning."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["running", "analysing", "concluded"])
                | Q(started_at__isnull=False),
                name="started_experiment_has_start_time",
                violation_error_message=_("A test that ran must have a start time."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gt=F("planned_start")),
                name="experiment_planned_end_after_start",
                violation_error_message=_("The planned end must be after the planned start."),
            ),
            models.CheckConstraint(
                condition=Q(mde_relative__isnull=True) | Q(mde_relative__gt=0),
                name="experiment_mde_positive",
                violation_error_message=_("The minimum detectable effect must be above zero."),
            ),
            models.CheckConstraint(
                condition=Q(plan_alpha__gt=0) & Q(plan_alpha__lt=0.5),
                name="experiment_alpha_between_0_and_half",
                violation_error_message=_("The significance level lies between 0 and 0.5."),
            ),
            models.CheckConstraint(
                condition=Q(plan_power__gt=0.5) & Q(plan_power__lt=1),
                name="experiment_power_between_half_and_1",
                violation_error_message=_("Power lies between 0.5 and 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("experiment:detail", args=[self.pk])


class Variant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    is_control = models.BooleanField(default=False)
    traffic_share = models.DecimalField(
        "Planned traffic share (%)", max_digits=5, decimal_places=2, default=50
    )
    screenshot = models.ImageField(upload_to="screenshots/%Y/%m/", blank=True)
    link = models.URLField(blank=True, help_text="Where the variant can be seen.")

    class Meta:
        ordering = ["-is_control", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "name"],
                name="variant_name_unique_per_experiment",
                violation_error_message=_("Another variant of this test has that name."),
            ),
            models.UniqueConstraint(
                fields=["experiment"],
                condition=Q(is_control=True),
                name="one_control_per_experiment",
                violation_error_message=_("A test has exactly one control."),
            ),
            models.CheckConstraint(
                condition=Q(traffic_share__gt=0) & Q(traffic_share__lte=100),
                name="variant_traffic_share_0_to_100",
                # %% because Django formats the message with %(name)s.
                violation_error_message=_("A traffic share lies above 0%% and at most 100%%."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MetricRole(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    GUARDRAIL = "guardrail", _("Guardrail")


class ExperimentMetric(models.Model):
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="experiment_metrics"
    )
    metric = models.ForeignKey(
        "metrics.Metric", on_delete=models.PROTECT, related_name="experiment_links"
    )
    role = models.CharField(max_length=16, choices=MetricRole.choices)

    class Meta:
        ordering = ["role", "metric__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "metric"],
                name="metric_attached_once_per_experiment",
                violation_error_message=_("This metric is already attached to the test."),
            ),
            models.UniqueConstraint(
                fields=["experiment"],
                condition=Q(role="primary"),
                name="one_primary_metric_per_experiment",
                violation_error_message=_("A test has one primary metric."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} ({self.get_role_display()})"


class HistoryEntry(models.Model):
    """One recorded change to an idea's or an experiment's documentation."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    summary = models.CharField(max_length=200)
    changes = models.JSONField(
        default=list, blank=True, help_text="[{field, label, old, new}] for each changed field."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "history entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(idea__isnull=True, experiment__isnull=False)
                | Q(idea__isnull=False, experiment__isnull=True),
                name="history_entry_belongs_to_one_object",
            ),
        ]

    def __str__(self) -> str:
        return self.summary


class ExperimentTemplate(models.Model):
    """How a team (or, with no team, the whole organisation) documents one kind of test.

    A new test from the template starts with these texts, variants, metrics, plan inputs,
    tags, analysis settings and pre-launch checklist; it never carries data or results.
    """

    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="experiment_templates",
        help_text="Empty: the template is offered to every team.",
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="When to use this template.")
    channel = models.CharField(max_length=32, choices=Channel.choices, default=Channel.WEB)
    audience = models.CharField(max_length=200, blank=True)
    hypothesis_insight = models.TextField("Because we saw …", blank=True)
    hypothesis_change = models.TextField("We believe that …", blank=True)
    hypothesis_effect = models.CharField("Expected effect (will …)", max_length=200, blank=True)
    mde_relative = models.FloatField(
        "Minimum detectable effect (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01), MaxValueValidator(1000)],
    )
    planned_duration_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=between(1, 365)
    )
    plan_baseline = models.FloatField(
        "Baseline", null=True, blank=True, validators=between(-LARGEST, LARGEST)
    )
    plan_baseline_sd = models.FloatField(
        "Baseline standard deviation", null=True, blank=True, validators=between(0, LARGEST)
    )
    plan_daily_traffic = models.PositiveIntegerField(
        "Daily users entering the test", null=True, blank=True, validators=between(1, 10**9)
    )
    plan_alpha = models.FloatField(
        "Significance level", default=0.05, validators=between(0.0001, 0.4999)
    )
    plan_power = models.FloatField("Power", default=0.8, validators=between(0.5001, 0.9999))
    variants = models.JSONField(
        default=list, blank=True, help_text="[{name, description, is_control, traffic_share}]"
    )
    tags = models.JSONField(default=list, blank=True, help_text="Tag names.")
    checklist = models.JSONField(
        default=list, blank=True, help_text="What must be ticked before the test starts."
    )
    analysis_settings = models.JSONField(
        default=dict, blank=True, help_text="The analysis choices a new test starts with."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("experiments:template_detail", args=[self.pk])


class TemplateMetric(models.Model):
    """A metric a template attaches, by role. The name outlives the metric, so a template
    whose metric was deleted from the catalogue can say which one is gone."""

    template = models.ForeignKey(
        ExperimentTemplate, on_delete=models.CASCADE, related_name="template_metrics"
    )
    metric = models.ForeignKey(
        "metrics.Metric", on_delete=models.SET_NULL, null=True, related_name="template_links"
    )
    metric_name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=MetricRole.choices)

    class Meta:
        ordering = ["role", "metric_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(role="primary"),
                name="one_primary_metric_per_template",
                violation_error_message=_("A template has one primary metric."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_name} ({self.get_role_display()})"


class ChecklistItem(models.Model):
    """One pre-launch check of a test, copied from its template; all are ticked before start."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class CustomField(models.Model):
    """A field the organisation's admin adds to every test's documentation."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        DATE = "date", _("Date")

    class RequiredFrom(models.TextChoices):
        NEVER = "", _("Never (optional)")
        PLANNED = "planned", _("From planning on")
        RUNNING = "running", _("From the start on")
        CONCLUDED = "concluded", _("From the conclusion on")

    label = models.CharField(max_length=80, unique=True)
    key = models.SlugField(
        max_length=40,
        unique=True,
        help_text="Its name in the API, the CSV export and the list's filter (cf_<key>).",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True, help_text="The options of a choice.")
    required_from = models.CharField(
        max_length=16, choices=RequiredFrom.choices, default="", blank=True
    )
    help_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class CustomFieldValue(models.Model):
    """One test's value of a custom field, as canonical text (ISO date, plain number)."""

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="custom_values"
    )
    field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "field"], name="one_value_per_experiment_and_custom_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.value}"


class SignoffPolicy(models.Model):
    """A team's rule: which changes wait for a team lead's approval."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="signoff_policy"
    )
    before_start = models.BooleanField("A lead signs off before a test starts", default=False)
    before_running_edit = models.BooleanField(
        "A lead signs off changes to a running test's documentation", default=False
    )

    class Meta:
        verbose_name_plural = "sign-off policies"

    def __str__(self) -> str:
        return f"Sign-off policy of {self.team}"


class SignoffRequest(models.Model):
    class Kind(models.TextChoices):
        START = "start", _("Start the test")
        EDIT = "edit", _("Change the running test's documentation")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a lead")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        USED = "used", _("Carried out")

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="signoff_requests"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was refused.")
    proposal = models.JSONField(
        default=dict, blank=True, help_text="The proposed documentation change (kind edit)."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "kind"],
                condition=Q(status="pending"),
                name="one_pending_signoff_per_experiment_and_kind",
                violation_error_message=_("A sign-off of this kind is already waiting for a lead."),
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reason=""),
                name="refused_signoff_has_reason",
                violation_error_message=_("A refusal needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
