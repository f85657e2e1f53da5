"""The learnings library through the API: concluded tests only, searched in full text."""

import pytest
from django.utils import timezone

from experiments.models import Experiment
from tests.factories import experiment_make
from tests.learnings.conftest import shipped  # noqa: F401  (five analysed, shipped tests)


def concluded(people, title: str, learning: str, decision: str = "ship") -> Experiment:
    experiment = experiment_make(people, title=title)
    Experiment.objects.filter(pk=experiment.pk).update(
        status="concluded",
        started_at=timezone.now(),
        stopped_at=timezone.now(),
        concluded_at=timezone.now(),
        learning=learning,
        decision=decision,
    )
    return experiment


def test_search_ranks_matches_and_marks_the_words(as_user, people):
    shipping = concluded(people, "Free shipping banner", "Free shipping lifts orders on mobile.")
    concluded(people, "Hero image", "Bigger images changed nothing.", decision="inconclusive")
    experiment_make(people, title="Free shipping draft")  # not concluded: not a learning
    response = as_user(people.viewer).get("/api/v1/learnings/", {"q": "shipping"})
    assert response.status_code == 200
    (found,) = response.json()["results"]
    assert (found["id"], found["decision"]) == (shipping.id, "ship")
    assert found["snippet"] == "Free [shipping] lifts orders on mobile."
    assert found["rank"] > 0


def test_filters_and_a_malformed_one(as_user, people):
    concluded(people, "Free shipping banner", "Free shipping lifts orders.")
    lost = concluded(people, "Hero image", "Bigger images hurt.", decision="abandon")
    client = as_user(people.viewer)
    listed = client.get("/api/v1/learnings/", {"result": "lost"}).json()["results"]
    assert [row["id"] for row in listed] == [lost.id]
    assert listed[0]["snippet"] is None and listed[0]["rank"] is None
    response = client.get("/api/v1/learnings/", {"result": "maybe"})
    assert response.status_code == 400
    assert response.json() == {"result": ['"maybe" is not a valid choice.']}
    assert Experiment.objects.filter(concluded_at__isnull=False).count() == 2


def test_similar_tests_meet_a_reworded_title(as_user, people):
    shipping = concluded(people, "Free shipping banner", "Free shipping lifts orders on mobile.")
    concluded(people, "Hero image", "Bigger images changed nothing.", decision="inconclusive")
    response = as_user(people.viewer).get(
        "/api/v1/learnings/similar/", {"q": "banner about shipping for free"}
    )
    assert response.status_code == 200
    found = response.json()
    assert [f["id"] for f in found] == [shipping.id]
    assert found[0]["decision"] == "ship"


def test_similar_tests_leave_out_the_one_being_edited_and_name_bad_input(as_user, people):
    shipping = concluded(people, "Free shipping banner", "Free shipping lifts orders on mobile.")
    client = as_user(people.viewer)
    response = client.get("/api/v1/learnings/similar/", {"q": "shipping", "exclude": shipping.id})
    assert response.json() == []
    assert client.get("/api/v1/learnings/similar/").json() == []
    bad = client.get("/api/v1/learnings/similar/", {"q": "shipping", "exclude": "first"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["exclude"]


def test_similar_tests_need_a_token(anonymous):
    assert anonymous.get("/api/v1/learnings/similar/", {"q": "shipping"}).status_code in (401, 403)


def test_similar_tests_carry_their_measured_lift(as_user, people, shipped):  # noqa: F811
    concluded(people, "Hero image", "Bigger images changed nothing.", decision="inconclusive")
    found = as_user(people.viewer).get("/api/v1/learnings/similar/", {"q": "shipped test 0"}).json()
    first = found[0]
    assert first["title"] == "Shipped test 0" and first["decision"] == "ship"
    assert first["lift"]["metric"] == "Order conversion"
    assert first["lift"]["estimate"] == pytest.approx(0.8, abs=0.01)
    assert first["lift"]["ci_lower"] < first["lift"]["estimate"] < first["lift"]["ci_upper"]
    unmeasured = as_user(people.viewer).get("/api/v1/learnings/similar/", {"q": "hero image"})
    assert unmeasured.json()[0]["lift"] is None
