"""Sprint reviews: read by anyone signed in, closed by a team lead through the service."""

from experiments.models import Experiment
from sprints.models import Sprint
from sprints.services import SPRINT_NOT_CLOSABLE
from tests.factories import experiment_make

NOTES = "Banner tests win on mobile; checkout tests need more traffic."


def sprint_in_review(people) -> tuple[Sprint, Experiment]:
    sprint = Sprint.objects.create(
        team=people.team,
        number=1,
        starts_on="2025-01-06",
        ends_on="2025-01-26",
        status=Sprint.Status.IN_REVIEW,
    )
    unfinished = experiment_make(people, title="Still a draft")
    Experiment.objects.filter(pk=unfinished.pk).update(sprint=sprint)
    return sprint, unfinished


def close(client, sprint, body):
    return client.post(f"/api/v1/sprints/{sprint.pk}/review/close/", body, format="json")


def test_a_lead_closes_the_review_and_unfinished_tests_carry_over(as_user, people):
    sprint, unfinished = sprint_in_review(people)
    response = close(as_user(people.lead), sprint, {"review_notes": NOTES, "action_items": "x"})
    assert response.status_code == 200
    assert response.json() | {"closed_at": None} == {
        "sprint": sprint.pk,
        "number": 1,
        "status": "closed",
        "review_notes": NOTES,
        "action_items": "x",
        "closed_at": None,
        "carried_over": [unfinished.pk],
    }
    sprint.refresh_from_db()
    unfinished.refresh_from_db()
    assert (sprint.status, sprint.review_notes, unfinished.sprint_id) == ("closed", NOTES, None)
    review = as_user(people.viewer).get(f"/api/v1/sprints/{sprint.pk}/review/").json()
    assert review["carried_over"] == [unfinished.pk] and review["closed_at"] is not None


def test_empty_notes_are_named_and_nothing_changes(as_user, people):
    sprint, _ = sprint_in_review(people)
    response = close(as_user(people.lead), sprint, {"review_notes": ""})
    assert response.status_code == 400
    assert response.json() == {"review_notes": ["This field may not be blank."]}
    sprint.refresh_from_db()
    assert sprint.status == "in_review" and sprint.closed_at is None


def test_a_sprint_not_in_review_cannot_be_closed(as_user, people):
    sprint, _ = sprint_in_review(people)
    Sprint.objects.filter(pk=sprint.pk).update(status=Sprint.Status.ACTIVE)
    response = close(as_user(people.lead), sprint, {"review_notes": NOTES})
    assert response.status_code == 409
    assert response.json() == {"detail": SPRINT_NOT_CLOSABLE.format(status="Active")}
    sprint.refresh_from_db()
    assert (sprint.status, sprint.review_notes) == ("active", "")


def test_a_marketer_cannot_close_a_review(as_user, people):
    sprint, _ = sprint_in_review(people)
    response = close(as_user(people.owner), sprint, {"review_notes": NOTES})
    assert response.status_code == 403
    sprint.refresh_from_db()
    assert sprint.status == "in_review"
