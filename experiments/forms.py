"""Forms validate what people type; the services in experiments/services do the writing."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import Team
from experiments.models import Decision, Experiment, ExperimentMetric, Idea, MetricRole, Variant
from experiments.services.tags import tag_names_parse
from growthlab.web.forms import LocalNumbersMixin
from metrics.models import Metric

SCREENSHOT_TOO_BIG = "The screenshot is {size:.1f} MB; the limit is {limit:.0f} MB."


class TagsField(forms.CharField):
    """Comma-separated tags, cleaned to a sorted list of unique lower-case names."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Comma-separated, e.g. pricing, checkout")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(tag) for tag in value)
        return value

    def clean(self, value):
        return tag_names_parse(super().clean(value) or "")


class TeamChoiceMixin:
    """Limits the team field to teams where the user may create this kind of object."""

    team_kind = ""

    def limit_teams(self, user) -> None:
        teams = access.teams_where(user, self.team_kind)
        self.fields["team"] = forms.ModelChoiceField(
            queryset=Team.objects.filter(pk__in=[team.pk for team in teams]),
            empty_label=None,
        )
        self.order_fields(["team", *self.fields])


def score_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=1, max_value=10, required=False, help_text=help_text
    )


class IdeaForm(TeamChoiceMixin, forms.ModelForm):
    team_kind = "idea"
    tags = TagsField()
    impact = score_field("Impact (1–10)", "How much would it move the metric if it works?")
    confidence = score_field("Confidence (1–10)", "How sure are we that it will work?")
    ease = score_field("Ease (1–10)", "How easy is it to test? 10 = an afternoon.")

    class Meta:
        model = Idea
        fields = [
            "title",
            "insight",
            "proposed_change",
            "audience",
            "channel",
            "status",
            "impact",
            "confidence",
            "ease",
            "reach",
            "effort",
        ]
        widgets = {
            "insight": forms.Textarea(attrs={"rows": 3}),
            "proposed_change": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.limit_teams(user)
            del self.fields["status"]
        else:
            self.initial["tags"] = [tag.name for tag in self.instance.tags.all()]


class ExperimentForm(LocalNumbersMixin, TeamChoiceMixin, forms.ModelForm):
    team_kind = "experiment"
    tags = TagsField()

    class Meta:
        model = Experiment
        fields = [
            "title",
            "owner",
            "channel",
            "audience",
            "description",
            "hypothesis_insight",
            "hypothesis_change",
            "hypothesis_effect",
            "mde_relative",
            "planned_duration_days",
            "planned_start",
            "planned_end",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "hypothesis_insight": forms.Textarea(attrs={"rows": 2}),
            "hypothesis_change": forms.Textarea(attrs={"rows": 2}),
            "planned_start": forms.DateInput(attrs={"type": "date"}),
            "planned_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.limit_teams(user)
            del self.fields["owner"]
        else:
            self.initial["tags"] = [tag.name for tag in self.instance.tags.all()]
            team_members = self.instance.team.memberships.values("user")
            self.fields["owner"].queryset = self.fields["owner"].queryset.filter(
                pk__in=team_members
            )


RATE_OUT_OF_RANGE = _("A conversion rate lies between 0% and 100%: 9.2 means 9.2%.")


class SampleSizePlanForm(LocalNumbersMixin, forms.ModelForm):
    class Meta:
        model = Experiment
        fields = [
            "plan_baseline",
            "plan_baseline_sd",
            "mde_relative",
            "plan_daily_traffic",
            "plan_alpha",
            "plan_power",
        ]

    def __init__(self, *args, rate_in_percent: bool = False, **kwargs):
        """``rate_in_percent``: the primary metric is a conversion rate, typed as "9.2" (%)."""
        self.rate_in_percent = rate_in_percent
        super().__init__(*args, **kwargs)
        for name in ("plan_baseline", "mde_relative", "plan_daily_traffic"):
            self.fields[name].required = True
        if rate_in_percent:
            baseline = self.fields["plan_baseline"]
            baseline.label = _("Today's conversion rate (%)")
            baseline.help_text = _("9.2 means 9.2% of users convert today.")
            baseline.widget.attrs["step"] = "any"
            shown = self.initial.get("plan_baseline")
            if shown is not None:
                self.initial["plan_baseline"] = round(shown * 100, 6)

    def clean_plan_baseline(self):
        value = self.cleaned_data["plan_baseline"]
        if value is None or not self.rate_in_percent:
            return value
        if not 0 < value < 100:
            raise ValidationError(RATE_OUT_OF_RANGE)
        return value / 100


class VariantForm(LocalNumbersMixin, forms.ModelForm):
    class Meta:
        model = Variant
        fields = ["name", "description", "is_control", "traffic_share", "screenshot", "link"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_screenshot(self):
        screenshot = self.cleaned_data.get("screenshot")
        limit = settings.SCREENSHOT_MAX_BYTES
        if screenshot and getattr(screenshot, "size", 0) > limit:
            raise ValidationError(
                SCREENSHOT_TOO_BIG.format(size=screenshot.size / 1e6, limit=limit / 1e6)
            )
        return screenshot


class AttachMetricForm(forms.Form):
    metric = forms.ModelChoiceField(queryset=Metric.objects.all())
    role = forms.ChoiceField(choices=MetricRole.choices)

    def __init__(self, *args, experiment: Experiment, **kwargs):
        super().__init__(*args, **kwargs)
        attached = ExperimentMetric.objects.filter(experiment=experiment).values("metric")
        self.fields["metric"].queryset = Metric.objects.exclude(pk__in=attached)


class ConcludeForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Decision.choices, widget=forms.RadioSelect, help_text="What the team decided."
    )
    learning = forms.CharField(
        label="What we learned",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Written for a colleague who was not there: what is now true that we did "
        "not know before? A test that lost teaches as much as one that won.",
    )
    what_happened = forms.CharField(
        label="What happened", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    why = forms.CharField(
        label="Why we think so", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    next_test = forms.CharField(
        label="The next test", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason = forms.CharField(
        label="Why ship now",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed only to ship before the results name a winner or while a guardrail"
        " is not known to be unharmed; kept in the test's history.",
    )
