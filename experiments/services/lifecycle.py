"""The checked lifecycle of a test: draft → planned → running → analysing → concluded → archived.

Every transition re-reads the experiment under a lock, checks its preconditions and names
what is missing in words a marketer understands, then records itself in the history.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from experiments.measured import measured_result
from experiments.models import Decision, Experiment, Idea, MetricRole
from experiments.services.custom_fields import required_blockers
from experiments.services.history import recorded_edit
from experiments.services.signoff import signoff_use_start, start_refusal

Status = Experiment.Status

TRANSITION_NOT_ALLOWED = "{a_status} test cannot be {verb}."
START_BLOCKED = "The test cannot {verb} yet. It still needs {missing}."
CONCLUDE_BLOCKED = "The test cannot be concluded yet. It still needs {missing}."
SHIP_NEEDS_REASON = (
    "Shipping now needs a reason, because {concerns}. Write why the team ships anyway; it is"
    " kept in the test's history."
)
# "Planned" means "in a sprint": the sprint planning page pulls a test in and plans it.
NEEDS_SPRINT = "a sprint (pull it into one from the sprint planning page)"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # the button, in English: pages translate it ({% translate transition.label %})
    verb: str  # "A draft test cannot be <verb>."
    sources: frozenset[str]
    target: str


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "plan", gettext_noop("Plan"), "planned", frozenset({Status.DRAFT}), Status.PLANNED
        ),
        Transition(
            "unplan",
            gettext_noop("Back to draft"),
            "moved back to draft",
            frozenset({Status.PLANNED}),
            Status.DRAFT,
        ),
        Transition(
            "start",
            gettext_noop("Start test"),
            "started",
            frozenset({Status.DRAFT, Status.PLANNED}),
            Status.RUNNING,
        ),
        Transition(
            "stop",
            gettext_noop("Stop and analyse"),
            "stopped",
            frozenset({Status.RUNNING}),
            Status.ANALYSING,
        ),
        Transition(
            "conclude",
            gettext_noop("Conclude"),
            "concluded",
            frozenset({Status.RUNNING, Status.ANALYSING}),
            Status.CONCLUDED,
        ),
        Transition(
            "archive",
            gettext_noop("Archive"),
            "archived",
            frozenset({Status.DRAFT, Status.PLANNED, Status.CONCLUDED}),
            Status.ARCHIVED,
        ),
    )
}


def join_missing(missing: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    if len(missing) == 1:
        return missing[0]
    return ", ".join(missing[:-1]) + " and " + missing[-1]


def hypothesis_blockers(experiment: Experiment) -> list[str]:
    parts = [
        (experiment.hypothesis_insight, "the insight behind the hypothesis (“Because we saw …”)"),
        (experiment.hypothesis_change, "the change the hypothesis tests (“we believe that …”)"),
        (experiment.hypothesis_effect, "the expected effect (“will …”)"),
        (experiment.mde_relative, "a minimum detectable effect"),
    ]
    return [label for value, label in parts if value in (None, "")]


def variant_blockers(experiment: Experiment) -> list[str]:
    variants = list(experiment.variants.all())
    missing = []
    if not any(v.is_control for v in variants):
        missing.append("a control variant")
    if not any(not v.is_control for v in variants):
        missing.append("at least one treatment variant")
    total = sum((v.traffic_share for v in variants), Decimal(0))
    if variants and total != 100:
        missing.append(f"traffic shares that add up to 100% (now {total.normalize():f}%)")
    return missing


def start_blockers(experiment: Experiment, target: str = Status.RUNNING) -> list[str]:
    """Return what the test still needs before it may be planned or started."""
    missing = hypothesis_blockers(experiment) + variant_blockers(experiment)
    if not experiment.experiment_metrics.filter(role=MetricRole.PRIMARY).exists():
        missing.append("a primary metric")
    if not experiment.plan_sample_size_per_variant:
        missing.append("a sample-size plan")
    missing += required_blockers(experiment, target)
    if target == Status.RUNNING:
        missing += checklist_blockers(experiment)
    return missing


def checklist_blockers(experiment: Experiment) -> list[str]:
    """The pre-launch checklist from the template: every item is ticked before the start."""
    open_items = [item.text for item in experiment.checklist.all() if item.done_at is None]
    if not open_items:
        return []
    quoted = ", ".join(f"“{text}”" for text in open_items)
    return [f"the pre-launch checklist ticked ({len(open_items)} open: {quoted})"]


def conclude_blockers(*, decision: str, learning: str) -> list[str]:
    missing = []
    if decision not in Decision.values:
        missing.append("a decision (ship, iterate, abandon or inconclusive)")
    if not learning.strip():
        missing.append("a written learning")
    return missing


def ship_concerns(experiment: Experiment) -> list[str]:
    """Why a "ship" now would go beyond what the stored results show: no winner yet, or a
    guardrail whose harm is not known (not analysed, no data, a broken split)."""
    measured = measured_result(experiment)
    concerns = []
    if measured.status != "ship":
        concerns.append(f"the results do not name a winner yet ({measured.headline})")
    if measured.unknown_guardrails:
        names = ", ".join(measured.unknown_guardrails)
        concerns.append(f"the guardrail {names} is not known to be unharmed")
    return concerns


def status_with_article(experiment: Experiment) -> str:
    """'A draft', 'An analysing', 'An archived': the status as the start of a sentence."""
    label = experiment.get_status_display().lower()
    return f"{'An' if label[0] in 'aeiou' else 'A'} {label}"


def transition_check(experiment: Experiment, transition: Transition) -> None:
    if experiment.status not in transition.sources:
        raise ValidationError(
            TRANSITION_NOT_ALLOWED.format(
                a_status=status_with_article(experiment), verb=transition.verb
            )
        )
    if transition.action in ("plan", "start"):
        verb = "be planned" if transition.action == "plan" else "start"
        missing = start_blockers(experiment, transition.target)
        if transition.action == "plan" and experiment.sprint_id is None:
            missing.append(NEEDS_SPRINT)
        if missing:
            raise ValidationError(START_BLOCKED.format(verb=verb, missing=join_missing(missing)))


def locked(experiment: Experiment) -> Experiment:
    # Re-read under a lock: a teammate may have changed it since this page was rendered.
    return Experiment.objects.select_for_update().get(pk=experiment.pk)


@transaction.atomic
def experiment_transition(
    *, experiment: Experiment, user, action: str, **details: str
) -> Experiment:
    """Run one checked transition; raise ValidationError naming what blocks it."""
    transition = TRANSITIONS[action]
    if action == "conclude":
        return experiment_conclude(experiment=experiment, user=user, **details)
    experiment = locked(experiment)
    transition_check(experiment, transition)
    if action == "start" and (refusal := start_refusal(experiment, user)):
        raise ValidationError(refusal)
    with recorded_edit(obj=experiment, user=user, summary=f"{transition.label}"):
        experiment.status = transition.target
        stamp_transition(experiment, transition.target)
        experiment.save()
    if action == "start":
        signoff_use_start(experiment=experiment)
    return experiment


def stamp_transition(experiment: Experiment, target: str) -> None:
    now = timezone.now()
    if target == Status.RUNNING:
        experiment.started_at = now
    elif target == Status.ANALYSING:
        experiment.stopped_at = now
    elif target == Status.ARCHIVED:
        experiment.archived_at = now


@transaction.atomic
def experiment_conclude(
    *,
    experiment: Experiment,
    user,
    decision: str,
    learning: str,
    what_happened: str = "",
    why: str = "",
    next_test: str = "",
    reason: str = "",
) -> Experiment:
    """Record the decision, the learning and the post-mortem, and conclude the test.

    Shipping before the results name a winner, or with a guardrail not known to be unharmed,
    needs a ``reason``; it is recorded in the history entry.
    """
    experiment = locked(experiment)
    transition_check(experiment, TRANSITIONS["conclude"])
    missing = conclude_blockers(decision=decision, learning=learning)
    missing += required_blockers(experiment, Status.CONCLUDED)
    if missing:
        raise ValidationError(CONCLUDE_BLOCKED.format(missing=join_missing(missing)))
    concerns = ship_concerns(experiment) if decision == Decision.SHIP else []
    if concerns and not reason.strip():
        message = SHIP_NEEDS_REASON.format(concerns=" and ".join(concerns))
        raise ValidationError({"reason": message})
    with recorded_edit(obj=experiment, user=user, summary="Concluded") as edit:
        experiment.status = Status.CONCLUDED
        experiment.decision = decision
        experiment.learning = learning.strip()
        experiment.postmortem_what_happened = what_happened.strip()
        experiment.postmortem_why = why.strip()
        experiment.postmortem_next_test = next_test.strip()
        now = timezone.now()
        experiment.stopped_at = experiment.stopped_at or now
        experiment.concluded_at = now
        experiment.save()
    if concerns and edit.entry is not None:
        # Kept beside the decision it explains, in the same history entry.
        old = "; ".join(concerns)
        edit.entry.changes.append(
            {"field": "reason", "label": "Why ship now", "old": old, "new": reason.strip()}
        )
        edit.entry.save(update_fields=["changes"])
    if experiment.idea_id is not None:
        idea_mark_tested(idea=experiment.idea, experiment=experiment, user=user)
    return experiment


def idea_mark_tested(*, idea: Idea, experiment: Experiment, user) -> None:
    """The idea leaves "being tested" once its last open test is concluded."""
    if idea.status != Idea.Status.TESTING:
        return  # parked or rejected by hand meanwhile: that choice stands
    still_open = idea.experiments.exclude(status__in=[Status.CONCLUDED, Status.ARCHIVED])
    if still_open.exists():
        return
    with recorded_edit(obj=idea, user=user, summary=f"Tested in “{experiment}”"):
        idea.status = Idea.Status.TESTED
        idea.save(update_fields=["status", "updated_at"])


def available_transitions(experiment: Experiment) -> list[Transition]:
    """The transitions whose source includes the current status (their checks may still fail)."""
    return [t for t in TRANSITIONS.values() if experiment.status in t.sources]


def transition_to(experiment: Experiment, target: str) -> Transition | None:
    """The transition that moves this experiment to `target`, for the sprint board."""
    for transition in available_transitions(experiment):
        if transition.target == target:
            return transition
    return None
