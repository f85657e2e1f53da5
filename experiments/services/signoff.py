"""Sign-off: a team lead approves a test's start, or a change to a running test, first.

Each request, approval and refusal is a history entry of the test, and is announced through
``experiments.signals.signoff_changed`` once committed, for the alerts to pick up.
"""

import datetime
import decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from experiments.models import Experiment, SignoffPolicy, SignoffRequest
from experiments.services.history import history_record
from experiments.signals import signoff_changed

Kind, State = SignoffRequest.Kind, SignoffRequest.Status

START_NEEDS_SIGNOFF = _(
    "This test cannot start yet: {team} asks a team lead to sign off before a test starts,"
    " and nobody has approved this one. Ask for sign-off on the test's page."
)
START_WAITING = _(
    "This test cannot start yet: the sign-off asked for on {date} is still waiting for a team"
    " lead of {team}."
)
START_REFUSED = _(
    "This test cannot start: a team lead refused the sign-off ({reason}). Change what was"
    " asked, then ask for sign-off again."
)
EDIT_NEEDS_SIGNOFF = _(
    "A team lead signs off changes to this running test: ask for sign-off with the change"
    " instead of saving it directly."
)
NOT_REQUIRED = _("{team} does not ask for sign-off of this, so there is nothing to approve.")
ALREADY_WAITING = _("A sign-off of this kind is already waiting for a team lead.")
NOT_WAITING = _("This sign-off was already {state}; it can no longer be decided.")
NO_START_NOW = _("Only a draft or planned test can ask for sign-off to start.")
NO_EDIT_NOW = _("Only a running test's changes wait for sign-off.")
REFUSAL_NEEDS_REASON = _("Say why the sign-off is refused: the team reads it in the history.")


def policy_of(team) -> SignoffPolicy:
    return SignoffPolicy.objects.filter(team=team).first() or SignoffPolicy(team=team)


@transaction.atomic
def signoff_policy_update(*, team, user, before_start: bool, before_running_edit: bool):
    policy, _created = SignoffPolicy.objects.get_or_create(team=team)
    policy.before_start, policy.before_running_edit = before_start, before_running_edit
    policy.save()
    return policy


def start_refusal(experiment: Experiment, user) -> str | None:
    """Why this person may not start this test for want of sign-off (None when they may).

    A team lead's own start is its sign-off.
    """
    if not policy_of(experiment.team).before_start or access.can_sign_off(user, experiment):
        return None
    requests = experiment.signoff_requests.filter(kind=Kind.START)
    if requests.filter(status=State.APPROVED).exists():
        return None
    team = experiment.team
    if pending := requests.filter(status=State.PENDING).first():
        return str(START_WAITING).format(date=f"{pending.requested_at:%d %b %Y}", team=team)
    if refused := requests.filter(status=State.REFUSED).first():
        return str(START_REFUSED).format(reason=refused.reason)
    return str(START_NEEDS_SIGNOFF).format(team=team)


def signoff_use_start(*, experiment: Experiment) -> None:
    """The start carried out the approval: a later restart would need a new one."""
    experiment.signoff_requests.filter(kind=Kind.START, status=State.APPROVED).update(
        status=State.USED
    )


def edit_needs_signoff(experiment: Experiment, user) -> bool:
    return (
        experiment.status == Experiment.Status.RUNNING
        and policy_of(experiment.team).before_running_edit
        and not access.can_sign_off(user, experiment)
    )


def json_value(value):
    if isinstance(value, User):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def proposal_dump(data: dict, tags: list[str] | None, custom_values: dict | None) -> dict:
    return {
        "data": {name: json_value(value) for name, value in data.items()},
        "tags": tags,
        "custom": custom_values,
    }


def proposal_load(proposal: dict) -> dict:
    """The keyword arguments of experiment_update that the proposal stands for."""
    data = {}
    for name, value in proposal["data"].items():
        if name == "owner":
            data[name] = User.objects.filter(pk=value).first() if value else None
        else:
            data[name] = Experiment._meta.get_field(name).to_python(value)
    return {"data": data, "tags": proposal["tags"], "custom_values": proposal["custom"]}


