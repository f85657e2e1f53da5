from django import forms
from django.utils.translation import gettext_lazy as _

from analysis.models import AnalysisChoices, AnalysisSettings, TeamAnalysisDefaults

# The form's own labels, in the reader's language (the model's names stay English).
LABELS = {
    "alpha": _("Significance level"),
    "two_sided": _("Two-sided"),
    "method": _("Method"),
    "sequential_tuning_parameter": _("Sequential tuning parameter"),
    "prior_mean": _("Prior mean of the lift"),
    "prior_sd": _("Prior spread of the lift"),
    "correction": _("Correction"),
}

HELP_TEXTS = {
    "two_sided": _("Off: test only in the metric's good direction."),
    "sequential_tuning_parameter": _("Users per arm where the sequential interval is tightest."),
    "prior_mean": _("Empty: a flat prior."),
    "cuped": _("Use pre-period data, where loaded, to narrow intervals."),
}


class AnalysisSettingsForm(forms.ModelForm):
    class Meta:
        model = AnalysisSettings
        labels = LABELS
        help_texts = HELP_TEXTS
        fields = list(AnalysisChoices.CHOICE_FIELDS)


class TeamAnalysisDefaultsForm(forms.ModelForm):
    class Meta:
        model = TeamAnalysisDefaults
        labels = LABELS
        help_texts = HELP_TEXTS
        fields = list(AnalysisChoices.CHOICE_FIELDS)
