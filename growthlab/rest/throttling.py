"""Request limits counted in the cache (Redis outside the demo), so every worker shares them.

A fixed window per scope and caller: ``cache.incr`` counts atomically in Redis and
``cache.add`` opens a window, so concurrent requests in different gunicorn workers never both
slip through on a stale count (DRF's own throttles read, append and write back a list).
"""

import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/minute' -> (600, 60)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


class WindowThrottle(BaseThrottle):
    """Allow ``rate`` requests per window for each token, or each user on a session."""

    scope = "user"

    def applies(self, request, view) -> bool:
        return True

    def caller(self, request) -> str:
        token = getattr(request, "auth", None)
        if getattr(token, "pk", None) is not None:
            return f"token:{token.pk}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"address:{self.get_ident(request)}"

    def allow_request(self, request, view) -> bool:
        if not self.applies(request, view):
            return True
        limit, period = parse_rate(api_settings.DEFAULT_THROTTLE_RATES[self.scope])
        now = time.time()
        window = int(now // period)
        key = f"api-throttle:{self.scope}:{self.caller(request)}:{window}"
        count = window_count(key, timeout=period + 1)
        self.wait_seconds = period - (now % period)
        return count <= limit

    def wait(self) -> float:
        return self.wait_seconds


def window_count(key: str, *, timeout: int) -> int:
    """Count one more request in the window ``key`` and return the count so far."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip: Redis's INCR opens a missing key at 1, and EXPIRE ... NX sets the
        # window's end only once. Django's cache.incr asks EXISTS first, a second round trip
        # on every API request.
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, timeout, nx=True)
        return pipeline.execute()[0]
    try:
        return cache.incr(key)  # most requests land in a window that is already open
    except ValueError:
        # The first request of a window opens it; when another worker opened it first, the
        # add fails and this request is counted in that window.
        return 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)


class UserThrottle(WindowThrottle):
    scope = "user"


class ExportThrottle(WindowThrottle):
    """CSV exports walk whole tables: a stricter limit of their own."""

    scope = "export"

    def applies(self, request, view) -> bool:
        renderer = getattr(request, "accepted_renderer", None)
        return renderer is not None and renderer.format == "csv"


class ExpensiveThrottle(WindowThrottle):
    """Lifecycle actions and the calculator: views mark themselves ``expensive = True``."""

    scope = "expensive"

    def applies(self, request, view) -> bool:
        return getattr(view, "expensive", False)
