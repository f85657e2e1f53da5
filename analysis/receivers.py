"""How the analysis app answers the signals of the apps below it: the experiments app's
(experiments/signals.py) and a finished data load (jobs.signals.job_done)."""

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from analysis.models import AnalysisChoices, AnalysisSettings
from analysis.services.choices import analysis_choices, team_defaults
from analysis.services.runs import analysis_after_load
from experiments.signals import analysis_choices_wanted, experiment_seeded
from jobs.models import JobStatus
from jobs.signals import job_done
from metrics.jobs import DATA_LOADS
from metrics.models import DataLoad


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


@receiver(job_done, dispatch_uid="analysis-after-load")
def analyse_new_statistics(sender, *, kind, job_id, status, **kwargs) -> None:
    """A load that succeeded replaced the statistics: queue their analysis. Sent after commit
    and robustly, so a problem here is logged and never fails the good load."""
    if kind is DATA_LOADS and status == JobStatus.SUCCEEDED:
        analysis_after_load(load=DataLoad.objects.select_related("experiment").get(id=job_id))
