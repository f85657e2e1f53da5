"""API views below one experiment (its plan, outcomes, runs, sources) share how they find it."""

from django.shortcuts import get_object_or_404

from accounts import access
from experiments.models import Experiment


class ExperimentScoped:
    """Views below one experiment: the experiment is the object whose rule decides writes."""

    can_write = staticmethod(access.can_edit_experiment)

    def experiment(self) -> Experiment:
        experiment = get_object_or_404(
            Experiment.objects.select_related("team"), pk=self.kwargs["pk"]
        )
        self.check_object_permissions(self.request, experiment)
        return experiment
