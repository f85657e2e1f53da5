"""Forms of the sprint pages: they check the shape of the input; services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from metrics.models import Metric
from sprints.models import Sprint


class SprintForm(forms.ModelForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none())

    class Meta:
        model = Sprint
        fields = ["team", "number", "goal", "goal_metric", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "goal": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "number": _("Leave empty for the team's next number."),
            "ends_on": _("The last day of the sprint. Leave empty for the team's sprint length."),
            "goal_metric": _("The metric of the KPI tree the sprint aims to move."),
        }

    def __init__(self, *args, teams: list[Team], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
        self.fields["number"].required = False
        self.fields["ends_on"].required = False
        self.fields["goal_metric"].queryset = Metric.objects.order_by("name")
        if self.instance.pk:
            del self.fields["team"]

    def _post_clean(self):
        # The service runs full_clean with the team's defaults filled in; checking the
        # half-built instance here would report "number is required" before they are.
        pass


class PullForm(forms.Form):
    """Which test or backlog idea to pull into the sprint."""

    experiment = forms.IntegerField(required=False)
    idea = forms.IntegerField(required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("experiment")) == bool(data.get("idea")):
            raise forms.ValidationError(_("Choose one test or one idea to pull into the sprint."))
        return data


class CloseReviewForm(forms.Form):
    review_notes = forms.CharField(
        label=_("Notes of the review meeting"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What launched, what won, and above all what the team learned."),
    )
    action_items = forms.CharField(
        label=_("Action items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, with who does it."),
    )
