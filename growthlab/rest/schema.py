"""The error answers every operation documents, so the schema names each 4xx it can return."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

Detail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})

ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="A field or query parameter is malformed: {name: [message, …]}; "
        "errors about the whole request are listed under non_field_errors.",
    ),
    401: OpenApiResponse(Detail, description="No valid API token or session."),
    403: OpenApiResponse(Detail, description="Your role does not allow this change."),
    404: OpenApiResponse(Detail, description="No such object, or the page is out of range."),
    409: OpenApiResponse(
        Detail, description="The lifecycle refuses the action; the message says why."
    ),
    # Answered by gunicorn before Django sees the request, as a plain page.
    414: OpenApiResponse(description="The query string is longer than the server accepts."),
    429: OpenApiResponse(
        Detail, description="Too many requests; the Retry-After header says when to retry."
    ),
}
READ = (400, 401, 404, 414, 429)
WRITE = (400, 401, 403, 404, 429)


def errors(*codes: int, **more: OpenApiResponse) -> dict:
    """{status: response} for these codes, to merge into ``extend_schema(responses=...)``."""
    return {code: ERRORS[code] for code in codes} | {int(k[1:]): v for k, v in more.items()}
