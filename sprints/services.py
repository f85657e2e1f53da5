"""Every write to a sprint: create, plan its tests, run it, review it and freeze it.

A closed sprint is the record of what happened; every service here refuses to change it.
Lifecycle moves of the tests themselves go through experiments.services.lifecycle, so the
sprint board and the experiment page check and word them the same way.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from experiments.models import Experiment, Idea
from experiments.services.experiments import experiment_create_from_idea
from experiments.services.lifecycle import experiment_transition, locked
from sprints.models import Sprint

Status = Sprint.Status
Open = Experiment.Status

SPRINT_FROZEN = _("Sprint {number} is closed: its record can no longer change.")
SPRINT_OVERLAPS = _("The dates overlap sprint {number} of the team ({starts} – {ends}).")
SPRINT_NOT_STARTABLE = _("Only a sprint in planning can start; this one is {status}.")
SPRINT_ALREADY_ACTIVE = _("The team already has an active sprint: sprint {number}.")
SPRINT_NOT_REVIEWABLE = _("Only an active sprint can go to its review; this one is {status}.")
SPRINT_NOT_CLOSABLE = _("Only a sprint in review can be closed; this one is {status}.")
NOTES_REQUIRED = _("Write the notes of the review meeting before closing it.")
OTHER_TEAM = _("The test belongs to {team}, not to {sprint_team}.")
ALREADY_IN_SPRINT = _("The test is already in sprint {number}.")
IN_OTHER_SPRINT = _("The test is in sprint {number}; remove it there first.")
NOT_PULLABLE = _("This test is {status} and cannot be pulled into a sprint.")
NOT_IN_SPRINT = _("The test is not in this sprint.")
STAYS_IN_SPRINT = _(
    "This test is {status}, so it stays in its sprint; the review carries it over if it is "
    "unfinished."
)
PULLABLE = frozenset({Open.DRAFT, Open.PLANNED, Open.RUNNING, Open.ANALYSING})
UNFINISHED = frozenset({Open.DRAFT, Open.PLANNED, Open.RUNNING, Open.ANALYSING})


def status_lower(experiment: Experiment) -> str:
    """The test's status inside a sentence: "running", "käynnissä"."""
    return experiment.get_status_display().lower()


def ensure_open(sprint: Sprint) -> None:
    if sprint.is_frozen:
        raise ValidationError(SPRINT_FROZEN.format(number=sprint.number))


def locked_sprint(sprint: Sprint) -> Sprint:
    # Re-read under a lock: two leads planning the same sprint must not interleave.
    return Sprint.objects.select_for_update().select_related("team").get(pk=sprint.pk)


def overlap_check(sprint: Sprint) -> None:
    """A team runs one sprint at a time: its sprints' days may not overlap (ends are inclusive)."""
    others = Sprint.objects.filter(
        team_id=sprint.team_id, starts_on__lte=sprint.ends_on, ends_on__gte=sprint.starts_on
    ).exclude(pk=sprint.pk)
    if other := others.order_by("starts_on").first():
        starts, ends = date_format(other.starts_on), date_format(other.ends_on)
        raise ValidationError(
            {"starts_on": SPRINT_OVERLAPS.format(number=other.number, starts=starts, ends=ends)}
        )


def next_number(team: Team) -> int:
    latest = Sprint.objects.filter(team=team).order_by("-number").first()
    return latest.number + 1 if latest else 1


def default_end(team: Team, starts_on: date) -> date:
    """The last day of a sprint of the team's length that starts on `starts_on`."""
    return starts_on + timedelta(days=team.sprint_length_days - 1)


@transaction.atomic
def sprint_create(*, team: Team, user, data: dict) -> Sprint:
    """Create a sprint in planning; number and end default to the team's next and its length."""
    # Lock the team row so two leads cannot take the same number at once.
    team = Team.objects.select_for_update().get(pk=team.pk)
    sprint = Sprint(team=team, status=Status.PLANNING, **data)
    sprint.number = sprint.number or next_number(team)
    if sprint.starts_on and not sprint.ends_on:
        sprint.ends_on = default_end(team, sprint.starts_on)
    sprint.full_clean()
    overlap_check(sprint)
    sprint.save()
    return sprint


@transaction.atomic
def sprint_update(*, sprint: Sprint, user, data: dict) -> Sprint:
    """Change the goal or the dates of a sprint that is not closed."""
    sprint = locked_sprint(sprint)
    ensure_open(sprint)
    for name, value in data.items():
        setattr(sprint, name, value)
    sprint.full_clean()
    overlap_check(sprint)
    sprint.save()
    return sprint


@transaction.atomic
def sprint_activate(*, sprint: Sprint, user) -> Sprint:
    """Start the sprint: planning → active, one active sprint per team."""
    sprint = locked_sprint(sprint)
    if sprint.status != Status.PLANNING:
        raise ValidationError(SPRINT_NOT_STARTABLE.format(status=sprint.get_status_display()))
    active = Sprint.objects.filter(team_id=sprint.team_id, status=Status.ACTIVE).first()
    if active is not None:
        raise ValidationError(SPRINT_ALREADY_ACTIVE.format(number=active.number))
    sprint.status = Status.ACTIVE
    sprint.save(update_fields=["status"])
    return sprint


