"""Reference distributions: the standard normal, or Student's t with ``df`` degrees of freedom.

``df = math.inf`` means the normal. scipy.special is used rather than scipy.stats because an
analysis makes thousands of these calls and the frozen-distribution machinery costs ~50 µs each.
"""

import math

from scipy import special


def cdf(x: float, df: float = math.inf) -> float:
    """P(T ≤ x)."""
    if math.isinf(df):
        return float(special.ndtr(x))
    return float(special.stdtr(df, x))


def quantile(probability: float, df: float = math.inf) -> float:
    """The x with P(T ≤ x) = probability."""
    if math.isinf(df):
        return float(special.ndtri(probability))
    return float(special.stdtrit(df, probability))


def normal_pdf(x: float) -> float:
    """φ(x) = exp(−x²/2) / √(2π)."""
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def chi_square_sf(statistic: float, df: int) -> float:
    """P(χ²_df ≥ statistic)."""
    return float(special.chdtrc(df, statistic))
