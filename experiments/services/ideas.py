"""Writing ideas to the backlog."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from experiments.models import Experiment, Idea
from experiments.services.history import recorded_edit
from experiments.services.tags import tags_get_or_create
from growthlab.rest import idempotency

STILL_BEING_CREATED = _("This test is still being created: open the idea again in a moment.")

IDEA_EDITABLE_FIELDS = (
    "title",
    "insight",
    "proposed_change",
    "audience",
    "channel",
    "status",
    "impact",
    "confidence",
    "ease",
    "reach",
    "effort",
)


def idea_assign(idea: Idea, data: dict) -> None:
    unknown = set(data) - set(IDEA_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable on an idea: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(idea, name, value)


@transaction.atomic
def idea_create(*, team, author, data: dict, tags: list[str] | None = None) -> Idea:
    """Add an idea to the team's backlog; raise ValidationError naming a bad field."""
    idea = Idea(team=team, author=author)
    idea_assign(idea, data)
    idea.full_clean()
    with recorded_edit(obj=idea, user=author, summary="Created the idea"):
        idea.save()
        idea.tags.set(tags_get_or_create(tags or []))
    return idea


@transaction.atomic
def idea_update(*, idea: Idea, user, data: dict, tags: list[str] | None = None) -> Idea:
    """Change an idea's documentation and keep the change in its history."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    with recorded_edit(obj=idea, user=user, summary="Edited the idea"):
        idea_assign(idea, data)
        idea.full_clean()
        idea.save()
        if tags is not None:
            idea.tags.set(tags_get_or_create(tags))
    return idea


def idea_turn_into_test(*, idea: Idea, user, once_key: str = "") -> tuple[Experiment, bool]:
    """Turn the idea into a draft test, once per ``once_key``; return it and whether it is new.

    The page's button carries a key made when the page was drawn, so a double click or a
    retried request opens the test the first one made instead of making another. Without a key
    every call makes a test (an idea may well be tested twice, on purpose).
    """
    from experiments.services.experiments import experiment_create_from_idea

    if not once_key:
        return experiment_create_from_idea(idea=idea, user=user), True
    place = idempotency.store_key(user_id=user.pk, path=f"idea-to-test:{idea.pk}", key=once_key)
    first = idempotency.claim(place)
    if first == idempotency.PENDING:
        raise ValidationError(STILL_BEING_CREATED)
    if first is not None:
        return Experiment.objects.get(pk=first["experiment"]), False
    try:
        experiment = experiment_create_from_idea(idea=idea, user=user)
    except Exception:
        idempotency.forget(place)
        raise
    idempotency.remember(place, {"experiment": experiment.pk})
    return experiment, True
