"""An API client per person, authenticated the way scripts are: a personal token."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tokens import api_token_create


def token_client(user) -> APIClient:
    _, key = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def as_user():
    """as_user(person) -> an APIClient sending that person's fresh API token."""
    return token_client


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


def database_url() -> str:
    """The test database as a DATABASE_URL, for a server or command in another process."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def queries_for(client: APIClient, url: str, params: dict | None = None) -> int:
    """How many queries a warm GET of `url` makes (answered 200)."""
    # The token's first use of the minute notes the time and drops its cached copy; the second
    # caches it again. From the third on, a request reads the token from the cache.
    for _ in range(2):
        client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)
