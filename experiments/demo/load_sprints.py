"""Step that loads the sprints: consecutive 3-week sprints ending in one active sprint per team.

Dates count back from the active sprint's start, a few days before today, so the demo always
shows a sprint in progress and four reviewed ones behind it.
"""

from datetime import date, timedelta

from accounts.models import Team
from experiments.demo.context import Demo
from experiments.demo.data.org import TEAMS
from experiments.demo.data.sprints import SPRINTS
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
        sprint = sprint_create(demo, team, spec, starts_on)
        demo.count("sprints")
    return sprint


def sprint_create(demo: Demo, team: Team, spec: dict, starts_on: date) -> Sprint:
    # Sprints have no write service yet; full_clean applies the model's constraints.
    ends_on = starts_on + timedelta(days=team.sprint_length_days - 1)
    closed = "review_notes" in spec
    sprint = Sprint(
        team=team,
        number=spec["number"],
        goal=spec["goal"],
        goal_metric=demo.metrics[spec["goal_metric"]],
        starts_on=starts_on,
        ends_on=ends_on,
        status=Sprint.Status.CLOSED if closed else Sprint.Status.ACTIVE,
        review_notes=spec.get("review_notes", ""),
        action_items=spec.get("action_items", ""),
        closed_at=demo.at(ends_on + timedelta(days=1), REVIEW_HOUR) if closed else None,
    )
    sprint.full_clean()
    sprint.save()
    return sprint
