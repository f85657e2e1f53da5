import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from experiments.models import Decision, Experiment, Idea, MetricRole
from experiments.services.experiments import experiment_create_from_idea, experiment_metric_attach
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from tests.factories import experiment_make, idea_make, metric_make


def test_start_is_refused_with_everything_missing_named(people):
    experiment = experiment_make(people)
    with pytest.raises(ValidationError) as refused:
        experiment_transition(experiment=experiment, user=people.owner, action="start")
    assert refused.value.messages == [
        "The test cannot start yet. It still needs the insight behind the hypothesis "
        "(“Because we saw …”), the change the hypothesis tests (“we believe that …”), "
        "the expected effect (“will …”), a minimum detectable effect, a primary metric "
        "and a sample-size plan."
    ]
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.DRAFT
    assert experiment.started_at is None


def test_documented_test_starts_and_records_it(people):
    experiment = experiment_make(people, ready=True)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.RUNNING
    assert experiment.started_at is not None
    latest = experiment.history.first()
    assert latest.summary == "Start test"
    assert latest.user == people.owner
    assert latest.changes == [
        {"field": "status", "label": "Status", "old": "Draft", "new": "Running"}
    ]


def test_conclude_needs_decision_and_learning(people):
    experiment = experiment_make(people, ready=True)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    with pytest.raises(ValidationError) as refused:
        experiment_conclude(experiment=experiment, user=people.lead, decision="", learning=" ")
    assert refused.value.messages == [
        "The test cannot be concluded yet. It still needs a decision (ship, iterate, abandon "
        "or inconclusive) and a written learning."
    ]
    concluded = experiment_conclude(
        experiment=experiment,
        user=people.lead,
        decision=Decision.SHIP,
        learning="It works.",
        reason="Shipped on judgement.",
    )
    assert concluded.status == Experiment.Status.CONCLUDED


def test_an_idea_is_tested_once_its_last_open_test_is_concluded(people):
    idea = idea_make(people)
    first = experiment_create_from_idea(idea=idea, user=people.owner)
    second = experiment_create_from_idea(idea=idea, user=people.owner)
    for experiment in (first, second):
        Experiment.objects.filter(pk=experiment.pk).update(
            status="running", started_at=timezone.now()
        )
    idea.refresh_from_db()
    assert idea.status == Idea.Status.TESTING
    experiment_conclude(experiment=first, user=people.lead, decision="iterate", learning="Close.")
    idea.refresh_from_db()
    assert idea.status == Idea.Status.TESTING  # the second test still runs
    experiment_conclude(
        experiment=second,
        user=people.lead,
        decision="ship",
        learning="Works.",
        reason="Shipped on judgement.",
    )
    idea.refresh_from_db()
    assert idea.status == Idea.Status.TESTED
    assert idea.history.first().summary == f"Tested in “{second}”"


def test_shipping_a_running_test_with_no_winner_and_an_unanalysed_guardrail_needs_a_reason(
    people,
):
    experiment = experiment_make(people, ready=True)
    guardrail = metric_make("Unsubscribes")
    experiment_metric_attach(
        experiment=experiment, metric=guardrail, role=MetricRole.GUARDRAIL, user=people.owner
    )
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    with pytest.raises(ValidationError) as refused:
        experiment_conclude(
            experiment=experiment, user=people.lead, decision=Decision.SHIP, learning="Works."
        )
    assert refused.value.message_dict == {
        "reason": [
            "Shipping now needs a reason, because the results do not name a winner yet (No"
            " results yet) and the guardrail Unsubscribes is not known to be unharmed. Write"
            " why the team ships anyway; it is kept in the test's history."
        ]
    }
    experiment.refresh_from_db()
    assert experiment.status == Experiment.Status.RUNNING and experiment.decision == ""
    experiment_conclude(
        experiment=experiment,
        user=people.lead,
        decision=Decision.SHIP,
        learning="Works.",
        reason="The campaign date is fixed; we accept the risk.",
    )
    entry = experiment.history.get(summary="Concluded")
    why = next(c for c in entry.changes if c["field"] == "reason")
    assert why["new"] == "The campaign date is fixed; we accept the risk."
    assert "Unsubscribes" in why["old"]
