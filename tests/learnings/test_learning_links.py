import pytest
from django.urls import reverse

from experiments.models import Experiment
from learnings.models import LearningLink
from tests.learnings.conftest import learning_make


@pytest.fixture
def pair(people):
    earlier = learning_make(people, 1, "Delivery date", "Dates lift orders.", team=people.team)
    later = learning_make(people, 9, "Delivery date again", "Confirmed.", team=people.team)
    return earlier, later


def link_url(learning) -> str:
    return reverse("learnings:link", args=[learning.pk])


def test_teammate_marks_a_learning_confirmed_by_a_later_test(client, people, pair):
    earlier, later = pair
    client.force_login(people.owner)
    data = {"later_test": later.pk, "kind": "confirms", "note": " Same lift on desktop. "}
    response = client.post(link_url(earlier), data, follow=True)
    assert response.status_code == 200
    assert "Link saved." in response.text
    link = LearningLink.objects.get()
    assert (link.learning, link.later_test, link.kind, link.note) == (
        earlier,
        later,
        "confirms",
        "Same lift on desktop.",
    )
    assert "Confirms" in client.get(reverse("learnings:detail", args=[earlier.pk])).text


def test_an_earlier_test_cannot_be_later_evidence(client, people, pair):
    earlier, later = pair
    client.force_login(people.owner)
    response = client.post(link_url(later), {"later_test": earlier.pk, "kind": "contradicts"})
    assert response.status_code == 400
    assert "The linked test must have concluded after the learning it bears on." in response.text
    assert not LearningLink.objects.exists()


def test_the_same_link_twice_is_refused_in_words(client, people, pair):
    earlier, later = pair
    client.force_login(people.owner)
    client.post(link_url(earlier), {"later_test": later.pk, "kind": "confirms"})
    response = client.post(link_url(earlier), {"later_test": later.pk, "kind": "contradicts"})
    assert response.status_code == 400
    assert "This test is already linked to the learning." in response.text
    assert LearningLink.objects.get().kind == "confirms"


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_viewer_and_outsider_cannot_link(client, people, pair, persona):
    earlier, later = pair
    client.force_login(getattr(people, persona))
    response = client.post(link_url(earlier), {"later_test": later.pk, "kind": "confirms"})
    assert response.status_code == 403
    assert not LearningLink.objects.exists()


def test_a_running_test_is_no_evidence(client, people, pair):
    earlier, later = pair
    Experiment.objects.filter(pk=later.pk).update(
        status=Experiment.Status.RUNNING, concluded_at=None, decision="", learning=""
    )
    client.force_login(people.owner)
    response = client.post(link_url(earlier), {"later_test": later.pk, "kind": "confirms"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.text
