from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from accounts.forms import ThrottledAuthenticationForm
from accounts.throttle import throttled_response


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = self.render_to_response(self.get_context_data(form=form), status=400)
        return throttled_response(response, form)


def profile(request):
    memberships = request.user.memberships.select_related("team")
    return render(request, "accounts/profile.html", {"memberships": memberships})


@login_not_required
@require_http_methods(["POST"])
def language_switch(request):
    """Remember the chosen language on the profile (signed in) and in the cookie (always)."""
    chosen = request.POST.get("language", "")
    if request.user.is_authenticated and chosen in dict(settings.LANGUAGES):
        request.user.language = chosen
        request.user.save(update_fields=["language"])
    return set_language(request)
