"""The new routes: who may open and change what, with CSRF, and bad input as a 400."""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Follow, Preference, TeamAlertSettings, Webhook
from tests.conftest import PASSWORD


def signed_in(user, csrf=False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.login(username=user.username, password=PASSWORD)
    return client


def test_anyone_signed_in_follows_and_unfollows_a_test(running, people):
    client = signed_in(people.outsider)
    page = client.get(running.get_absolute_url()).content.decode()
    assert 'data-testid="follow"' in page
    url = reverse("notifications:follow", args=["experiment", running.pk])
    response = client.post(url, {"following": "1", "next": running.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == running.get_absolute_url()
    assert Follow.objects.filter(user=people.outsider, experiment=running, following=True)
    assert 'data-testid="unfollow"' in client.get(running.get_absolute_url()).content.decode()
    client.post(url, {"following": "0"})
    assert not Follow.objects.filter(user=people.outsider).exists()


def test_an_owner_follows_by_default_and_may_unfollow(running, people):
    client = signed_in(people.owner)
    assert 'data-testid="unfollow"' in client.get(running.get_absolute_url()).content.decode()
    client.post(
        reverse("notifications:follow", args=["experiment", running.pk]), {"following": "0"}
    )
    assert Follow.objects.get(user=people.owner).following is False


def test_follow_needs_post_csrf_and_a_known_target(running, people):
    url = reverse("notifications:follow", args=["experiment", running.pk])
    assert signed_in(people.viewer).get(url).status_code == 405
    assert signed_in(people.viewer, csrf=True).post(url, {"following": "1"}).status_code == 403
    bad = reverse("notifications:follow", args=["idea", running.pk])
    assert signed_in(people.viewer).post(bad, {"following": "1"}).status_code == 403
    assert Client().post(url, {"following": "1"}).status_code == 302  # to the sign-in page
    assert not Follow.objects.exists()


def test_a_team_metric_and_sprint_page_show_the_button(people):
    client = signed_in(people.viewer)
    page = client.get(reverse("experiments:team_detail", args=[people.team.slug])).content.decode()
    assert 'data-testid="follow"' in page
    client.post(reverse("notifications:follow", args=["team", people.team.pk]), {"following": "1"})
    assert Follow.objects.filter(user=people.viewer, team=people.team).exists()


def test_a_person_saves_their_own_settings_on_the_profile(people):
    client = signed_in(people.viewer)
    assert 'id="alerts"' in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("notifications:preferences"), {"mode-no_data": "off"})
    assert response.status_code == 302
    assert Preference.objects.get(user=people.viewer, kind="no_data").mode == "off"
    client.post(reverse("notifications:preferences"), {"mode-no_data": "loud"})
    assert Preference.objects.get(user=people.viewer, kind="no_data").mode == "off"


@pytest.mark.parametrize(
    ("who", "status"), [("lead", 200), ("owner", 403), ("outside_lead", 403), ("admin", 200)]
)
def test_only_the_team_lead_or_an_admin_opens_team_settings(people, who, status):
    url = reverse("notifications:team", args=[people.team.slug])
    assert signed_in(getattr(people, who)).get(url).status_code == status


def test_team_settings_keep_the_slack_url_secret_and_refuse_bad_input(people):
    client = signed_in(people.lead)
    url = reverse("notifications:team", args=[people.team.slug])
    slack = "https://hooks.slack.com/services/T000/B000/abcdSECRETwxyz"
    response = client.post(url, {"grace_days": "4", "slack_url": slack, "mode-srm": "now"})
    assert response.status_code == 302
    row = TeamAlertSettings.objects.get()
    assert row.no_data_grace_days == 4 and "SECRET" not in row.slack_url_encrypted
    page = client.get(url).content.decode()
    assert "SECRET" not in page and "hooks.slack.com/…wxyz" in page
    bad = client.post(url, {"grace_days": "4", "slack_url": "not a url"})
    assert bad.status_code == 400 and "This is not a webhook URL" in bad.content.decode()
    assert client.post(url, {"grace_days": "0"}).status_code == 400
    assert TeamAlertSettings.objects.get().no_data_grace_days == 4  # nothing half-saved


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("lead", 403), ("viewer", 403)])
def test_only_admins_manage_webhooks(people, who, status):
    client = signed_in(getattr(people, who))
    assert client.get(reverse("notifications:webhooks")).status_code == status
    client.post(reverse("notifications:webhooks"), {"name": "Bot", "url": "https://e.com/h"})
    assert Webhook.objects.count() == (1 if status == 200 else 0)


def test_a_bad_webhook_url_on_the_page_is_a_400_and_saves_nothing(people):
    response = signed_in(people.admin).post(
        reverse("notifications:webhooks"), {"name": "Bot", "url": "example.com/hook"}
    )
    assert response.status_code == 400 and "This is not a webhook URL" in response.content.decode()
    assert not Webhook.objects.exists()


def test_the_inbox_lists_only_my_alerts(people):
    assert signed_in(people.viewer).get(reverse("notifications:inbox")).status_code == 200
