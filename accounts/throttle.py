"""Counting failed sign-ins in the shared cache, for every sign-in form (the admin's too).

Three counters, so that one person's mistakes, or an attacker sharing a proxy's address with
everyone, never keep anyone else out:

- a user name from one address: LOGIN_FAILURE_LIMIT failures lock that pair;
- a user name from every address: LOGIN_FAILURE_USER_LIMIT failures lock the name, against
  guesses spread over many addresses (high enough that a mistyping colleague cannot do it);
- an address across user names: past LOGIN_FAILURE_ADDRESS_LIMIT failures the address is
  suspect, and from it every user name that has already failed from it is locked, so trying
  one password on every name gets one guess per name. A name that has not failed from there
  (a colleague behind the same proxy typing her right password) still signs in.

The address is the client's, read from X-Forwarded-For only behind TRUSTED_PROXY_COUNT
proxies that append to it; a client can put anything in the header, so its left part is
never trusted.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

LOGIN_THROTTLED = _(
    "Too many failed sign-ins for this account or from this address. "
    "Wait {minutes} minutes and try again."
)


def client_address(request) -> str:
    """The address of the client, as the last trusted proxy saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    # Each trusted proxy appends the address it was reached from: the client is the entry the
    # outermost one wrote. A shorter header means a request that bypassed the proxies.
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def user_name_key(username: str) -> str:
    return username.strip().lower()


def digest(text: str) -> str:
    # Whatever a client typed or forwarded, the cache key stays short and printable.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def failure_keys(username: str, address: str) -> dict[str, str]:
    name = user_name_key(username)
    return {
        "pair": f"login-failures:pair:{digest(f'{address} {name}')}",
        "user": f"login-failures:user:{digest(name)}",
        "address": f"login-failures:addr:{digest(address)}",
    }


def login_blocked(*, username: str, address: str) -> bool:
    keys = failure_keys(username, address)
    counts = cache.get_many(keys.values())
    pair, user, by_address = (counts.get(keys[kind], 0) for kind in ("pair", "user", "address"))
    if pair >= settings.LOGIN_FAILURE_LIMIT or user >= settings.LOGIN_FAILURE_USER_LIMIT:
        return True
    return by_address >= settings.LOGIN_FAILURE_ADDRESS_LIMIT and pair > 0


def login_failure_record(*, username: str, address: str) -> None:
    for key in failure_keys(username, address).values():
        # add() starts the window only once; incr() keeps the expiry set by add().
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_success_record(*, username: str, address: str) -> None:
    """A right password clears the mistakes made from this address; the others stay."""
    cache.delete(failure_keys(username, address)["pair"])


def login_retry_after() -> int:
    """Seconds to wait, for the Retry-After header: the window, the longest a lock lasts."""
    return settings.LOGIN_FAILURE_WINDOW_SECONDS


def login_throttled_message() -> str:
    return str(LOGIN_THROTTLED).format(minutes=max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60))


def throttled_response(response, form):
    """A sign-in page refused by the throttle answers 429 with Retry-After."""
    if getattr(form, "throttled", False):
        response.status_code = 429
        response["Retry-After"] = str(login_retry_after())
    return response
