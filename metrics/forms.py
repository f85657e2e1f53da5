from django import forms

from accounts import access
from accounts.models import Team
from metrics.models import Metric


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = [
            "name",
            "description",
            "kind",
            "unit",
            "good_direction",
            "definition",
            "team",
            "owner",
            "parent",
            "baseline_value",
            "baseline_sd",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "definition": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not access.is_admin(user):
            teams = access.teams_where(user, "metric")
            self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
        if self.instance.pk:
            self.fields["parent"].queryset = Metric.objects.exclude(pk=self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        refusal = access.owner_refusal(cleaned.get("owner"), cleaned.get("team"))
        if refusal:
            self.add_error("owner", refusal)
        return cleaned
