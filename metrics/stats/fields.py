"""Readers of one JSON field each: the value, or a :class:`StatsInputError` naming the field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from metrics.stats.errors import StatsInputError

MISSING = object()
# The largest count of users or conversions, and the largest traffic or baseline a field
# takes: far beyond any real test, well inside what a float holds exactly.
LARGEST = 10**12
# Totals (sums, sums of squares) and other numbers: their squares and products stay finite.
LARGEST_TOTAL = 10**30
LONGEST_DAYS = 3650


def _get(payload: Mapping, field: str, default: Any, prefix: str = "") -> Any:
    value = payload.get(field, default)
    if value is MISSING:
        raise StatsInputError(prefix + field, "is required")
    return value


def number(
    payload: Mapping,
    field: str,
    default: Any = MISSING,
    prefix: str = "",
    largest: float = LARGEST_TOTAL,
) -> float:
    """A finite number (not a bool) between -largest and largest."""
    value = _get(payload, field, default, prefix)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatsInputError(prefix + field, "must be a finite number")
    # Compared before any float conversion: a 400-digit integer is too large for a float.
    if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > largest:
        raise StatsInputError(prefix + field, f"must be between {-largest:g} and {largest:g}")
    return value


def count(payload: Mapping, field: str, prefix: str = "") -> int:
    """A whole number of units or conversions, at least 0."""
    value = number(payload, field, prefix=prefix, largest=LARGEST)
    if value < 0:
        raise StatsInputError(prefix + field, "must not be negative")
    if value != int(value):
        raise StatsInputError(prefix + field, "must be a whole number")
    return int(value)


def positive(
    payload: Mapping, field: str, default: Any = MISSING, largest: float = LARGEST
) -> float:
    """A number above 0 and at most largest (None stays None when the default is None)."""
    value = number(payload, field, default, largest=largest)
    if value is not None and not value > 0:
        raise StatsInputError(field, "must be positive")
    return value


def fraction(payload: Mapping, field: str, default: float) -> float:
    """A number strictly between 0 and 1 (alpha, power)."""
    value = number(payload, field, default)
    if not 0 < value < 1:
        raise StatsInputError(field, "must be between 0 and 1")
    return value


def choice(payload: Mapping, field: str, options: tuple[str, ...], default: Any = MISSING):
    """One of ``options``."""
    value = _get(payload, field, default)
    if value not in options:
        raise StatsInputError(field, "must be one of " + ", ".join(f'"{o}"' for o in options))
    return value


def boolean(payload: Mapping, field: str, default: bool) -> bool:
    """true or false."""
    value = payload.get(field, default)
    if not isinstance(value, bool):
        raise StatsInputError(field, "must be true or false")
    return value


def text(payload: Mapping, field: str, default: str) -> str:
    """A string."""
    value = payload.get(field, default)
    if not isinstance(value, str):
        raise StatsInputError(field, "must be a string")
    return value


def whole(
    payload: Mapping, field: str, default: int | None, largest: int = LONGEST_DAYS
) -> int | None:
    """A whole number from 1 to largest (days, users, variants); ``default`` (None too) when
    absent."""
    value = number(payload, field, default, largest=largest)
    if value is None:
        return None
    if value != int(value) or value < 1:
        raise StatsInputError(field, f"must be a whole number from 1 to {largest}")
    return int(value)
