from experiments.models import Experiment, Idea
from tests.factories import idea_make

IDEAS = "/api/v1/ideas/"


def test_marketer_creates_an_idea_with_scores_and_tags(as_user, people):
    body = {
        "team": people.team.id,
        "title": "Delivery date on product page",
        "impact": 8,
        "confidence": 6,
        "ease": 7,
        "tags": ["Checkout", "delivery"],
    }
    response = as_user(people.owner).post(IDEAS, body, format="json")
    assert response.status_code == 201
    idea = Idea.objects.get()
    assert response.json()["id"] == idea.id
    assert response.json()["ice_score"] == 7.0
    assert response.json()["score"] == 7.0
    assert sorted(response.json()["tags"]) == ["checkout", "delivery"]
    assert idea.author == people.owner
    assert idea.history.get().summary == "Created the idea"


def test_score_out_of_range_names_the_field_and_saves_nothing(as_user, people):
    body = {"team": people.team.id, "title": "Too good", "impact": 11}
    response = as_user(people.owner).post(IDEAS, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Impact is scored from 1 to 10."]}
    assert not Idea.objects.exists()


def test_wrong_type_names_the_field(as_user, people):
    body = {"team": people.team.id, "title": "x", "ease": "very"}
    response = as_user(people.owner).post(IDEAS, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"ease": ["A valid integer is required."]}
    assert not Idea.objects.exists()


def test_idea_for_another_team_is_refused(as_user, people):
    body = {"team": people.other_team.id, "title": "Not ours"}
    response = as_user(people.owner).post(IDEAS, body, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this change."}
    assert not Idea.objects.exists()


def test_ranked_backlog_puts_the_best_score_first(as_user, people):
    low = idea_make(people, title="Low", impact=2, confidence=2, ease=2)
    high = idea_make(people, title="High", impact=9, confidence=9, ease=9)
    unscored = idea_make(people, title="Unscored", impact=None, confidence=None, ease=None)
    response = as_user(people.viewer).get(IDEAS)
    assert [row["id"] for row in response.json()["results"]] == [high.id, low.id, unscored.id]
    response = as_user(people.viewer).get(IDEAS, {"min_score": 5})
    assert [row["id"] for row in response.json()["results"]] == [high.id]


def test_unknown_ordering_is_a_400_naming_it(as_user, people):
    response = as_user(people.viewer).get(IDEAS, {"ordering": "best"})
    assert response.status_code == 400
    assert response.json() == {"ordering": ['"best" is not a valid choice.']}


def test_teammate_edits_an_idea_and_the_history_keeps_it(as_user, people):
    idea = idea_make(people)
    response = as_user(people.teammate).patch(f"{IDEAS}{idea.id}/", {"ease": 3}, format="json")
    assert response.status_code == 200
    assert response.json()["ease"] == 3
    idea.refresh_from_db()
    assert idea.ease == 3
    assert idea.history.first().changes[0]["field"] == "ease"


def test_idea_becomes_a_linked_experiment(as_user, people):
    idea = idea_make(people)
    response = as_user(people.owner).post(f"{IDEAS}{idea.id}/experiment/")
    assert response.status_code == 201
    experiment = Experiment.objects.get()
    assert response.json()["idea"] == idea.id
    assert experiment.title == idea.title
    assert as_user(people.viewer).get(f"{IDEAS}{idea.id}/").json()["experiments"] == [experiment.id]


def test_unknown_idea_is_a_json_404(as_user, people):
    response = as_user(people.viewer).get(f"{IDEAS}999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Idea matches the given query."}


def test_an_effort_too_small_to_divide_by_is_a_400_naming_it(as_user, people):
    scores = {"impact": 10, "confidence": 10, "reach": 10**7, "effort": 1e-300}
    body = {"team": people.team.id, "title": "Tiny", **scores}
    response = as_user(people.owner).post(IDEAS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["effort"]
    assert not Idea.objects.exists()


def test_a_plan_with_traffic_beyond_any_test_is_a_400_naming_it(as_user, people):
    body = {"team": people.team.id, "title": "Huge", "plan_daily_traffic": 2 * 10**9}
    response = as_user(people.owner).post("/api/v1/experiments/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["plan_daily_traffic"]


def test_a_reach_whose_rice_score_overflows_is_a_400_naming_it(as_user, people):
    scores = {"impact": 10, "confidence": 10, "reach": 10**9, "effort": 1}
    body = {"team": people.team.id, "title": "Everyone", **scores}
    response = as_user(people.owner).post(IDEAS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reach"]
