"""Numbers as a marketer reads them: "12%", "+3.4%", "95% CI +3% to +21%"."""

from __future__ import annotations

import math


def percent(fraction: float) -> str:
    """A magnitude: 0.123 → "12%", 0.034 → "3.4%" (one decimal below 10%)."""
    value = abs(fraction) * 100
    return f"{value:.0f}%" if round(value, 1) >= 10 else f"{value:.1f}%"


def signed_percent(fraction: float) -> str:
    """With its sign: 0.03 → "+3.0%", -0.2 → "-20%"; a change that rounds to 0 → "0%"."""
    text = percent(fraction)
    if text in ("0.0%", "0%"):
        return "0%"
    return ("+" if fraction > 0 else "-") + text


def level(alpha: float) -> str:
    """The confidence level of ``alpha``: 0.05 → "95%"."""
    return f"{(1 - alpha) * 100:g}%"


def interval(lower: float, upper: float, alpha: float) -> str:
    """The interval in words; a one-sided interval has one finite end."""
    if math.isinf(upper):
        return f"{level(alpha)} CI: at least {signed_percent(lower)}"
    if math.isinf(lower):
        return f"{level(alpha)} CI: at most {signed_percent(upper)}"
    return f"{level(alpha)} CI {signed_percent(lower)} to {signed_percent(upper)}"


SMALLEST_P_SHOWN = 0.0001  # below this, more digits only suggest a precision nobody needs


def p_value(p: float) -> str:
    """To four decimals: 0.01234 → "0.0123"; a smaller one → "< 0.0001", never 0 or 1e-05."""
    return f"< {SMALLEST_P_SHOWN}" if p < SMALLEST_P_SHOWN else f"{p:.4f}"


def p_equals(p: float) -> str:
    """As a sentence reads it: "p = 0.0123" or "p < 0.0001"."""
    text = p_value(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"
