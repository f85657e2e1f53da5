"""Creates a client may retry: the same Idempotency-Key answers the first result again."""

import uuid

from django.urls import reverse

from experiments.models import Experiment, Idea
from tests.factories import idea_make


def test_turning_an_idea_into_a_test_twice_with_one_key_makes_one_test(as_user, people):
    idea = idea_make(people)
    client = as_user(people.owner)
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    url = f"/api/v1/ideas/{idea.id}/experiment/"
    answers = [client.post(url, format="json", **key) for _ in range(9)]
    assert {answer.status_code for answer in answers} == {201}
    assert {answer.json()["id"] for answer in answers} == {answers[0].json()["id"]}
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert Experiment.objects.filter(idea=idea).count() == 1
    # Without a key, or with a new one, an idea may be tested a second time on purpose.
    assert client.post(url, format="json").status_code == 201
    assert Experiment.objects.filter(idea=idea).count() == 2


def test_a_key_reused_with_another_body_is_refused_and_creates_nothing(as_user, people):
    client = as_user(people.owner)
    key = {"HTTP_IDEMPOTENCY_KEY": "nightly-import-42"}
    body = {"team": people.team.id, "title": "Free returns banner"}
    assert client.post("/api/v1/ideas/", body, format="json", **key).status_code == 201
    response = client.post("/api/v1/ideas/", body | {"title": "Other"}, format="json", **key)
    assert response.status_code == 422
    assert list(response.json()) == ["Idempotency-Key"]
    assert list(Idea.objects.values_list("title", flat=True)) == ["Free returns banner"]


def test_a_key_is_one_persons(as_user, people):
    key = {"HTTP_IDEMPOTENCY_KEY": "same-key"}
    body = {"team": people.team.id, "title": "A test"}
    for person in (people.owner, people.teammate):
        response = as_user(person).post("/api/v1/experiments/", body, format="json", **key)
        assert response.status_code == 201
    assert Experiment.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_key(as_user, people):
    client = as_user(people.owner)
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-after-fixing"}
    bad = client.post("/api/v1/ideas/", {"team": people.team.id}, format="json", **key)
    assert bad.status_code == 400
    body = {"team": people.team.id, "title": "Fixed"}
    assert client.post("/api/v1/ideas/", body, format="json", **key).status_code == 201


def test_the_page_button_turns_an_idea_into_one_test_however_often_it_is_sent(client, people):
    idea = idea_make(people)
    client.force_login(people.owner)
    page = client.get(reverse("experiments:idea_detail", args=[idea.pk]))
    once_key = page.context["once_key"]
    assert f'name="once_key" value="{once_key}"' in page.text
    url = reverse("experiments:idea_to_experiment", args=[idea.pk])
    answers = [client.post(url, {"once_key": once_key}) for _ in range(3)]
    experiment = Experiment.objects.get(idea=idea)
    edit = reverse("experiment:edit", args=[experiment.pk])
    assert [answer.url for answer in answers] == [edit] * 3
