"""Analysis settings: an experiment's own, else its team's defaults, else the product's."""

from django.db import transaction

from analysis.models import AnalysisChoices, AnalysisSettings, TeamAnalysisDefaults, Trigger
from experiments.models import Experiment


def team_defaults(team) -> AnalysisChoices:
    """The team's saved defaults, or an unsaved row holding the product's defaults."""
    found = TeamAnalysisDefaults.objects.filter(team=team).first()
    return found or TeamAnalysisDefaults(team=team)


def settings_for(experiment: Experiment) -> AnalysisChoices:
    """The settings that apply now: the experiment's own row if it has one."""
    own = AnalysisSettings.objects.filter(experiment=experiment).first()
    return own or team_defaults(experiment.team)


def analysis_choices(experiment: Experiment) -> dict:
    return settings_for(experiment).choices_dict()


@transaction.atomic
def analysis_settings_update(*, experiment: Experiment, user, data: dict) -> AnalysisSettings:
    """Save the experiment's settings; a real change queues a run, the old result stays."""
    before = analysis_choices(experiment)
    row = AnalysisSettings.objects.filter(experiment=experiment).first()
    row = row or AnalysisSettings(experiment=experiment, **before)
    for name in AnalysisChoices.CHOICE_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    row.updated_by = user
    row.full_clean()
    row.save()
    if row.choices_dict() != before:
        from analysis.services.runs import analysis_request

        analysis_request(experiment=experiment, trigger=Trigger.SETTINGS, user=user)
    return row


@transaction.atomic
def team_defaults_update(*, team, user, data: dict) -> TeamAnalysisDefaults:
    row = team_defaults(team)
    for name in AnalysisChoices.CHOICE_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    row.full_clean()
    row.save()
    return row
