import pytest
from django.core.exceptions import ValidationError

from experiments.models import Decision, Experiment
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from sprints.models import Sprint
from sprints.services import (
    experiment_add_to_sprint,
    experiment_remove_from_sprint,
    sprint_activate,
    sprint_board_move,
    sprint_close,
    sprint_create,
    sprint_start_review,
    sprint_update,
)
from tests.sprints.conftest import days, today

Status = Experiment.Status


def messages_of(raised) -> list[str]:
    return raised.value.messages


def test_new_sprint_takes_the_next_number_and_the_team_length(people, sprint):
    assert (sprint.number, sprint.status) == (1, Sprint.Status.PLANNING)
    assert sprint.ends_on == today() + days(20)  # 21 days, the last one included
    following = sprint_create(
        team=people.team, user=people.lead, data={"starts_on": sprint.ends_on + days(1)}
    )
    assert following.number == 2


def test_sprint_ending_before_it_starts_is_refused_in_words(people):
    with pytest.raises(ValidationError) as refused:
        sprint_create(
            team=people.team,
            user=people.lead,
            data={"starts_on": today(), "ends_on": today() - days(1)},
        )
    assert messages_of(refused) == ["A sprint must end after the day it starts."]
    assert not Sprint.objects.exists()


def test_duplicate_number_is_refused_in_words(people, sprint):
    with pytest.raises(ValidationError) as refused:
        sprint_create(
            team=people.team, user=people.lead, data={"number": 1, "starts_on": today() + days(30)}
        )
    assert messages_of(refused) == ["The team already has a sprint with this number."]
    assert Sprint.objects.count() == 1


def test_overlapping_dates_are_refused_but_another_team_may_use_them(people, sprint):
    start = sprint.ends_on  # the last day of sprint 1 is taken
    with pytest.raises(ValidationError) as refused:
        sprint_create(team=people.team, user=people.lead, data={"starts_on": start})
    first, last = sprint.starts_on.strftime("%-d %b %Y"), sprint.ends_on.strftime("%-d %b %Y")
    assert refused.value.message_dict == {
        "starts_on": [f"The dates overlap sprint 1 of the team ({first} – {last})."]
    }
    sprint_create(team=people.other_team, user=people.outside_lead, data={"starts_on": start})
    assert Sprint.objects.filter(team=people.team).count() == 1


def test_one_active_sprint_per_team(people, sprint):
    sprint_activate(sprint=sprint, user=people.lead)
    following = sprint_create(
        team=people.team, user=people.lead, data={"starts_on": sprint.ends_on + days(1)}
    )
    with pytest.raises(ValidationError) as refused:
        sprint_activate(sprint=following, user=people.lead)
    assert messages_of(refused) == ["The team already has an active sprint: sprint 1."]
    following.refresh_from_db()
    assert following.status == Sprint.Status.PLANNING


def test_pulling_a_draft_plans_it_through_the_lifecycle(people, sprint, make_test):
    experiment = experiment_add_to_sprint(sprint=sprint, experiment=make_test(), user=people.lead)
    experiment.refresh_from_db()
    assert (experiment.status, experiment.sprint) == (Status.PLANNED, sprint)
    assert experiment.history.first().summary == "Plan"


def test_pulling_an_undocumented_draft_gives_the_lifecycle_message(people, sprint, make_test):
    experiment = make_test(hypothesis_effect="")
    with pytest.raises(ValidationError) as refused:
        experiment_add_to_sprint(sprint=sprint, experiment=experiment, user=people.lead)
    assert messages_of(refused) == [
        "The test cannot be planned yet. It still needs the expected effect (“will …”)."
    ]
    experiment.refresh_from_db()
    assert (experiment.status, experiment.sprint) == (Status.DRAFT, None)


def test_plan_outside_a_sprint_asks_for_one(people, make_test):
    experiment = make_test()
    with pytest.raises(ValidationError) as refused:
        experiment_transition(experiment=experiment, user=people.owner, action="plan")
    assert messages_of(refused) == [
        "The test cannot be planned yet. It still needs a sprint (pull it into one from the "
        "sprint planning page)."
    ]


def test_a_test_of_another_team_cannot_be_pulled(people, sprint, make_test):
    other = sprint_create(
        team=people.other_team, user=people.outside_lead, data={"starts_on": today()}
    )
    experiment = make_test()
    with pytest.raises(ValidationError) as refused:
        experiment_add_to_sprint(sprint=other, experiment=experiment, user=people.admin)
    assert messages_of(refused) == ["The test belongs to Web Growth, not to CRM."]


