"""The re-analyse button, the analysis settings forms; the result panel is a template tag."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.models import Team
from analysis.forms import AnalysisSettingsForm, TeamAnalysisDefaultsForm
from analysis.models import Trigger
from analysis.services import analysis_request, analysis_settings_update, team_defaults_update
from analysis.services.choices import settings_for, team_defaults
from experiments.models import Experiment

QUEUED = _("Analysis queued: the result updates when it is done.")
SETTINGS_SAVED = _("Analysis settings saved. The last result stays until the new one is ready.")
DEFAULTS_SAVED = _(
    "Analysis defaults saved. They apply to every test of the team without its own settings."
)


@require_POST
def analysis_rerun(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=request.user)
    messages.success(request, QUEUED)
    return redirect(experiment)


@require_http_methods(["GET", "POST"])
def analysis_settings_edit(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    current = settings_for(experiment)
    form = AnalysisSettingsForm(request.POST or None, initial=current.choices_dict())
    if request.method == "POST" and form.is_valid():
        try:
            analysis_settings_update(
                experiment=experiment, user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, SETTINGS_SAVED)
            return redirect(experiment)
    context = {"experiment": experiment, "form": form}
    return render(request, "analysis/settings_form.html", context)


@require_http_methods(["GET", "POST"])
def team_defaults_edit(request, slug: str):
    """The team lead's defaults for every test of the team that has no settings of its own."""
    team = get_object_or_404(Team, slug=slug)
    access.require(access.can_edit_team(request.user, team))
    form = TeamAnalysisDefaultsForm(request.POST or None, instance=team_defaults(team))
    if request.method == "POST":
        if form.is_valid():
            team_defaults_update(team=team, user=request.user, data=form.cleaned_data)
            messages.success(request, DEFAULTS_SAVED)
            return redirect("accounts:team_detail", slug=team.slug)
        status = 400  # the form names the field; nothing was saved
    else:
        status = 200
    context = {"team": team, "form": form}
    return render(request, "analysis/team_defaults_form.html", context, status=status)
