"""Every API error is JSON naming the field at fault, even when CSV was asked for."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler


def validation_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    """{field: [messages]} from a service's error; model-wide ones go under non_field_errors."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    return {
        (non_field if field == NON_FIELD_ERRORS else field): messages
        for field, messages in error.message_dict.items()
    }


def child_path(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def flat_errors(detail, path: str = "") -> dict[str, list[str]]:
    """Nested serializer errors keyed by the path the statistics engine writes:
    ``{"variants": {1: {"n": [...]}}}`` becomes ``{"variants[1].n": [...]}``."""
    if isinstance(detail, dict):
        items = detail.items()
    elif isinstance(detail, list) and detail and not all(isinstance(d, str) for d in detail):
        items = enumerate(detail)
    else:
        return {path: [str(message) for message in detail]} if detail else {}
    flat = {}
    for key, value in items:
        flat |= flat_errors(value, child_path(path, key))
    return flat


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    response = exception_handler(exc, context)
    renderer = getattr(context.get("request"), "accepted_renderer", None)
    if response is not None and renderer is not None and renderer.format != "json":
        # An error is never a spreadsheet: a CSV export that fails answers in JSON.
        context["request"].accepted_renderer = JSONRenderer()
        context["request"].accepted_media_type = JSONRenderer.media_type
    return response


def not_found(request, exception):
    """handler404: an unknown /api/ path answers JSON like every other API error."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
