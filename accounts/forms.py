from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from accounts.throttle import (
    client_address,
    login_blocked,
    login_failure_record,
    login_success_record,
    login_throttled_message,
)


class SignInThrottleMixin:
    """A sign-in form that refuses to check passwords after too many failures."""

    throttled = False

    def clean(self):
        username = str(self.data.get("username", ""))
        address = client_address(self.request) if self.request else ""
        if login_blocked(username=username, address=address):
            self.throttled = True
            raise forms.ValidationError(login_throttled_message(), code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise
        if self.get_user() is not None:  # clean() passes an empty password without checking it
            login_success_record(username=username, address=address)
        return cleaned


class ThrottledAuthenticationForm(SignInThrottleMixin, AuthenticationForm):
    """The sign-in page's form."""


class ThrottledAdminAuthenticationForm(SignInThrottleMixin, AdminAuthenticationForm):
    """The Django admin's sign-in form, counted with the same counters."""


class TeamSettingsForm(forms.ModelForm):
    class Meta:
        model = Team
        labels = {
            "name": _("Name"),
            "mission": _("Mission"),
            "scoring_model": _("Scoring model"),
            "sprint_length_days": _("Sprint length (days)"),
            "north_star": _("North star"),
            "time_zone": _("Time zone"),
            "currency": _("Currency"),
            "digest_empty_week": _("A week with nothing to report"),
        }
        help_texts = {
            "sprint_length_days": _("Length of a growth sprint in days; three weeks by default."),
            "time_zone": _(
                "Where the team works: its weekly digest goes out on Monday morning there."
            ),
            "currency": _("The currency of the team's business cases."),
        }
        fields = [
            "name",
            "mission",
            "scoring_model",
            "sprint_length_days",
            "north_star",
            "time_zone",
            "currency",
            "digest_empty_week",
        ]
