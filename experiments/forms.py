"""Forms validate what people type; the services in experiments/services do the writing."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import Team
from experiments.models import (
    CustomField,
    Decision,
    Experiment,
    ExperimentMetric,
    ExperimentTemplate,
    Idea,
    MetricRole,
    Variant,
)
from experiments.services.tags import tag_names_parse
from growthlab.web.forms import LocalNumbersMixin
from metrics.models import Metric

SCREENSHOT_TOO_BIG = _("The screenshot is %(size)s MB; the limit is %(limit)s MB.")


class TagsField(forms.CharField):
    """Comma-separated tags, cleaned to a sorted list of unique lower-case names."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Comma-separated, e.g. pricing, checkout"))
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
    impact = score_field(_("Impact (1–10)"), _("How much would it move the metric if it works?"))
    confidence = score_field(_("Confidence (1–10)"), _("How sure are we that it will work?"))
    ease = score_field(_("Ease (1–10)"), _("How easy is it to test? 10 = an afternoon."))

    class Meta:
        model = Idea
        labels = {
            "title": _("Title"),
            "insight": _("Observation or insight"),
            "proposed_change": _("Proposed change"),
            "audience": _("Audience"),
            "channel": _("Channel"),
            "status": _("Status"),
            "reach": _("Reach"),
            "effort": _("Effort"),
        }
        help_texts = {
            "reach": _("People reached per quarter (RICE)."),
            "effort": _("Person-weeks of work (RICE)."),
        }
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


def custom_form_field(field, *, required: bool) -> forms.Field:
    common = {"label": field.label, "required": required, "help_text": field.help_text}
    if field.kind == CustomField.Kind.NUMBER:
        return forms.DecimalField(**common)
    if field.kind == CustomField.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.kind == CustomField.Kind.CHOICE:
        options = [("", "–"), *((c, c) for c in field.choices)]
        return forms.ChoiceField(choices=options, **common)
    return forms.CharField(max_length=500, **common)


class CustomFieldsMixin:
    """The organisation's custom fields, as ``cf_<key>`` fields, required where the test's
    step requires them; ``custom_values()`` gives them to the service as {key: text}."""

    def add_custom_fields(self, experiment) -> None:
        from experiments.services.custom_fields import custom_values_of, required_at

        status = experiment.status if experiment is not None else "draft"
        stored = custom_values_of(experiment) if experiment is not None else {}
        self.custom_fields = list(CustomField.objects.all())
        for field in self.custom_fields:
            name = f"cf_{field.key}"
            self.fields[name] = custom_form_field(field, required=required_at(field, status))
            self.initial.setdefault(name, stored.get(field.key, ""))

    def custom_values(self) -> dict[str, str]:
        from experiments.services.custom_fields import custom_values_clean

        raw = {f.key: self.cleaned_data.get(f"cf_{f.key}") for f in self.custom_fields}
        return custom_values_clean(raw)


class ExperimentForm(LocalNumbersMixin, CustomFieldsMixin, TeamChoiceMixin, forms.ModelForm):
    team_kind = "experiment"
    tags = TagsField()

    class Meta:
        model = Experiment
        labels = {
            "title": _("Title"),
            "owner": _("Owner"),
            "channel": _("Channel"),
            "audience": _("Audience"),
            "description": _("Description"),
            "hypothesis_insight": _("Because we saw …"),
            "hypothesis_change": _("We believe that …"),
            "hypothesis_effect": _("Expected effect (will …)"),
            "mde_relative": _("Minimum detectable effect (%)"),
            "planned_duration_days": _("Planned duration (days)"),
            "planned_start": _("Planned start"),
            "planned_end": _("Planned end"),
            "value_per_unit": _("Value of one unit"),
            "value_expected_lift": _("Expected lift if the hypothesis holds (%)"),
            "value_daily_users": _("Daily users once shipped"),
        }
        help_texts = {
            "description": _("Markdown."),
            "mde_relative": _("The smallest relative change worth detecting, in percent."),
            "value_per_unit": _(
                "What one conversion is worth, or what one unit of revenue leaves (a margin)."
            ),
            "value_expected_lift": _(
                "Relative change in percent; blank uses the minimum detectable effect."
            ),
            "value_daily_users": _(
                "Everyone the change reaches a day; blank uses the test's daily users."
            ),
        }
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
            "value_per_unit",
            "value_expected_lift",
            "value_daily_users",
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
        self.add_custom_fields(self.instance if self.instance.pk else None)


