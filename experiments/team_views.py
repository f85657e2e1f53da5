"""The team pages: each team's members and the tests it runs, and its settings for leads."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.forms import TeamSettingsForm
from accounts.models import Team
from experiments.models import Experiment


def team_list(request):
    active = [Experiment.Status.RUNNING, Experiment.Status.ANALYSING]
    teams = Team.objects.select_related("north_star").annotate(
        members=Count("memberships", distinct=True),
        running=Count("experiments", filter=Q(experiments__status__in=active), distinct=True),
        concluded=Count("experiments", filter=Q(experiments__status="concluded"), distinct=True),
    )
    return render(request, "experiments/team_list.html", {"teams": teams})


def team_detail(request, slug: str):
    team = get_object_or_404(Team.objects.select_related("north_star"), slug=slug)
    members = team.memberships.select_related("user").order_by("role", "user__username")
    experiments = team.experiments.select_related("owner").exclude(status="archived")[:50]
    return render(
        request,
        "experiments/team_detail.html",
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
            return redirect("experiments:team_detail", slug=team.slug)
        return render(
            request, "experiments/team_edit.html", {"form": form, "team": team}, status=400
        )
    return render(request, "experiments/team_edit.html", {"form": form, "team": team})
