"""Every API error is JSON naming the field at fault, even when CSV was asked for."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
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
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
