"""A model rule's refusal ("A sprint must end after the day it starts.") in the reader's language.

The message is looked up when a form or service reports the violation, so it must be a lazy
translation on the constraint, not a string fixed when the model was imported.
"""

from django.apps import apps
from django.db.models import BaseConstraint
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import override

from sprints.models import Sprint

DEFAULT_MESSAGE = BaseConstraint.default_violation_error_message


def constraint_messages() -> dict[str, object]:
    """{model.constraint: its message} for GrowthLab's constraints with a message of their own."""
    return {
        f"{model._meta.label}.{constraint.name}": constraint.violation_error_message
        for model in apps.get_models()
        if not model.__module__.startswith("django.")
        for constraint in model._meta.constraints
        if constraint.violation_error_message != DEFAULT_MESSAGE
    }


def test_every_constraint_message_of_ours_is_translatable():
    messages = constraint_messages()
    assert len(messages) > 30
    assert [name for name, m in messages.items() if not isinstance(m, Promise)] == []


def test_each_constraint_message_reads_in_finnish_swedish_and_dutch():
    messages = constraint_messages()
    with override("en-gb"):
        english = {name: str(m) for name, m in messages.items()}
    for language in ("fi", "sv", "nl"):
        with override(language):
            same = [name for name, m in messages.items() if str(m) == english[name]]
        assert same == [], language


def test_a_finnish_lead_reads_the_sprint_date_rule_in_finnish(client, people):
    people.lead.language = "fi"
    people.lead.save(update_fields=["language"])
    client.force_login(people.lead)
    data = {"team": people.team.pk, "starts_on": "2026-03-10", "ends_on": "2026-03-01"}
    response = client.post(reverse("sprints:create"), data)
    assert response.status_code == 400
    assert "Sprintin on päätyttävä sen alkamispäivän jälkeen." in response.text
    assert "A sprint must end after the day it starts." not in response.text
    assert not Sprint.objects.exists()