@transaction.atomic
def sprint_start_review(*, sprint: Sprint, user) -> Sprint:
    """The sprint is over: active → in review, the agenda of the review meeting."""
    sprint = locked_sprint(sprint)
    if sprint.status != Status.ACTIVE:
        raise ValidationError(SPRINT_NOT_REVIEWABLE.format(status=sprint.get_status_display()))
    sprint.status = Status.IN_REVIEW
    sprint.save(update_fields=["status"])
    return sprint


@transaction.atomic
def sprint_close(*, sprint: Sprint, user, review_notes: str, action_items: str = "") -> Sprint:
    """Record the review meeting, carry unfinished tests over, and freeze the sprint."""
    sprint = locked_sprint(sprint)
    if sprint.status != Status.IN_REVIEW:
        raise ValidationError(SPRINT_NOT_CLOSABLE.format(status=sprint.get_status_display()))
    if not review_notes.strip():
        raise ValidationError({"review_notes": NOTES_REQUIRED})
    unfinished = list(sprint.experiments.filter(status__in=UNFINISHED))
    sprint.carried_over.set(unfinished)
    # They leave the frozen sprint so that the next sprint can pull them in.
    sprint.experiments.filter(pk__in=[e.pk for e in unfinished]).update(sprint=None)
    sprint.review_notes = review_notes.strip()
    sprint.action_items = action_items.strip()
    sprint.status = Status.CLOSED
    sprint.closed_at = timezone.now()
    sprint.save(update_fields=["review_notes", "action_items", "status", "closed_at"])
    return sprint


def pull_check(sprint: Sprint, experiment: Experiment) -> None:
    ensure_open(sprint)
    if experiment.team_id != sprint.team_id:
        raise ValidationError(OTHER_TEAM.format(team=experiment.team, sprint_team=sprint.team))
    if experiment.sprint_id == sprint.pk:
        raise ValidationError(ALREADY_IN_SPRINT.format(number=sprint.number))
    if experiment.sprint_id is not None:
        raise ValidationError(IN_OTHER_SPRINT.format(number=experiment.sprint.number))
    if experiment.status not in PULLABLE:
        raise ValidationError(NOT_PULLABLE.format(status=status_lower(experiment)))


@transaction.atomic
def experiment_add_to_sprint(*, sprint: Sprint, experiment: Experiment, user) -> Experiment:
    """Pull a test into the sprint; a draft is planned by the checked lifecycle transition."""
    sprint = locked_sprint(sprint)
    experiment = locked(experiment)
    pull_check(sprint, experiment)
    experiment.sprint = sprint
    experiment.save(update_fields=["sprint", "updated_at"])
    if experiment.status == Open.DRAFT:
        # Raises with the lifecycle's own message; the atomic block undoes the sprint link.
        experiment = experiment_transition(experiment=experiment, user=user, action="plan")
    return experiment


@transaction.atomic
def idea_add_to_sprint(*, sprint: Sprint, idea: Idea, user) -> Experiment:
    """Turn a backlog idea into a draft test in the sprint, to be written and then planned."""
    sprint = locked_sprint(sprint)
    ensure_open(sprint)
    if idea.team_id != sprint.team_id:
        raise ValidationError(OTHER_TEAM.format(team=idea.team, sprint_team=sprint.team))
    experiment = experiment_create_from_idea(idea=idea, user=user)
    experiment.sprint = sprint
    experiment.save(update_fields=["sprint", "updated_at"])
    return experiment


@transaction.atomic
def experiment_remove_from_sprint(*, sprint: Sprint, experiment: Experiment, user) -> Experiment:
    """Take a test that has not started out of the sprint; a planned one goes back to draft."""
    sprint = locked_sprint(sprint)
    ensure_open(sprint)
    experiment = locked(experiment)
    if experiment.sprint_id != sprint.pk:
        raise ValidationError(NOT_IN_SPRINT)
    if experiment.status not in (Open.DRAFT, Open.PLANNED):
        raise ValidationError(STAYS_IN_SPRINT.format(status=status_lower(experiment)))
    if experiment.status == Open.PLANNED:
        experiment = experiment_transition(experiment=experiment, user=user, action="unplan")
    experiment.sprint = None
    experiment.save(update_fields=["sprint", "updated_at"])
    return experiment


@transaction.atomic
def sprint_board_move(*, sprint: Sprint, experiment: Experiment, user, action: str) -> Experiment:
    """Move a card: the same checked transition, with the same messages, as the test's page."""
    sprint = locked_sprint(sprint)
    ensure_open(sprint)
    if experiment.sprint_id != sprint.pk:
        raise ValidationError(NOT_IN_SPRINT)
    return experiment_transition(experiment=experiment, user=user, action=action)
