"""Multiple-comparison corrections across treatments × metrics.

statsmodels ``multipletests`` is called with the method named explicitly: its default is
Holm–Šidák, which is neither of the two offered here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from statsmodels.stats.multitest import multipletests

from metrics.stats.errors import StatsInputError

Correction = Literal["none", "holm", "bh"]
STATSMODELS_METHOD = {"holm": "holm", "bh": "fdr_bh"}


def adjust_p_values(p_values: Sequence[float], correction: Correction) -> list[float]:
    """Adjusted p-values in the input order: Holm (family-wise) or Benjamini–Hochberg (FDR)."""
    if correction not in ("none", *STATSMODELS_METHOD):
        raise StatsInputError("correction", 'must be "none", "holm" or "bh"')
    if correction == "none" or len(p_values) <= 1:
        return [float(p) for p in p_values]
    adjusted = multipletests(list(p_values), method=STATSMODELS_METHOD[correction])[1]
    return [float(p) for p in adjusted]
