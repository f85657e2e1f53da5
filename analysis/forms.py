from django import forms

from analysis.models import AnalysisChoices, AnalysisSettings, TeamAnalysisDefaults


class AnalysisSettingsForm(forms.ModelForm):
    class Meta:
        model = AnalysisSettings
        fields = list(AnalysisChoices.CHOICE_FIELDS)


class TeamAnalysisDefaultsForm(forms.ModelForm):
    class Meta:
        model = TeamAnalysisDefaults
        fields = list(AnalysisChoices.CHOICE_FIELDS)
