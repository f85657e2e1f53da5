"""Query-parameter fields and output formats that every app's API writes the same way."""

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers


def day(what: str, edge: str) -> serializers.DateField:
    return serializers.DateField(
        required=False, help_text=f"{what} on or {edge} this day (YYYY-MM-DD)."
    )


def integer(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, help_text=help_text)


def text() -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words to look for."
    )


def iso_datetime(value: datetime) -> str:
    """DateTimeField's ISO 8601 output (current time zone, UTC written Z) without its per-value
    field machinery, which was an eighth of a page's CPU."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
