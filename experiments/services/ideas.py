"""Writing ideas to the backlog."""

from django.db import transaction

from experiments.models import Idea
from experiments.services.history import recorded_edit
from experiments.services.tags import tags_get_or_create

IDEA_EDITABLE_FIELDS = (
    "title", "insight", "proposed_change", "audience", "channel", "status",
    "impact", "confidence", "ease", "reach", "effort",
)  # fmt: skip


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