def test_removing_a_planned_test_sends_it_back_to_draft(people, sprint, make_test):
    experiment = experiment_add_to_sprint(sprint=sprint, experiment=make_test(), user=people.lead)
    experiment_remove_from_sprint(sprint=sprint, experiment=experiment, user=people.lead)
    experiment.refresh_from_db()
    assert (experiment.status, experiment.sprint) == (Status.DRAFT, None)


def test_a_running_test_stays_in_its_sprint(people, sprint, make_test):
    experiment = experiment_add_to_sprint(sprint=sprint, experiment=make_test(), user=people.lead)
    experiment_transition(experiment=experiment, user=people.owner, action="start")
    with pytest.raises(ValidationError) as refused:
        experiment_remove_from_sprint(sprint=sprint, experiment=experiment, user=people.lead)
    assert messages_of(refused) == [
        "This test is running, so it stays in its sprint; the review carries it over if it is "
        "unfinished."
    ]
    experiment.refresh_from_db()
    assert experiment.sprint == sprint


def test_board_move_runs_the_lifecycle_check_with_its_message(people, sprint, make_test):
    experiment = experiment_add_to_sprint(sprint=sprint, experiment=make_test(), user=people.lead)
    with pytest.raises(ValidationError) as refused:
        sprint_board_move(sprint=sprint, experiment=experiment, user=people.lead, action="stop")
    assert messages_of(refused) == ["A planned test cannot be stopped."]
    moved = sprint_board_move(
        sprint=sprint, experiment=experiment, user=people.lead, action="start"
    )
    moved.refresh_from_db()
    assert moved.status == Status.RUNNING
    assert moved.started_at is not None


def review_ready(people, sprint, make_test):
    """An active sprint with one concluded test and one still running, now in review."""
    sprint_activate(sprint=sprint, user=people.lead)
    won = experiment_add_to_sprint(sprint=sprint, experiment=make_test("Won"), user=people.lead)
    open_test = experiment_add_to_sprint(
        sprint=sprint, experiment=make_test("Still running"), user=people.lead
    )
    for experiment in (won, open_test):
        experiment_transition(experiment=experiment, user=people.owner, action="start")
    experiment_conclude(
        experiment=won,
        user=people.lead,
        decision=Decision.SHIP,
        learning="Yes.",
        reason="No data needed here.",
    )
    return sprint_start_review(sprint=sprint, user=people.lead), won, open_test


def test_closing_the_review_carries_unfinished_tests_over_and_freezes(people, sprint, make_test):
    sprint, won, open_test = review_ready(people, sprint, make_test)
    sprint_close(sprint=sprint, user=people.lead, review_notes=" Good sprint. ", action_items="X")
    sprint.refresh_from_db()
    open_test.refresh_from_db()
    assert (sprint.status, sprint.review_notes, sprint.action_items) == (
        "closed",
        "Good sprint.",
        "X",
    )
    assert sprint.closed_at is not None
    assert list(sprint.carried_over.all()) == [open_test]
    assert open_test.sprint is None
    assert list(sprint.experiments.all()) == [won]


def test_a_closed_sprint_refuses_every_change(people, sprint, make_test):
    sprint, won, open_test = review_ready(people, sprint, make_test)
    sprint_close(sprint=sprint, user=people.lead, review_notes="Done.")
    frozen = ["Sprint 1 is closed: its record can no longer change."]
    with pytest.raises(ValidationError) as refused:
        sprint_update(sprint=sprint, user=people.lead, data={"goal": "Rewrite history"})
    assert messages_of(refused) == frozen
    with pytest.raises(ValidationError) as refused:
        experiment_add_to_sprint(sprint=sprint, experiment=open_test, user=people.lead)
    assert messages_of(refused) == frozen
    with pytest.raises(ValidationError) as refused:
        sprint_board_move(sprint=sprint, experiment=won, user=people.lead, action="archive")
    assert messages_of(refused) == frozen
    sprint.refresh_from_db()
    won.refresh_from_db()
    assert (sprint.goal, won.status) == ("", Status.CONCLUDED)


def test_review_cannot_close_without_notes(people, sprint, make_test):
    sprint, *_ = review_ready(people, sprint, make_test)
    with pytest.raises(ValidationError) as refused:
        sprint_close(sprint=sprint, user=people.lead, review_notes="  ")
    assert refused.value.message_dict == {
        "review_notes": ["Write the notes of the review meeting before closing it."]
    }
    sprint.refresh_from_db()
    assert sprint.status == Sprint.Status.IN_REVIEW


def test_only_a_sprint_in_review_closes(people, sprint):
    with pytest.raises(ValidationError) as refused:
        sprint_close(sprint=sprint, user=people.lead, review_notes="Too early.")
    assert messages_of(refused) == ["Only a sprint in review can be closed; this one is Planning."]
