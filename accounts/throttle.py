"""Counting failed sign-ins per user name and per address, in the shared cache."""

from django.conf import settings
from django.core.cache import cache

LOGIN_THROTTLED = (
    "Too many failed sign-ins for this account or from this address. "
    "Wait {minutes} minutes and try again."
)


def failure_keys(username: str, address: str) -> list[str]:
    return [f"login-failures:user:{username.strip().lower()}", f"login-failures:addr:{address}"]


def login_blocked(*, username: str, address: str) -> bool:
    counts = cache.get_many(failure_keys(username, address))
    return any(count >= settings.LOGIN_FAILURE_LIMIT for count in counts.values())


def login_failure_record(*, username: str, address: str) -> None:
    for key in failure_keys(username, address):
        # add() starts the window only once; incr() keeps the expiry set by add().
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_throttled_message() -> str:
    return LOGIN_THROTTLED.format(minutes=max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60))
