"""Every digest and stakeholder route: who may open or change what, share links that stop
opening (expired, altered, revoked), and filters that make a view a link."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

import digests.urls
from digests.models import DigestSend, ShareLink
from digests.services import share_link_create
from digests.tokens import share_link_id, share_token

PERSONAS = ("owner", "teammate", "lead", "analyst", "viewer", "outsider", "outside_lead", "admin")
TEAM_EDITORS = {"lead", "admin"}
# Route name -> how it is guarded; a new route fails test_every_route_is_classified.
READS = {"digests:preview", "digests:stakeholders"}
TEAM_LEAD_WRITES = {"digests:send_now", "digests:share_create", "digests:share_revoke"}
TOKEN_LINKS = {"digests:unsubscribe", "digests:shared"}


def test_every_route_is_classified():
    names = {f"digests:{p.name}" for p in digests.urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == READS | TEAM_LEAD_WRITES | TOKEN_LINKS


@pytest.fixture
def link(people):
    today = timezone.localdate()
    return share_link_create(
        team=people.team,
        user=people.lead,
        starts_on=today - timedelta(days=6),
        ends_on=today,
        days_valid=30,
    )


def shared_url(link) -> str:
    return reverse("digests:shared", args=[share_token(link.pk)])


def test_every_signed_in_persona_reads_the_preview_and_the_stakeholder_view(people):
    client = Client()
    for persona in PERSONAS:
        client.force_login(getattr(people, persona))
        for url in (
            reverse("digests:preview", args=[people.team.slug]),
            reverse("digests:stakeholders"),
        ):
            assert client.get(url).status_code == 200, (persona, url)


def test_anonymous_is_sent_to_sign_in_from_every_page_but_the_token_links(people, link):
    client = Client()
    for url in (
        reverse("digests:preview", args=[people.team.slug]),
        reverse("digests:stakeholders"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    for url in (
        reverse("digests:send_now", args=[people.team.slug]),
        reverse("digests:share_create", args=[people.team.slug]),
        reverse("digests:share_revoke", args=[link.pk]),
    ):
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert DigestSend.objects.count() == 0
    assert client.get(shared_url(link)).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_team_s_lead_or_an_admin_sends_the_digest_by_hand(people, persona, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client = Client()
    client.force_login(getattr(people, persona))
    response = client.post(reverse("digests:send_now", args=[people.team.slug]))
    if persona in TEAM_EDITORS:
        assert response.status_code == 302
        assert DigestSend.objects.filter(team=people.team).count() == 5
    else:
        assert response.status_code == 403
        assert "Your role does not allow this change" in response.text
        assert DigestSend.objects.count() == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_team_s_lead_or_an_admin_makes_a_share_link(people, persona):
    client = Client()
    client.force_login(getattr(people, persona))
    today = timezone.localdate()
    body = {"starts_on": today - timedelta(days=6), "ends_on": today, "days_valid": 14}
    response = client.post(reverse("digests:share_create", args=[people.team.slug]), body)
    if persona in TEAM_EDITORS:
        assert response.status_code == 302
        made = ShareLink.objects.get()
        assert (made.team, made.revoked_at is None) == (people.team, True)
        assert made.expires_at - timezone.now() > timedelta(days=13, hours=23)
    else:
        assert response.status_code == 403
        assert not ShareLink.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_team_s_lead_or_an_admin_withdraws_a_share_link(people, link, persona):
    client = Client()
    client.force_login(getattr(people, persona))
    response = client.post(reverse("digests:share_revoke", args=[link.pk]))
    link.refresh_from_db()
    if persona in TEAM_EDITORS:
        assert response.status_code == 302 and link.revoked_at is not None
    else:
        assert response.status_code == 403 and link.revoked_at is None


def test_a_share_link_for_too_long_is_refused_and_nothing_is_saved(client, people):
    client.force_login(people.lead)
    today = timezone.localdate()
    body = {"starts_on": today, "ends_on": today, "days_valid": 365}
    response = client.post(reverse("digests:share_create", args=[people.team.slug]), body)
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 90." in response.text
    assert not ShareLink.objects.exists()


def test_a_share_link_opens_read_only_with_names_and_no_edit_controls(people, link, concluded):
    concluded("Free shipping banner")
    people.owner.first_name, people.owner.last_name = "Olga", "Owner"
    people.owner.email = "olga@example.com"
    people.owner.save()
    response = Client().get(shared_url(link))
    assert response.status_code == 200
    page = response.text
    assert "What Free shipping banner taught us." in page
    assert "A read-only view shared by the team" in page
    for private in ("olga@example.com", "<form", "Log out", "Edit", "csrfmiddlewaretoken"):
        assert private not in page
    assert 'href="/experiments/' not in page  # no way into the signed-in pages


def test_the_team_page_lists_share_links_and_only_editors_see_their_addresses(client, people, link):
    shared = re.compile(r"/stakeholders/shared/([^/\"]+)/")
    client.force_login(people.viewer)
    page = client.get(reverse("experiments:team_detail", args=[people.team.slug])).text
    assert "Digest and shared views" in page and not shared.search(page)
    assert "Withdraw" not in page
    client.force_login(people.lead)
    page = client.get(reverse("experiments:team_detail", args=[people.team.slug])).text
    # A token carries the second it was signed, so the page's is read back, not compared.
    assert share_link_id(shared.search(page).group(1)) == link.pk and "Withdraw" in page


def test_an_expired_share_link_answers_403_in_plain_words(people, link):
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(shared_url(link))
    assert response.status_code == 403
    assert "This link stopped working on" in response.text
    assert "Ask the team for a new one." in response.text


def test_an_altered_share_link_answers_403_in_plain_words(people, link):
    token = share_token(link.pk)
    other = share_token(link.pk + 1)  # a real signature for another id, spliced in
    for altered in (token[:-2] + "xx", other.split(":")[0] + ":" + token.split(":", 1)[1]):
        response = Client().get(reverse("digests:shared", args=[altered]))
        assert response.status_code == 403
        assert "This link is not one GrowthLab made" in response.text


def test_a_withdrawn_share_link_answers_403_in_plain_words(client, people, link):
    client.force_login(people.lead)
    client.post(reverse("digests:share_revoke", args=[link.pk]))
    response = Client().get(shared_url(link))
    assert response.status_code == 403
    assert "The team withdrew this link on" in response.text


def test_stakeholder_filters_live_in_the_query_string(client, people, running, concluded):
    concluded("Free shipping banner")
    running("Delivery date")
    client.force_login(people.viewer)
    today = timezone.localdate()
    mine = client.get(reverse("digests:stakeholders"), {"team": people.team.pk}).text
    assert "What Free shipping banner taught us." in mine and "Delivery date" in mine
    theirs = client.get(reverse("digests:stakeholders"), {"team": people.other_team.pk}).text
    assert "Free shipping banner" not in theirs and "Nothing is running." in theirs
    earlier = client.get(
        reverse("digests:stakeholders"),
        {"starts_on": today - timedelta(days=60), "ends_on": today - timedelta(days=30)},
    ).text
    assert "Free shipping banner taught us" not in earlier and "Delivery date" in earlier


def test_a_kpi_filter_keeps_the_tests_of_that_kpi_and_those_below_it(
    client, people, running, metric
):
    from tests.factories import metric_make

    revenue = metric_make("Revenue per visitor", kind="mean")
    child = metric_make("Basket conversion", parent=metric)
    running("Delivery date")  # its primary metric is `metric`, Order conversion
    client.force_login(people.viewer)
    url = reverse("digests:stakeholders")
    assert "Delivery date" in client.get(url, {"kpi": metric.pk}).text
    assert "Delivery date" not in client.get(url, {"kpi": revenue.pk}).text
    assert "Delivery date" not in client.get(url, {"kpi": child.pk}).text


def test_a_backwards_or_malformed_period_is_a_400_naming_it(client, people):
    client.force_login(people.viewer)
    url = reverse("digests:stakeholders")
    backwards = client.get(url, {"starts_on": "2026-12-07", "ends_on": "2026-12-01"})
    assert backwards.status_code == 400
    assert "The period must end on or after the day it starts." in backwards.text
    malformed = client.get(url, {"starts_on": "last tuesday"})
    assert malformed.status_code == 400 and "Enter a valid date." in malformed.text
    unknown = client.get(url, {"team": "999999"})
    assert unknown.status_code == 400 and "Select a valid choice" in unknown.text


def test_the_stakeholder_view_prints_without_its_filters(client, people):
    client.force_login(people.viewer)
    page = client.get(reverse("digests:stakeholders")).text
    assert "css/stakeholders.css" in page
    assert 'class="card stake-filters no-print"' in page
