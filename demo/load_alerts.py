"""The demo's alerts and follows: each running test's answer read as the analysis would, the
clock's alerts as beat would see them today, and a few people following beyond their team."""

from demo.context import Demo
from experiments.models import Experiment
from notifications import evaluate, services, sweep


def follows_load(demo: Demo) -> None:
    """Each team lead follows the other teams and the North Star metrics."""
    for team_name, lead in demo.leads.items():
        for other_name, other in demo.teams.items():
            if other_name != team_name and not services.is_following(lead, other):
                services.follow_set(user=lead, obj=other, following=True)
                demo.count("follows")
        north_star = demo.teams[team_name].north_star
        if north_star and not services.is_following(lead, north_star):
            services.follow_set(user=lead, obj=north_star, following=True)
            demo.count("follows")


def alerts_load(demo: Demo) -> None:
    running = Experiment.objects.filter(status__in=evaluate.RUNNING)
    raised = [found for experiment in running for found in evaluate.result_alerts(experiment)]
    new = services.alerts_raise(raised) + sweep.alerts_sweep()
    for _alert in new:
        demo.count("alerts")
