"""How the analysis app answers the experiments app's signals (experiments/signals.py)."""

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from analysis.models import AnalysisChoices, AnalysisSettings
from analysis.services.choices import analysis_choices, team_defaults
from experiments.signals import analysis_choices_wanted, experiment_seeded


@receiver(experiment_seeded)
def seeded_settings(sender, *, experiment, user, choices, source, **kwargs):
    """A new test from a template or a duplicate starts with the same analysis settings.

    A draft has no data yet, so no run is queued; bad settings undo the creation.
    """
    if source is not None:
        own = AnalysisSettings.objects.filter(experiment=source).first()
        choices = own.choices_dict() if own else None
    if not choices:
        return
    unknown = set(choices) - set(AnalysisChoices.CHOICE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown analysis settings: {', '.join(sorted(unknown))}.")
    row = AnalysisSettings(experiment=experiment, **team_defaults(experiment.team).choices_dict())
    for name, value in choices.items():
        setattr(row, name, value)
    row.updated_by = user
    row.full_clean()
    row.save()


@receiver(analysis_choices_wanted)
def choices_of(sender, *, experiment, **kwargs) -> dict:
    return analysis_choices(experiment)
