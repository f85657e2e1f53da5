"""Step that loads the backlogs: about forty ideas, spread over the last four months."""

from datetime import datetime

from accounts.models import Team
from demo.context import Demo
from demo.data.ideas_app import APP_IDEAS
from demo.data.ideas_crm import CRM_IDEAS
from demo.data.ideas_web import WEB_IDEAS
from experiments.models import Idea
from experiments.services.ideas import idea_create

IDEAS = {"Web Growth": WEB_IDEAS, "CRM & Loyalty": CRM_IDEAS, "App Growth": APP_IDEAS}
OLDEST_IDEA_DAYS_AGO = 125
DAYS_BETWEEN_IDEAS = 8  # per team: ideas listed first are the oldest


def ideas_load(demo: Demo) -> None:
    for team_name, specs in IDEAS.items():
        team = demo.teams[team_name]
        for index, spec in enumerate(specs):
            idea = Idea.objects.filter(team=team, title=spec["title"]).first()
            if idea is None:
                idea = idea_add(demo, team, spec)
                idea_backdate(idea, demo.at(idea_day(demo, index), 9 + index % 7, 15))
                demo.count("ideas")
            demo.ideas[(team_name, spec["title"])] = idea


def idea_day(demo: Demo, index: int):
    return demo.days_ago(OLDEST_IDEA_DAYS_AGO - DAYS_BETWEEN_IDEAS * index)


def idea_add(demo: Demo, team: Team, spec: dict) -> Idea:
    impact, confidence, ease = spec["ice"]
    data = {
        "title": spec["title"],
        "insight": spec["insight"],
        "proposed_change": spec["proposed_change"],
        "audience": spec["audience"],
        "channel": spec["channel"],
        "status": spec.get("status", Idea.Status.NEW),
        "impact": impact,
        "confidence": confidence,
        "ease": ease,
        "reach": spec.get("reach"),
        "effort": spec.get("effort"),
    }
    return idea_create(team=team, author=demo.users[spec["author"]], data=data, tags=spec["tags"])


def idea_backdate(idea: Idea, when: datetime) -> None:
    Idea.objects.filter(pk=idea.pk).update(created_at=when, updated_at=when)
    idea.history.update(created_at=when)
