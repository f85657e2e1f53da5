import re

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create, api_token_revoke, key_digest, token_cache_key
from tests.conftest import PASSWORD

TEAMS = "/api/v1/teams/"


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_is_stored_only_as_its_hash(people):
    token, key = api_token_create(user=people.owner, name="notebook")
    assert key.startswith("glt_") and len(key) > 50
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
    assert key not in stored
    assert key_digest(key) in stored
    assert token.prefix == key[:12]


def test_token_and_bearer_both_authenticate_and_record_the_use(people):
    token, key = api_token_create(user=people.owner, name="notebook")
    assert with_key(key).get(TEAMS).status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(TEAMS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(people):
    token, key = api_token_create(user=people.owner, name="notebook")
    token.revoked_at = token.created_at
    token.save()
    response = with_key(key).get(TEAMS)
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token is not valid: it may have been revoked."}


def test_a_known_token_skips_its_query_and_a_revocation_holds_at_once(
    people, django_assert_num_queries, django_capture_on_commit_callbacks
):
    token, key = api_token_create(user=people.owner, name="notebook")
    client = with_key(key)
    for _ in range(2):  # the first use also notes its time, which drops the cached copy
        assert client.get(TEAMS).status_code == 200
    with django_assert_num_queries(3):  # the page's count, teams and members: no token query
        assert client.get(TEAMS).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        api_token_revoke(token=token)
    assert client.get(TEAMS).status_code == 401


def test_a_deactivated_or_deleted_owner_is_refused_at_once(
    people, django_capture_on_commit_callbacks
):
    _, key = api_token_create(user=people.owner, name="notebook")
    _, other_key = api_token_create(user=people.viewer, name="script")
    for _ in range(2):  # cached from the second use on (the first notes its time)
        assert with_key(key).get(TEAMS).status_code == 200
        assert with_key(other_key).get(TEAMS).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        people.owner.is_active = False
        people.owner.save()
        people.viewer.delete()
    assert with_key(key).get(TEAMS).status_code == 401
    assert with_key(other_key).get(TEAMS).status_code == 401


def test_the_cached_token_holds_no_password_hash(people):
    from django.core.cache import cache

    token, key = api_token_create(user=people.owner, name="notebook")
    for _ in range(2):
        assert with_key(key).get(TEAMS).status_code == 200
    cached = cache.get(token_cache_key(token.key_sha256))
    assert cached.user == people.owner and "password" not in cached.user.__dict__


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token glt_not-a-real-key"],
)
def test_malformed_or_unknown_token_is_a_401(people, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(TEAMS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'


def test_http_basic_is_never_accepted(people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic b3duZXI6Y29ycmVjdC1ob3JzZQ==")
    assert client.get(TEAMS).status_code == 401


def test_anonymous_gets_a_json_401(anonymous, db):
    response = anonymous.get(TEAMS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_session_reads_for_the_browser(client, people):
    client.login(username="viewer", password=PASSWORD)
    assert client.get(TEAMS).status_code == 200


def test_session_write_without_csrf_token_is_refused(people):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="owner", password=PASSWORD)
    response = client.post("/api/v1/ideas/", {"team": people.team.id, "title": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_profile_creates_a_token_and_shows_the_key_once(client, people):
    client.login(username="owner", password=PASSWORD)
    response = client.post(reverse("accounts:token_create"), {"name": "weekly report"})
    assert response.status_code == 201
    key = re.search(r'data-testid="new-api-key">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=people.owner)
    assert token.name == "weekly report"
    assert token.key_sha256 == key_digest(key)
    again = client.get(reverse("accounts:profile")).content.decode()
    assert key not in again
    assert token.prefix in again


def test_profile_refuses_a_token_without_a_name(client, people):
    client.login(username="owner", password=PASSWORD)
    response = client.post(reverse("accounts:token_create"), {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name, so that you recognise it later." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_profile_revokes_own_token_only(client, people):
    mine, key = api_token_create(user=people.owner, name="mine")
    theirs, _ = api_token_create(user=people.teammate, name="theirs")
    client.login(username="owner", password=PASSWORD)
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:token_revoke", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None
    assert with_key(key).get(TEAMS).status_code == 401
