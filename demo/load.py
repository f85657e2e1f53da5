"""Load the demo organisation: a sequence of named steps, each safe to run again.

Every step finds its rows by natural key (team slug, username, metric name, sprint number,
idea or test title within a team) and creates only what is missing, so a second run changes
nothing. Later work adds steps (outcome data, analysis results) to the end of STEPS.
"""

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from demo.context import Demo
from demo.load_alerts import alerts_load, follows_load
from demo.load_digests import business_cases_load, share_link_load
from demo.load_experiments import experiments_load
from demo.load_ideas import ideas_load
from demo.load_org import metrics_load, north_stars_set, people_load, teams_load
from demo.load_process import process_load
from demo.load_readbacks import readbacks_load
from demo.load_sprints import sprint_reviews_load, sprints_load
from demo.outcomes import measured_results_write, outcomes_load

STEPS: tuple[Callable[[Demo], None], ...] = (
    teams_load,
    people_load,
    metrics_load,
    north_stars_set,
    sprints_load,
    ideas_load,
    experiments_load,
    sprint_reviews_load,
    outcomes_load,
    measured_results_write,
    process_load,
    business_cases_load,
    share_link_load,
    follows_load,
    alerts_load,
    readbacks_load,
)
# Kinds of row in the order the summary names them, each with its singular.
SUMMARY_KINDS = {
    "teams": "team",
    "people": "person",
    "metrics": "metric",
    "north stars": "north star",
    "sprints": "sprint",
    "ideas": "idea",
    "experiments": "experiment",
    "outcome cohorts": "outcome cohort",
    "analyses": "analysis",
    "share links": "share link",
    "follows": "follow",
    "alerts": "alert",
    "read-backs": "read-back",
}
NOTHING_CREATED = "The demo organisation is already loaded: nothing was changed."


@transaction.atomic
def load_demo_data(*, today: date | None = None) -> Demo:
    """Create whatever part of the demo organisation is missing; return what was loaded."""
    demo = Demo(today=today or timezone.localdate())
    for step in STEPS:
        step(demo)
    return demo


def summary_text(demo: Demo) -> str:
    """'Created 3 teams, 14 people, …' or a sentence saying nothing was needed."""
    if not demo.created:
        return NOTHING_CREATED
    parts = [
        f"{count} {kind if count > 1 else SUMMARY_KINDS[kind]}"
        for kind in SUMMARY_KINDS
        if (count := demo.created[kind])
    ]
    return f"Loaded the demo organisation. Created {', '.join(parts)}."