RATE_OUT_OF_RANGE = _("A conversion rate lies between 0% and 100%: 9.2 means 9.2%.")


class SampleSizePlanForm(LocalNumbersMixin, forms.ModelForm):
    class Meta:
        model = Experiment
        labels = {
            "plan_baseline": _("Baseline"),
            "plan_baseline_sd": _("Baseline standard deviation"),
            "mde_relative": _("Minimum detectable effect (%)"),
            "plan_daily_traffic": _("Daily users entering the test"),
            "plan_alpha": _("Significance level"),
            "plan_power": _("Power"),
        }
        help_texts = {
            "plan_baseline": _("Today's rate (0–1) or mean."),
            "mde_relative": _("The smallest relative change worth detecting, in percent."),
        }
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
            # xgettext:no-python-format
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
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "is_control": _("Is control"),
            "traffic_share": _("Planned traffic share (%)"),
            "screenshot": _("Screenshot"),
            "link": _("Link"),
        }
        help_texts = {
            "link": _("Where the variant can be seen."),
        }
        fields = ["name", "description", "is_control", "traffic_share", "screenshot", "link"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_screenshot(self):
        screenshot = self.cleaned_data.get("screenshot")
        limit = settings.SCREENSHOT_MAX_BYTES
        if screenshot and getattr(screenshot, "size", 0) > limit:
            raise ValidationError(
                SCREENSHOT_TOO_BIG
                % {
                    "size": floatformat(screenshot.size / 1e6, 1),
                    "limit": floatformat(limit / 1e6, 0),
                }
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
        choices=Decision.choices, widget=forms.RadioSelect, help_text=_("What the team decided.")
    )
    learning = forms.CharField(
        label=_("What we learned"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Written for a colleague who was not there: what is now true that we did "
            "not know before? A test that lost teaches as much as one that won."
        ),
    )
    what_happened = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    why = forms.CharField(
        label=_("Why we think so"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    next_test = forms.CharField(
        label=_("The next test"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason = forms.CharField(
        label=_("Why ship now"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "Needed only to ship before the results name a winner or while a guardrail"
            " is not known to be unharmed; kept in the test's history."
        ),
    )


class TemplateForm(forms.ModelForm):
    """A template: its texts and plan inputs, and its variants, metrics and checklist typed as
    lines, so one page holds it all."""

    variants_text = forms.CharField(
        label=_("Variants"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="A | control | 50 | Today's page\nB | treatment | 50 |",
        help_text=_("One per line: name | control or treatment | traffic share % | description"),
    )
    tags_text = TagsField(label=_("Tags"))
    checklist_text = forms.CharField(
        label=_("Pre-launch checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One check per line; every one is ticked before a test from it starts."),
    )
    primary_metric = forms.ModelChoiceField(
        label=_("Primary metric"), queryset=Metric.objects.all(), required=False
    )
    secondary_metrics = forms.ModelMultipleChoiceField(
        label=_("Secondary metrics"), queryset=Metric.objects.all(), required=False
    )
    guardrail_metrics = forms.ModelMultipleChoiceField(
        label=_("Guardrail metrics"), queryset=Metric.objects.all(), required=False
    )

    class Meta:
        model = ExperimentTemplate
        fields = [
            "name",
            "team",
            "description",
            "channel",
            "audience",
            "hypothesis_insight",
            "hypothesis_change",
            "hypothesis_effect",
            "mde_relative",
            "planned_duration_days",
            "plan_baseline",
            "plan_baseline_sd",
            "plan_daily_traffic",
            "plan_alpha",
            "plan_power",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "hypothesis_insight": forms.Textarea(attrs={"rows": 2}),
            "hypothesis_change": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = access.teams_where(user, "template")
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
        self.fields["team"].required = not access.is_admin(user)
        self.fields["team"].empty_label = _("Every team (organisation-wide)")
        template = self.instance
        if template.pk:
            self.initial["variants_text"] = "\n".join(
                f"{v['name']} | {'control' if v['is_control'] else 'treatment'} | "
                f"{v['traffic_share']:g} | {v.get('description', '')}"
                for v in template.variants
            )
            self.initial["tags_text"] = template.tags
            self.initial["checklist_text"] = "\n".join(template.checklist)
            links = [link for link in template.template_metrics.all() if link.metric_id]
            by_role = {role: [x.metric for x in links if x.role == role] for role in MetricRole}
            self.initial["primary_metric"] = next(iter(by_role[MetricRole.PRIMARY]), None)
            self.initial["secondary_metrics"] = by_role[MetricRole.SECONDARY]
            self.initial["guardrail_metrics"] = by_role[MetricRole.GUARDRAIL]

    def clean_variants_text(self):
        variants = []
        for number, line in enumerate(self.cleaned_data["variants_text"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")] + ["", "", ""]
            name, role, share, description = parts[:4]
            try:
                share_value = float(share.rstrip("%"))
            except ValueError:
                raise ValidationError(
                    _("Line %(n)s: the traffic share “%(s)s” is not a number."),
                    params={"n": number, "s": share},
                ) from None
            if role.lower() not in ("control", "treatment"):
                raise ValidationError(
                    _("Line %(n)s: write “control” or “treatment”, not “%(r)s”."),
                    params={"n": number, "r": role},
                )
            variants.append(
                {
                    "name": name,
                    "is_control": role.lower() == "control",
                    "traffic_share": share_value,
                    "description": description,
                }
            )
        return variants

    def template_data(self) -> tuple[dict, list]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["variants"] = self.cleaned_data["variants_text"]
        data["tags"] = self.cleaned_data["tags_text"]
        lines = self.cleaned_data["checklist_text"].splitlines()
        data["checklist"] = [line.strip() for line in lines if line.strip()]
        metrics = []
        if self.cleaned_data["primary_metric"]:
            metrics.append((self.cleaned_data["primary_metric"], MetricRole.PRIMARY))
        metrics += [(m, MetricRole.SECONDARY) for m in self.cleaned_data["secondary_metrics"]]
        metrics += [(m, MetricRole.GUARDRAIL) for m in self.cleaned_data["guardrail_metrics"]]
        return data, metrics


class FromTemplateForm(forms.Form):
    title = forms.CharField(label=_("Title of the new test"), max_length=200)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)

    def __init__(self, *args, user, template, **kwargs):
        super().__init__(*args, **kwargs)
        teams = access.teams_where(user, "experiment")
        if template.team_id is not None:
            teams = [t for t in teams if t.pk == template.team_id]
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])


class SaveAsTemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=120)
    organisation_wide = forms.BooleanField(
        label=_("Offer it to every team (admins only)"), required=False
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the sign-off is refused"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SignoffPolicyForm(forms.Form):
    before_start = forms.BooleanField(
        label=_("A team lead signs off before a test starts"), required=False
    )
    before_running_edit = forms.BooleanField(
        label=_("A team lead signs off changes to a running test's documentation"),
        required=False,
    )


class CustomFieldForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Options"),
        required=False,
        help_text=_("For a choice: the options, comma-separated."),
    )

    class Meta:
        model = CustomField
        fields = ["label", "key", "kind", "required_from", "help_text", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("choices_text", ", ".join(self.instance.choices or []))

    def field_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        options = self.cleaned_data["choices_text"].split(",")
        data["choices"] = [option.strip() for option in options if option.strip()]
        return data
