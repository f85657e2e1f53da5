"""Numbers in the reader's language: "12 345" and "12,5 %" in Finnish, "12,345" and "12.5%" in
English. Pages, messages and charts format through here, never with ``f"{n:,}"``, which is
English whatever the reader reads.

The separators come from the active language's format module (``growthlab/formats``); the
place of the percent sign ("12,5 %" in Finnish and Swedish, "12,5%" in Dutch) from the
catalogue, as a translator writes it.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import get_language, pgettext

_MARKS: dict[str | None, dict[int, str]] = {}
_PERCENT_PATTERNS: dict[str | None, str] = {}


def marks() -> dict[int, str]:
    """Python's "," and "." mapped to the active language's thousands and decimal marks.

    Looked up once per language, then numbers are formatted by Python itself: a results page
    writes thousands of cells, and number_format reads the format module for each one. Every
    language here groups by three (NUMBER_GROUPING = 3). A loop that formats many numbers
    takes them once and hands them to ``integer`` and ``decimal``: finding the active language
    is itself the dearest part of formatting one number.
    """
    language = get_language()
    found = _MARKS.get(language)
    if found is None:
        found = str.maketrans({",": thousands_mark(), ".": decimal_mark()})
        _MARKS[language] = found
    return found


def integer(value, language_marks: dict[int, str] | None = None) -> str:
    """31234 → "31,234" (en), "31 234" (fi, sv), "31.234" (nl)."""
    return f"{int(value):,}".translate(language_marks or marks())


def decimal(value: float, digits: int, language_marks: dict[int, str] | None = None) -> str:
    """12345.678 to 2 digits → "12,345.68" (en), "12 345,68" (fi)."""
    return f"{value:,.{digits}f}".translate(language_marks or marks())


def decimal_mark() -> str:
    return formats.get_format("DECIMAL_SEPARATOR", use_l10n=True)


def thousands_mark() -> str:
    return formats.get_format("THOUSAND_SEPARATOR", use_l10n=True)


def percent_pattern() -> str:
    """Where the number stands beside its percent sign, "{number}%" in English.

    From the catalogue once per language: a results page writes a hundred percentages."""
    language = get_language()
    found = _PERCENT_PATTERNS.get(language)
    if found is None:
        # xgettext:no-python-format
        found = pgettext("a percentage; keep {number}", "{number}%")
        _PERCENT_PATTERNS[language] = found
    return found


def percent_sign_spaced() -> bool:
    """Whether this language puts a space before the percent sign ("12,5 %")."""
    pattern = percent_pattern()
    return pattern.endswith(("\u00a0%", " %"))


def plotly_separators() -> str:
    """Plotly's ``layout.separators``: the decimal mark, then the thousands mark."""
    return decimal_mark() + thousands_mark()


def grouped(value: int | float, decimals: int | None = None) -> str:
    """12345 → "12,345" in English, "12 345" in Finnish (always grouped, as a count reads)."""
    if decimals is not None:
        return decimal(value, decimals)
    if isinstance(value, int):
        return integer(value)
    return formats.number_format(value, force_grouping=True)


def percent_sign(number_text: str) -> str:
    """ "12,5" → "12,5 %" in Finnish and Swedish, "12,5%" in English and Dutch."""
    return percent_pattern().format(number=number_text)


def percent(value: float, decimals: int = 0, *, signed: bool = False) -> str:
    """A value already in percent: 12.5 → "12.5%" / "12,5 %"; signed adds "+" to a gain."""
    text = decimal(value, decimals)
    if signed and round(value, decimals) > 0:
        text = f"+{text}"
    return percent_sign(text)
