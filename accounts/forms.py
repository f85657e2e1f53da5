from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import Team
from accounts.throttle import login_blocked, login_failure_record, login_throttled_message


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing to check passwords after too many failures."""

    def clean(self):
        username = self.data.get("username", "")
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if login_blocked(username=username, address=address):
            self.throttled = True
            raise forms.ValidationError(login_throttled_message(), code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise


class TeamSettingsForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "mission", "scoring_model", "sprint_length_days", "north_star"]
