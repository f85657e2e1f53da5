"""Numbers in the reader's own format: 12 345 and "12,5 %" in Finnish, 12.345 and "12,5%" in Dutch.

The separators come from the language's format module (growthlab.formats); only the space
before the percent sign has no Django setting, so it is decided here, as locale/GLOSSARY.md says.
"""

from django.utils.formats import number_format
from django.utils.translation import get_language

# Finnish and Swedish write a (no-break) space before the percent sign; English and Dutch none.
SPACE_BEFORE_PERCENT = {"fi", "sv"}


def grouped(value: int | float, decimals: int | None = None) -> str:
    """12345 → "12,345" in English, "12 345" in Finnish (always grouped, as a count reads)."""
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def percent_sign(number_text: str) -> str:
    """ "12,5" → "12,5 %" in Finnish and Swedish, "12,5%" in English and Dutch."""
    language = (get_language() or "").split("-")[0]
    return f"{number_text}\u00a0%" if language in SPACE_BEFORE_PERCENT else f"{number_text}%"


def percent(value: float, decimals: int = 0, *, signed: bool = False) -> str:
    """A value already in percent: 12.5 → "12.5%" / "12,5 %"; signed adds "+" to a gain."""
    text = grouped(round(value, decimals), decimals)
    if signed and round(value, decimals) > 0:
        text = f"+{text}"
    return percent_sign(text)
