"""Sign-in: a real login page, and failed attempts throttled per user name and per address."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.throttle import login_throttled_message
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    return 3


def test_the_login_page_renders_for_anonymous_visitors(db):
    assert reverse("accounts:login") == LOGIN
    response = Client().get(LOGIN)
    assert response.status_code == 200
    assert "Sign in to GrowthLab" in response.text
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text
    assert "csrfmiddlewaretoken" in response.text


def test_a_correct_password_signs_in_and_redirects(people):
    client = Client()
    response = attempt(client, "owner", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("experiments:home")
    assert signed_in(client)
    assert client.get(reverse("experiments:home")).status_code == 200


def test_sign_in_returns_to_the_page_asked_for(people):
    client = Client()
    page = client.get(reverse("experiments:backlog"))
    assert page.url == f"{LOGIN}?next=/ideas/"
    response = client.post(
        page.url, {"username": "viewer", "password": PASSWORD, "next": "/ideas/"}
    )
    assert response.status_code == 302
    assert response.url == "/ideas/"


def test_a_wrong_password_is_a_400_with_the_message(people):
    client = Client()
    response = attempt(client, "owner", "wrong")
    assert response.status_code == 400
    assert "Please enter a correct username and password." in response.text
    assert not signed_in(client)


def test_after_the_limit_even_the_right_password_is_throttled(people, limit):
    client = Client()
    for _ in range(limit):
        assert attempt(client, "owner", "wrong").status_code == 400
    response = attempt(client, "owner", PASSWORD)
    assert response.status_code == 429
    assert login_throttled_message() in response.text
    assert "Wait 10 minutes and try again." in login_throttled_message()
    assert not signed_in(client)


def test_one_failure_less_than_the_limit_still_signs_in(people, limit):
    client = Client()
    for _ in range(limit - 1):
        attempt(client, "owner", "wrong")
    assert attempt(client, "owner", PASSWORD).status_code == 302
    assert signed_in(client)


def test_failures_count_per_user_name_from_any_address(people, limit):
    for number in range(limit):
        attempt(Client(), "Owner ", "wrong", address=f"10.0.1.{number}")  # case and spaces
    response = attempt(Client(), "owner", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429


def test_failures_count_per_address_across_user_names(people, limit):
    for name in ("owner", "teammate", "no-such-person")[:limit]:
        attempt(Client(), name, "wrong", address="192.0.2.7")
    response = attempt(Client(), "viewer", PASSWORD, address="192.0.2.7")
    assert response.status_code == 429
    assert login_throttled_message() in response.text


def test_one_users_failures_do_not_block_another_user_from_another_address(people, limit):
    for _ in range(limit + 2):
        attempt(Client(), "owner", "wrong", address="198.51.100.1")
    assert attempt(Client(), "owner", PASSWORD, address="198.51.100.1").status_code == 429
    client = Client()
    response = attempt(client, "teammate", PASSWORD, address="198.51.100.2")
    assert response.status_code == 302
    assert signed_in(client)


def test_the_throttle_starts_after_the_default_limit(people, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    for _ in range(5):
        assert attempt(Client(), "lead", "wrong").status_code == 400
    assert attempt(Client(), "lead", PASSWORD).status_code == 429


def test_sign_out_is_a_post_that_ends_the_session(people):
    client = Client()
    client.force_login(people.owner)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not signed_in(client)
