from django import forms

from analysis.models import AnalysisChoices, AnalysisSettings


class AnalysisSettingsForm(forms.ModelForm):
    class Meta:
        model = AnalysisSettings
        fields = list(AnalysisChoices.CHOICE_FIELDS)
