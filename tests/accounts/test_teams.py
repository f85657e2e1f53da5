"""Team pages: everyone reads them, a team lead changes the settings, bad input is named."""

from django.test import Client
from django.urls import reverse

from accounts.models import Team


def test_team_pages_list_members_and_tests(people):
    client = Client()
    client.force_login(people.outsider)
    listing = client.get(reverse("experiments:team_list"))
    assert listing.status_code == 200
    assert "Web Growth" in listing.text and "CRM" in listing.text
    page = client.get(reverse("experiments:team_detail", args=[people.team.slug]))
    assert page.status_code == 200
    for member in ("owner", "teammate", "lead", "analyst", "viewer"):
        assert member in page.text
    assert reverse("experiments:team_edit", args=[people.team.slug]) not in page.text


def test_a_lead_changes_the_team_settings(people):
    client = Client()
    client.force_login(people.lead)
    page = client.get(reverse("experiments:team_detail", args=[people.team.slug]))
    assert reverse("experiments:team_edit", args=[people.team.slug]) in page.text
    response = client.post(
        reverse("experiments:team_edit", args=[people.team.slug]),
        {
            "name": "Web Growth",
            "mission": "More orders",
            "scoring_model": "rice",
            "sprint_length_days": 14,
            "time_zone": "Europe/Helsinki",
            "currency": "EUR",
            "digest_empty_week": "skip",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(pk=people.team.pk)
    assert (team.scoring_model, team.sprint_length_days, team.mission) == (
        "rice",
        14,
        "More orders",
    )


def test_bad_team_settings_are_named_and_nothing_saved(people):
    client = Client()
    client.force_login(people.lead)
    url = reverse("experiments:team_edit", args=[people.team.slug])
    data = {"name": "Web Growth", "scoring_model": "ice", "sprint_length_days": 3}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "A sprint lasts between 7 and 56 days." in response.text
    response = client.post(url, {**data, "sprint_length_days": 14, "name": "CRM"})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.text
    response = client.post(url, {**data, "sprint_length_days": 14, "scoring_model": "vibes"})
    assert response.status_code == 400
    assert 'id="id_scoring_model_error"' in response.text
    team = Team.objects.get(pk=people.team.pk)
    assert (team.name, team.sprint_length_days, team.scoring_model) == ("Web Growth", 21, "ice")
