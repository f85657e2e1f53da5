"""Steps that load the sprints: consecutive 3-week sprints ending in one active sprint per team.

Dates count back from the active sprint's start, a few days before today, so the demo always
shows a sprint in progress and four reviewed ones behind it. The sprints are created in
planning by the sprint service (`sprints_load`); once the tests are loaded, `sprint_reviews_load`
runs each sprint through the services: started, reviewed and closed in turn, so closing
carries unfinished tests over as it would in the product.
"""

from datetime import date, timedelta

from accounts.models import Team
from demo.context import Demo
from demo.data.org import TEAMS
from demo.data.sprints import SPRINTS
from experiments.models import Experiment
from sprints import services
from sprints.models import Sprint

REVIEW_HOUR = 10  # the review meeting, the morning after a sprint's last day


def sprints_load(demo: Demo) -> None:
    for team_spec in TEAMS:
        team = demo.teams[team_spec["name"]]
        specs = SPRINTS[team.name]
        active_start = demo.days_ago(team_spec["active_sprint_started_days_ago"])
        for spec in specs:
            sprints_back = specs[-1]["number"] - spec["number"]
            starts_on = active_start - timedelta(days=team.sprint_length_days * sprints_back)
            demo.sprints[(team.name, spec["number"])] = sprint_get_or_create(
                demo, team, spec, starts_on
            )


def sprint_get_or_create(demo: Demo, team: Team, spec: dict, starts_on: date) -> Sprint:
    sprint = Sprint.objects.filter(team=team, number=spec["number"]).first()
    if sprint is None:
        data = {
            "number": spec["number"],
            "goal": spec["goal"],
            "starts_on": starts_on,
            "goal_metric": demo.metrics[spec["goal_metric"]],
        }
        sprint = services.sprint_create(team=team, user=demo.leads[team.name], data=data)
        demo.count("sprints")
    return sprint


def sprint_reviews_load(demo: Demo) -> None:
    """Start each sprint still in planning; review and close those the data has notes for."""
    for team_name, specs in SPRINTS.items():
        lead = demo.leads[team_name]
        for spec in specs:
            sprint = demo.sprints[(team_name, spec["number"])]
            if sprint.status != Sprint.Status.PLANNING:
                continue  # loaded before: a second run changes nothing
            sprint = services.sprint_activate(sprint=sprint, user=lead)
            if "review_notes" in spec:
                sprint_review_close(demo, sprint, spec, lead)


def sprint_review_close(demo: Demo, sprint: Sprint, spec: dict, lead) -> None:
    carried = carried_back(sprint, spec.get("carried_over", []))
    sprint = services.sprint_start_review(sprint=sprint, user=lead)
    sprint = services.sprint_close(
        sprint=sprint,
        user=lead,
        review_notes=spec["review_notes"],
        action_items=spec.get("action_items", ""),
    )
    closed_at = demo.at(sprint.ends_on + timedelta(days=1), REVIEW_HOUR)
    Sprint.objects.filter(pk=sprint.pk).update(closed_at=closed_at)
    following = demo.sprints[(sprint.team.name, sprint.number + 1)]
    for experiment in carried:
        services.experiment_add_to_sprint(sprint=following, experiment=experiment, user=lead)


def carried_back(sprint: Sprint, titles: list[str]) -> list[Experiment]:
    """Put the tests that slipped back in the sprint they were planned in, for its close.

    The test data places them in the sprint they ran in; closing this one carries them over
    and the next sprint pulls them in again, as the team did.
    """
    tests = Experiment.objects.filter(team=sprint.team, title__in=titles)
    tests.update(sprint=sprint)
    return list(tests)
