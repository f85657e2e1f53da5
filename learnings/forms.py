from django import forms
from django.utils.translation import gettext_lazy as _

from experiments.models import Experiment
from learnings.models import LearningLink
from metrics.models import Metric, MetricKind


class LearningLinkForm(forms.Form):
    later_test = forms.ModelChoiceField(
        queryset=Experiment.objects.none(), label=_("Later test"), empty_label=_("Choose a test")
    )
    kind = forms.ChoiceField(choices=LearningLink.Kind.choices, label=_("It"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, learning: Experiment, **kwargs):
        super().__init__(*args, **kwargs)
        concluded = Experiment.objects.filter(concluded_at__isnull=False).exclude(pk=learning.pk)
        self.fields["later_test"].queryset = concluded.order_by("-concluded_at")


DAYS_FORMAT = _("Enter the days as whole numbers separated by commas, such as 30, 60, 90.")


class ReadBackPlanForm(forms.Form):
    metric = forms.ModelChoiceField(
        queryset=Metric.objects.exclude(kind=MetricKind.RATIO).order_by("name"),
        label=_("Long-term metric"),
        empty_label=_("Choose a metric"),
        help_text=_("Revenue per customer, retention or a lifetime-value proxy."),
    )
    column = forms.CharField(
        required=False,
        max_length=120,
        label=_("Column in the SQL query"),
        help_text=_("Only when the SQL source's mapping does not map this metric."),
    )
    days = forms.CharField(label=_("Read back after (days)"), initial="30, 60, 90", max_length=100)

    def clean_days(self) -> list[int]:
        parts = [part.strip() for part in self.cleaned_data["days"].split(",") if part.strip()]
        if not parts or not all(part.isdigit() for part in parts):
            raise forms.ValidationError(DAYS_FORMAT)
        return [int(part) for part in parts]


class ReadBackPostmortemForm(forms.Form):
    what_happened = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )
    why = forms.CharField(
        label=_("Why we think so"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_test = forms.CharField(
        label=_("The next test"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
