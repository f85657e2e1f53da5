"""Writing to the library: a later test confirms or contradicts an earlier learning."""

from django.core.exceptions import ValidationError
from django.db import transaction

from experiments.models import Experiment
from learnings.models import LearningLink

NOT_A_LEARNING = "Only a concluded test with a written learning can be confirmed or contradicted."
NOT_LATER = "The linked test must have concluded after the learning it bears on."
NOT_CONCLUDED = "The linked test must be concluded: evidence comes from a finished test."


@transaction.atomic
def learning_link_create(
    *, learning: Experiment, later_test: Experiment, kind: str, note: str = "", user
) -> LearningLink:
    """Record that a later, concluded test confirms or contradicts a learning."""
    if learning.concluded_at is None or not learning.learning:
        raise ValidationError(NOT_A_LEARNING)
    if later_test.concluded_at is None:
        raise ValidationError({"later_test": NOT_CONCLUDED})
    if later_test.pk != learning.pk and later_test.concluded_at <= learning.concluded_at:
        raise ValidationError({"later_test": NOT_LATER})
    link = LearningLink(
        learning=learning, later_test=later_test, kind=kind, note=note.strip(), created_by=user
    )
    link.full_clean()
    link.save()
    return link
