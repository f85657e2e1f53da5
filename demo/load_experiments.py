"""Step that loads the tests: documented, planned and moved through the checked lifecycle.

Every write goes through the experiment services, so the same checks apply as in the browser
and each test's history shows how it was written, planned, run and decided.
"""

from accounts.models import Team
from demo.context import Demo
from demo.data.experiments_app import APP_EXPERIMENTS
from demo.data.experiments_crm import CRM_EXPERIMENTS
from demo.data.experiments_web import WEB_EXPERIMENTS
from demo.plans import plan_inputs, plan_record
from demo.timeline import (
    Timeline,
    documentation_backdate,
    experiment_backdate,
    lifecycle_path,
    timeline_for,
)
from experiments.models import Experiment, MetricRole, Variant
from experiments.services.experiments import (
    experiment_create,
    experiment_create_from_idea,
    experiment_metric_attach,
    experiment_update,
    variant_save,
)
from experiments.services.history import recorded_edit
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from sprints.models import Sprint

DEMO_SHIP_REASON = "Decided at the sprint review, on the final numbers."
EXPERIMENTS = {
    "Web Growth": WEB_EXPERIMENTS,
    "CRM & Loyalty": CRM_EXPERIMENTS,
    "App Growth": APP_EXPERIMENTS,
}


def experiments_load(demo: Demo) -> None:
    for team_name, specs in EXPERIMENTS.items():
        team = demo.teams[team_name]
        for spec in specs:
            if not Experiment.objects.filter(team=team, title=spec["title"]).exists():
                experiment_add(demo, team, spec)
                demo.count("experiments")


def experiment_add(demo: Demo, team: Team, spec: dict) -> Experiment:
    owner = demo.users[spec["owner"]]
    sprint = demo.sprints[(team.name, spec["sprint"])] if "sprint" in spec else None
    experiment = experiment_begin(demo, team, spec, documentation(spec) | plan_inputs(demo, spec))
    variants_write(experiment, spec, owner)
    metrics_attach(demo, experiment, spec, owner)
    experiment.refresh_from_db()
    plan = plan_record(experiment, spec, sprint, owner)
    timeline = timeline_for(demo, spec, sprint, plan)
    experiment.refresh_from_db()
    sprint_record(experiment, sprint, owner)
    documentation_backdate(experiment, timeline)
    experiment = lifecycle_run(demo, experiment, spec, timeline)
    experiment_backdate(experiment, timeline)
    return experiment


def documentation(spec: dict) -> dict:
    """The editable documentation fields: the hypothesis and what the test aims to find."""
    return {
        "title": spec["title"],
        "channel": spec["channel"],
        "audience": spec["audience"],
        "description": spec.get("description", ""),
        "hypothesis_insight": spec["insight"],
        "hypothesis_change": spec["change"],
        "hypothesis_effect": spec.get("effect", ""),
        "mde_relative": spec.get("mde"),
    }


def experiment_begin(demo: Demo, team: Team, spec: dict, data: dict) -> Experiment:
    """Create the draft, from its idea when it has one, then write the full documentation."""
    owner = demo.users[spec["owner"]]
    if "idea" not in spec:
        return experiment_create(team=team, user=owner, data=data, tags=spec["tags"])
    idea = demo.ideas[(team.name, spec["idea"])]
    experiment = experiment_create_from_idea(idea=idea, user=owner)
    return experiment_update(experiment=experiment, user=owner, data=data, tags=spec["tags"])


def variants_write(experiment: Experiment, spec: dict, user) -> None:
    """Turn the default A/B pair into the spec's variants; the first one is the control."""
    existing = list(experiment.variants.order_by("-is_control", "name"))
    for index, (name, description, share) in enumerate(spec.get("variants", [])):
        variant = existing[index] if index < len(existing) else Variant(experiment=experiment)
        variant.name, variant.description = name, description
        variant.traffic_share, variant.is_control = share, index == 0
        variant_save(variant=variant, user=user)


def metrics_attach(demo: Demo, experiment: Experiment, spec: dict, user) -> None:
    roles = spec.get("metrics", {})
    links = [(roles["primary"], MetricRole.PRIMARY)] if "primary" in roles else []
    links += [(name, MetricRole.SECONDARY) for name in roles.get("secondary", [])]
    links += [(name, MetricRole.GUARDRAIL) for name in roles.get("guardrail", [])]
    for name, role in links:
        experiment_metric_attach(
            experiment=experiment, metric=demo.metrics[name], role=role, user=user
        )


def sprint_record(experiment: Experiment, sprint: Sprint | None, user) -> None:
    # No sprint service exists yet to pull a test into a sprint; record it in the history.
    if sprint is None:
        return
    with recorded_edit(obj=experiment, user=user, summary=f"Pulled into sprint {sprint.number}"):
        experiment.sprint = sprint
        experiment.save(update_fields=["sprint"])


def lifecycle_run(demo: Demo, experiment: Experiment, spec: dict, timeline: Timeline):
    """Run each checked transition, then date its history entry to when it happened."""
    for action in lifecycle_path(spec):
        last_entry = experiment.history.order_by("-id").values_list("id", flat=True).first()
        experiment = lifecycle_step(demo, experiment, spec, action)
        new_entries = experiment.history.filter(id__gt=last_entry or 0)
        new_entries.update(created_at=timeline.stamps[action])
    return experiment


def lifecycle_step(demo: Demo, experiment: Experiment, spec: dict, action: str) -> Experiment:
    lead = demo.leads[experiment.team.name]  # concluding and archiving are the lead's call
    if action == "conclude":
        # The demo concludes a test before its outcome data is loaded; the story has the team
        # decide at the sprint review, on the final numbers.
        reason = DEMO_SHIP_REASON if spec["conclusion"]["decision"] == "ship" else ""
        return experiment_conclude(
            experiment=experiment, user=lead, reason=reason, **spec["conclusion"]
        )
    user = lead if action == "archive" else demo.users[spec["owner"]]
    return experiment_transition(experiment=experiment, user=user, action=action)
