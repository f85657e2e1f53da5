"""The re-analyse button and the analysis settings form; the result panel is a template tag."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from analysis.forms import AnalysisSettingsForm
from analysis.models import Trigger
from analysis.services import analysis_request, analysis_settings_update
from analysis.services.choices import settings_for
from experiments.models import Experiment

QUEUED = "Analysis queued: the result updates when it is done."
SETTINGS_SAVED = "Analysis settings saved. The last result stays until the new one is ready."


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
