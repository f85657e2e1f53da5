from django import forms
from django.utils.translation import gettext_lazy as _

from experiments.models import Experiment
from learnings.models import LearningLink


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
