"""API errors speak the language the client asks for with Accept-Language."""

from django.utils import translation
from rest_framework import serializers

from experiments.models import Idea

IDEAS = "/api/v1/ideas/"


def test_a_validation_error_answers_in_finnish(as_user, people):
    body = {"team": people.team.id, "title": "x", "ease": "very"}
    response = as_user(people.owner).post(
        IDEAS, body, format="json", HTTP_ACCEPT_LANGUAGE="fi-FI,fi;q=0.9"
    )
    assert response.status_code == 400
    with translation.override("fi"):
        finnish = str(serializers.IntegerField.default_error_messages["invalid"])
    assert finnish != "A valid integer is required."
    assert response.json() == {"ease": [finnish]}
    assert response["Content-Language"] == "fi"
    assert not Idea.objects.exists()


def test_the_projects_own_error_wording_answers_in_finnish(as_user, people):
    response = as_user(people.viewer).get(
        "/api/v1/sprints/", {"state": "active"}, HTTP_ACCEPT_LANGUAGE="fi"
    )
    assert response.status_code == 400
    assert response.json()["state"][0].startswith("Tällä listalla ei ole tällaista suodatinta.")


def test_a_refused_role_answers_in_swedish_and_english_by_default(as_user, people):
    body = {"team": people.other_team.id, "title": "Not ours"}
    swedish = as_user(people.owner).post(IDEAS, body, format="json", HTTP_ACCEPT_LANGUAGE="sv")
    english = as_user(people.owner).post(IDEAS, body, format="json")
    assert swedish.status_code == english.status_code == 403
    assert english.json() == {"detail": "Your role does not allow this change."}
    assert swedish.json() == {"detail": "Din roll tillåter inte den här ändringen."}
    assert not Idea.objects.exists()


def test_an_unknown_api_path_answers_in_dutch(client, db):
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    assert response.json() == {"detail": "Niet gevonden."}


def test_a_token_call_without_accept_language_answers_in_the_persons_language(as_user, people):
    people.owner.language = "fi"
    people.owner.save(update_fields=["language"])
    body = {"team": people.other_team.id, "title": "Not ours"}
    response = as_user(people.owner).post(IDEAS, body, format="json")
    assert response.status_code == 403
    with translation.override("fi"):
        finnish = translation.gettext("Your role does not allow this change.")
    assert finnish != "Your role does not allow this change."
    assert response.json() == {"detail": finnish}
    assert response["Content-Language"] == "fi"
    assert not Idea.objects.exists()


def test_accept_language_wins_over_the_token_persons_language(as_user, people):
    people.owner.language = "fi"
    people.owner.save(update_fields=["language"])
    body = {"team": people.other_team.id, "title": "Not ours"}
    response = as_user(people.owner).post(IDEAS, body, format="json", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 403
    with translation.override("nl"):
        dutch = translation.gettext("Your role does not allow this change.")
    assert response.json() == {"detail": dutch}
    assert response["Content-Language"] == "nl"


def test_a_bad_token_is_refused_in_the_language_asked_for(client, db):
    response = client.get(IDEAS, HTTP_AUTHORIZATION="Token nope", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 401
    with translation.override("sv"):
        swedish = translation.gettext("This API token is not valid: it may have been revoked.")
    assert swedish != "This API token is not valid: it may have been revoked."
    assert response.json() == {"detail": swedish}
