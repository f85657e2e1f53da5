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


def test_failures_count_per_user_name_from_any_address(people, limit, settings):
    settings.LOGIN_FAILURE_USER_LIMIT = 6
    for number in range(6):
        attempt(Client(), "Owner ", "wrong", address=f"10.0.1.{number}")  # case and spaces
    response = attempt(Client(), "owner", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429


def test_failures_count_per_user_name_from_one_address(people, limit):
    for _ in range(limit):
        attempt(Client(), "Owner ", "wrong", address="192.0.2.7")  # case and spaces
    response = attempt(Client(), "owner", PASSWORD, address="192.0.2.7")
    assert response.status_code == 429
    assert login_throttled_message() in response.text
    assert response["Retry-After"] == "600"


def test_another_users_failures_from_my_address_do_not_keep_me_out(people, limit):
    """Behind a proxy everyone shares its address: one person's typos lock only that person."""
    for name in ("owner", "teammate", "no-such-person"):
        for _ in range(limit):
            attempt(Client(), name, "wrong", address="192.0.2.7")
    assert attempt(Client(), "owner", PASSWORD, address="192.0.2.7").status_code == 429
    client = Client()
    response = attempt(client, "viewer", PASSWORD, address="192.0.2.7")
    assert response.status_code == 302
    assert signed_in(client)


def test_an_address_trying_many_names_gets_one_guess_per_name(people, limit, settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 4
    for name in ("owner", "teammate", "lead", "nobody"):
        assert attempt(Client(), name, "wrong", address="192.0.2.9").status_code == 400
    # The address is now suspect: a name that failed from it is locked there at once...
    response = attempt(Client(), "owner", PASSWORD, address="192.0.2.9")
    assert response.status_code == 429
    assert "Retry-After" in response
    # ...one that did not gets its password checked, one guess, then is locked too.
    assert attempt(Client(), "analyst", "wrong", address="192.0.2.9").status_code == 400
    assert attempt(Client(), "analyst", PASSWORD, address="192.0.2.9").status_code == 429
    assert attempt(Client(), "viewer", PASSWORD, address="192.0.2.9").status_code == 302
    # From her own address the owner still signs in.
    assert attempt(Client(), "owner", PASSWORD, address="192.0.2.10").status_code == 302


def test_a_right_password_clears_my_earlier_typos(people, limit):
    for _ in range(limit - 1):
        attempt(Client(), "owner", "wrong")
    assert attempt(Client(), "owner", PASSWORD).status_code == 302
    for _ in range(limit - 1):
        attempt(Client(), "owner", "wrong")
    assert attempt(Client(), "owner", PASSWORD).status_code == 302


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


def forwarded(client: Client, username: str, password: str, chain: str, proxy: str = "10.9.9.9"):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=chain,
    )


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_clients(people, limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(limit):
        # The client wrote its own X-Forwarded-For: the proxy appended the real address.
        forwarded(Client(), "owner", "wrong", chain="1.2.3.4, 203.0.113.5")
    assert forwarded(Client(), "owner", PASSWORD, chain="203.0.113.5").status_code == 429
    # The same user from another real address behind the same proxy signs in; a forged
    # left-hand entry changes nothing.
    response = forwarded(Client(), "owner", PASSWORD, chain="203.0.113.5, 203.0.113.6")
    assert response.status_code == 302


def test_without_trusted_proxies_the_header_is_ignored(people, limit, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for number in range(limit):
        forwarded(Client(), "owner", "wrong", chain=f"198.51.100.{number}")
    assert forwarded(Client(), "owner", PASSWORD, chain="198.51.100.99").status_code == 429


ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def superuser(people):
    from accounts.models import User

    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


def admin_attempt(client: Client, password: str, address: str = "10.0.0.1"):
    return client.post(
        ADMIN_LOGIN,
        {"username": "root", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_the_admin_sign_in_is_throttled_like_the_page(superuser, limit):
    client = Client()
    for _ in range(limit):
        assert admin_attempt(client, "wrong").status_code == 200
    response = admin_attempt(client, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert login_throttled_message() in response.text
    assert not signed_in(client)


def test_admin_and_page_failures_share_one_count(superuser, limit):
    for _ in range(limit - 1):
        attempt(Client(), "root", "wrong")
    assert admin_attempt(Client(), "wrong").status_code == 200
    assert attempt(Client(), "root", PASSWORD).status_code == 429
    assert admin_attempt(Client(), PASSWORD).status_code == 429


def test_the_admin_still_signs_in_with_the_right_password(superuser, limit):
    client = Client()
    response = admin_attempt(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_sign_out_is_a_post_that_ends_the_session(people):
    client = Client()
    client.force_login(people.owner)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not signed_in(client)


def test_a_user_name_with_spaces_and_symbols_is_counted_too(people, limit):
    name = "no such person\t" + "ä" * 300
    for _ in range(limit):
        assert attempt(Client(), name, "wrong").status_code == 400
    assert attempt(Client(), name, "wrong").status_code == 429


def test_an_empty_password_does_not_clear_the_count(people, limit):
    for _ in range(limit - 1):
        attempt(Client(), "owner", "wrong")
    assert attempt(Client(), "owner", "").status_code == 400
    attempt(Client(), "owner", "wrong")
    assert attempt(Client(), "owner", PASSWORD).status_code == 429
