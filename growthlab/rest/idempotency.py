"""Creates a client may retry: the same Idempotency-Key gets the first answer again.

A retried POST (a timeout, a double click) must not make a second idea, test or variant. The
client sends a key of its choosing; the first request with it runs, and its answer is kept in
the cache (Redis outside the demo, so every web process sees it) for a day. A repeat of the key
by the same person on the same address gets that answer back without running again; one sent
while the first is still running gets a 409; the same key with another body, a 422.
"""

import functools
import hashlib
import json

from django.core.cache import cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from growthlab.rest.schema import Detail

HEADER = "Idempotency-Key"
KEEP_SECONDS = 24 * 60 * 60
# Long enough for the request to finish; a worker killed mid-request frees the key by then.
PENDING_SECONDS = 60
LONGEST_KEY = 255
PENDING = "pending"

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID) of up to 255 characters: a retry with the same key "
    "gets the first answer again instead of creating a second object, for 24 hours.",
)
IDEMPOTENT_RESPONSES = {
    409: OpenApiResponse(Detail, description="The first request with this key still runs."),
    422: OpenApiResponse(
        OpenApiTypes.OBJECT, description="This key was already used with another body."
    ),
}
KEY_TOO_LONG = "The Idempotency-Key header is longer than 255 characters."
STILL_RUNNING = "A request with this Idempotency-Key is still being processed: retry shortly."
OTHER_BODY = "This Idempotency-Key was already used for a different request."


def store_key(*, user_id: int, path: str, key: str) -> str:
    digest = hashlib.sha256(f"{user_id}\n{path}\n{key}".encode()).hexdigest()
    return f"idempotency:{digest}"


def claim(cache_key: str) -> dict | str | None:
    """None when this request may run; otherwise what the first one left (pending or its answer)."""
    if cache.add(cache_key, PENDING, timeout=PENDING_SECONDS):
        return None
    return cache.get(cache_key, PENDING)


def remember(cache_key: str, answer: dict) -> None:
    cache.set(cache_key, answer, timeout=KEEP_SECONDS)


def forget(cache_key: str) -> None:
    cache.delete(cache_key)


def fingerprint(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(post):
    """Decorate an API view's post: an Idempotency-Key makes its retries harmless."""

    @functools.wraps(post)
    def run_once(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key or not request.user.is_authenticated:
            return post(view, request, *args, **kwargs)
        if len(key) > LONGEST_KEY:
            return Response({HEADER: [KEY_TOO_LONG]}, status=status.HTTP_400_BAD_REQUEST)
        cache_key = store_key(user_id=request.user.pk, path=request.path, key=key)
        body = fingerprint(request.data)
        first = claim(cache_key)
        if first == PENDING:
            return Response({"detail": STILL_RUNNING}, status=status.HTTP_409_CONFLICT)
        if first is not None:
            if first["body"] != body:
                return Response({HEADER: [OTHER_BODY]}, status=422)
            replay = Response(first["data"], status=first["status"])
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = post(view, request, *args, **kwargs)
        except Exception:
            forget(cache_key)  # refused (4xx through the handler) or failed: may be sent again
            raise
        if response.status_code < 300:
            remember(
                cache_key, {"status": response.status_code, "data": response.data, "body": body}
            )
        else:
            forget(cache_key)
        return response

    return run_once
