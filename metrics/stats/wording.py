"""Numbers as a marketer reads them: "12%", "+3.4%", "95% CI +3% to +21%".

The engine words its numbers in English; a page words them for its reader by passing a
:class:`NumberStyle` (decimal comma, "12,5 %"), so how many digits a number shows is decided
here once, whatever the language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class NumberStyle:
    """How a reader writes a number: the decimal mark and where the percent sign goes."""

    decimal: str = "."
    percent: str = "{number}%"

    def number(self, value: float, digits: int) -> str:
        return f"{value:.{digits}f}".replace(".", self.decimal)

    def percent_of(self, number: str) -> str:
        return self.percent.format(number=number)


ENGLISH = NumberStyle()


def percent_digits(fraction: float) -> int:
    """Decimals a percentage shows: one below 10%, none from 10% up."""
    return 0 if round(abs(fraction) * 100, 1) >= 10 else 1


def percent(fraction: float, style: NumberStyle = ENGLISH) -> str:
    """A magnitude: 0.123 → "12%", 0.034 → "3.4%" (one decimal below 10%)."""
    return style.percent_of(style.number(abs(fraction) * 100, percent_digits(fraction)))


def signed_percent(fraction: float, style: NumberStyle = ENGLISH) -> str:
    """With its sign: 0.03 → "+3.0%", -0.2 → "-20%"; a change that rounds to 0 → "0%"."""
    if round(abs(fraction) * 100, percent_digits(fraction)) == 0:
        return style.percent_of("0")
    return ("+" if fraction > 0 else "-") + percent(fraction, style)


def level(alpha: float, style: NumberStyle = ENGLISH) -> str:
    """The confidence level of ``alpha``: 0.05 → "95%"."""
    return style.percent_of(f"{(1 - alpha) * 100:g}".replace(".", style.decimal))


def interval(lower: float, upper: float, alpha: float) -> str:
    """The interval in words; a one-sided interval has one finite end."""
    if math.isinf(upper):
        return f"{level(alpha)} CI: at least {signed_percent(lower)}"
    if math.isinf(lower):
        return f"{level(alpha)} CI: at most {signed_percent(upper)}"
    return f"{level(alpha)} CI {signed_percent(lower)} to {signed_percent(upper)}"


SMALLEST_P_SHOWN = 0.0001  # below this, more digits only suggest a precision nobody needs


def p_value(p: float, style: NumberStyle = ENGLISH) -> str:
    """To four decimals: 0.01234 → "0.0123"; a smaller one → "< 0.0001", never 0 or 1e-05."""
    if p < SMALLEST_P_SHOWN:
        return f"< {style.number(SMALLEST_P_SHOWN, 4)}"
    return style.number(p, 4)


def p_equals(p: float, style: NumberStyle = ENGLISH) -> str:
    """As a sentence reads it: "p = 0.0123" or "p < 0.0001"."""
    text = p_value(p, style)
    return f"p {text}" if text.startswith("<") else f"p = {text}"
