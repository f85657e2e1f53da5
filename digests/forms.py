from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from metrics.models import Metric

PERIOD_TOO_LONG = _("Choose a period of at most a year.")
PERIOD_BACKWARDS = _("The period must end on or after the day it starts.")
LONGEST_PERIOD_DAYS = 366


def last_week() -> tuple:
    today = timezone.localdate()
    return today - timedelta(days=6), today


class PeriodMixin:
    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", PERIOD_BACKWARDS)
            elif (ends_on - starts_on).days > LONGEST_PERIOD_DAYS:
                self.add_error("starts_on", PERIOD_TOO_LONG)
        return data


class StakeholderFilterForm(PeriodMixin, forms.Form):
    """The view's filters, read from the query string so that a view is a link."""

    team = forms.ModelChoiceField(
        Team.objects.all(), required=False, empty_label=_("Every team"), label=_("Team")
    )
    kpi = forms.ModelChoiceField(
        Metric.objects.order_by("name"),
        required=False,
        empty_label=_("Every KPI"),
        label=_("KPI"),
        help_text=_("Tests whose primary metric is this KPI or one below it."),
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, query):
        starts_on, ends_on = last_week()
        data = {"starts_on": starts_on, "ends_on": ends_on, **query.dict()}
        super().__init__(data)


class ShareLinkForm(PeriodMixin, forms.Form):
    kpi = forms.ModelChoiceField(Metric.objects.all(), required=False)
    starts_on = forms.DateField()
    ends_on = forms.DateField()
    days_valid = forms.IntegerField(
        label=_("Works for (days)"), min_value=1, max_value=90, initial=30
    )