def proposal_lines(signoff: SignoffRequest) -> list[str]:
    """What an edit proposal changes, as "Label: value" lines for the lead to read."""
    if signoff.kind != Kind.EDIT:
        return []
    lines = []
    for name, value in signoff.proposal.get("data", {}).items():
        label = str(Experiment._meta.get_field(name).verbose_name).capitalize()
        lines.append(f"{label}: {value if value not in (None, '') else '(empty)'}")
    if signoff.proposal.get("tags") is not None:
        lines.append(f"Tags: {', '.join(signoff.proposal['tags']) or '(none)'}")
    for key, value in (signoff.proposal.get("custom") or {}).items():
        lines.append(f"{key}: {value or '(empty)'}")
    return lines


def announce(signoff: SignoffRequest, action: str) -> None:
    # robust: the sign-off stands even when telling people about it fails (logged).
    transaction.on_commit(
        lambda: signoff_changed.send(sender=SignoffRequest, signoff=signoff, action=action),
        robust=True,
    )


@transaction.atomic
def signoff_request(
    *, experiment: Experiment, user, kind: str, proposal: dict | None = None
) -> SignoffRequest:
    """Ask the team's leads to sign off a start, or a change (``proposal``) to a running test."""
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    policy = policy_of(experiment.team)
    if kind == Kind.START:
        if experiment.status not in (Experiment.Status.DRAFT, Experiment.Status.PLANNED):
            raise ValidationError(NO_START_NOW)
        required = policy.before_start
    else:
        if experiment.status != Experiment.Status.RUNNING:
            raise ValidationError(NO_EDIT_NOW)
        required = policy.before_running_edit
    if not required:
        raise ValidationError(str(NOT_REQUIRED).format(team=experiment.team))
    try:
        with transaction.atomic():
            signoff = SignoffRequest.objects.create(
                experiment=experiment, kind=kind, requested_by=user, proposal=proposal or {}
            )
    except IntegrityError:
        raise ValidationError(ALREADY_WAITING) from None
    changes = [
        {"field": "signoff", "label": "Change asked for", "old": "", "new": line}
        for line in proposal_lines(signoff)
    ]
    history_record(
        obj=experiment,
        user=user,
        summary=f"Asked a team lead to sign off: {signoff.get_kind_display().lower()}",
        changes=changes,
    )
    announce(signoff, "requested")
    return signoff


def locked_pending(signoff: SignoffRequest) -> SignoffRequest:
    signoff = SignoffRequest.objects.select_for_update().get(pk=signoff.pk)
    if signoff.status != State.PENDING:
        state = signoff.get_status_display().lower()
        raise ValidationError(str(NOT_WAITING).format(state=state))
    return signoff


@transaction.atomic
def signoff_approve(*, signoff: SignoffRequest, user) -> SignoffRequest:
    """Approve; an approved change to a running test is applied now, in the requester's name."""
    from experiments.services.experiments import experiment_update

    signoff = locked_pending(signoff)
    signoff.status, signoff.decided_by, signoff.decided_at = State.APPROVED, user, timezone.now()
    history_record(
        obj=signoff.experiment,
        user=user,
        summary=f"Signed off: {signoff.get_kind_display().lower()}",
    )
    if signoff.kind == Kind.EDIT:
        experiment_update(
            experiment=signoff.experiment,
            user=signoff.requested_by,
            signed_off_by=user,
            **proposal_load(signoff.proposal),
        )
        signoff.status = State.USED
    signoff.save()
    announce(signoff, "approved")
    return signoff


@transaction.atomic
def signoff_refuse(*, signoff: SignoffRequest, user, reason: str) -> SignoffRequest:
    if not reason.strip():
        raise ValidationError({"reason": [str(REFUSAL_NEEDS_REASON)]})
    signoff = locked_pending(signoff)
    signoff.status, signoff.decided_by, signoff.decided_at = State.REFUSED, user, timezone.now()
    signoff.reason = reason.strip()
    signoff.save()
    history_record(
        obj=signoff.experiment,
        user=user,
        summary=f"Refused the sign-off: {signoff.get_kind_display().lower()}",
        changes=[{"field": "reason", "label": "Why", "old": "", "new": signoff.reason}],
    )
    announce(signoff, "refused")
    return signoff
