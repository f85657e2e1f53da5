"""The Django admin, signing in through the same throttle as the sign-in page."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from accounts.forms import ThrottledAdminAuthenticationForm
from accounts.throttle import throttled_response


class GrowthLabAdminSite(admin.AdminSite):
    login_form = ThrottledAdminAuthenticationForm

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        return throttled_response(response, form)
