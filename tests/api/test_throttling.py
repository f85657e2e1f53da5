import pytest
import requests
from django.conf import settings as django_settings

from accounts.tokens import api_token_create
from tests.api.server import gunicorn


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        base = {"user": "1000/minute", "export": "1000/minute", "expensive": "1000/minute"}
        settings.REST_FRAMEWORK = {
            **django_settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": base | rates,
        }

    return set_rates


def test_user_limit_gives_429_with_retry_after(as_user, people, rates):
    rates(user="3/hour")  # an hour's window: the requests never straddle two windows
    client = as_user(people.viewer)
    assert [client.get("/api/v1/teams/").status_code for _ in range(4)] == [200, 200, 200, 429]
    response = client.get("/api/v1/teams/")
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert response.json()["detail"].startswith("Request was throttled.")


def test_exports_have_their_own_stricter_limit(as_user, people, rates):
    rates(export="2/hour")
    client = as_user(people.viewer)
    codes = [client.get("/api/v1/ideas/?format=csv").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/ideas/").status_code == 200


def test_expensive_actions_have_their_own_limit(as_user, people, rates):
    rates(expensive="1/hour")
    client = as_user(people.viewer)
    body = {"metric_type": "binomial", "baseline_rate": 0.05, "mde_relative": 0.1}
    url = "/api/v1/calculator/sample-size/"
    assert [client.post(url, body, format="json").status_code for _ in range(2)] == [200, 429]


def test_each_token_is_counted_apart(as_user, people, rates):
    rates(user="1/hour")
    first, second = as_user(people.viewer), as_user(people.viewer)
    assert first.get("/api/v1/teams/").status_code == 200
    assert second.get("/api/v1/teams/").status_code == 200
    assert first.get("/api/v1/teams/").status_code == 429


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_limit_holds_across_three_gunicorn_workers(people):
    _, key = api_token_create(user=people.viewer, name="load")
    codes = []
    # A new connection per request, so the requests spread over the three workers.
    headers = {"Authorization": f"Token {key}", "Connection": "close"}
    with gunicorn(workers=3, API_RATE_USER="6/hour") as base:
        for _ in range(8):
            response = requests.get(f"{base}/api/v1/teams/", headers=headers, timeout=10)
            codes.append(response.status_code)
    assert codes == [200] * 6 + [429, 429]
    assert 1 <= int(response.headers["Retry-After"]) <= 3600
