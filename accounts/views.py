from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from accounts import access
from accounts.forms import TeamSettingsForm, ThrottledAuthenticationForm
from accounts.models import Team
from accounts.throttle import throttled_response
from experiments.models import Experiment


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


def team_list(request):
    active = [Experiment.Status.RUNNING, Experiment.Status.ANALYSING]
    teams = Team.objects.select_related("north_star").annotate(
        members=Count("memberships", distinct=True),
        running=Count("experiments", filter=Q(experiments__status__in=active), distinct=True),
        concluded=Count("experiments", filter=Q(experiments__status="concluded"), distinct=True),
    )
    return render(request, "accounts/team_list.html", {"teams": teams})


def team_detail(request, slug: str):
    team = get_object_or_404(Team.objects.select_related("north_star"), slug=slug)
    members = team.memberships.select_related("user").order_by("role", "user__username")
    experiments = team.experiments.select_related("owner").exclude(status="archived")[:50]
    return render(
        request,
        "accounts/team_detail.html",
        {
            "team": team,
            "members": members,
            "experiments": experiments,
            "can_edit": access.can_edit_team(request.user, team),
        },
    )


@require_http_methods(["GET", "POST"])
def team_edit(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    access.require(access.can_edit_team(request.user, team))
    form = TeamSettingsForm(request.POST or None, instance=team)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Team settings saved."))
            return redirect("accounts:team_detail", slug=team.slug)
        return render(request, "accounts/team_edit.html", {"form": form, "team": team}, status=400)
    return render(request, "accounts/team_edit.html", {"form": form, "team": team})


@login_not_required
@require_http_methods(["POST"])
def language_switch(request):
    """Remember the chosen language on the profile (signed in) and in the cookie (always)."""
    chosen = request.POST.get("language", "")
    if request.user.is_authenticated and chosen in dict(settings.LANGUAGES):
        request.user.language = chosen
        request.user.save(update_fields=["language"])
    return set_language(request)
