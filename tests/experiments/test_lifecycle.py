import pytest
from django.core.exceptions import ValidationError

from experiments.models import Decision, Experiment
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from tests.factories import experiment_make


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
        experiment=experiment, user=people.lead, decision=Decision.SHIP, learning="It works."
    )
    assert concluded.status == Experiment.Status.CONCLUDED
