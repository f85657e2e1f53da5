"""Multiple-comparison corrections across treatments × metrics.

Benjamini–Hochberg comes from statsmodels ``multipletests(method="fdr_bh")``, named explicitly
because its default is Holm–Šidák. Holm is computed here, step-down, to the same numbers as
``multipletests(method="holm")`` (a test pins them together): that branch of statsmodels calls
``gc.collect()`` on every call, ~35 ms in a worker with scipy and statsmodels loaded, which would
take most of the one-second budget of a three-week experiment's daily looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from metrics.stats.errors import StatsInputError

Correction = Literal["none", "holm", "bh"]
CORRECTIONS = ("none", "holm", "bh")
# Holm: it controls any false win across variants and metrics, and costs little power when
# most effects are null, so an experiment that says nothing gets it.
DEFAULT_CORRECTION: Correction = "holm"


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down: the k-th smallest p times (m − k + 1), made non-decreasing, capped at 1."""
    m = len(p_values)
    order = sorted(range(m), key=p_values.__getitem__)
    adjusted, running = [0.0] * m, 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg step-up (false discovery rate), via statsmodels."""
    # Imported here: statsmodels takes a second or more to import, and most analyses use Holm.
    from statsmodels.stats.multitest import multipletests

    return [float(p) for p in multipletests(list(p_values), method="fdr_bh")[1]]


def adjust_p_values(p_values: Sequence[float], correction: Correction) -> list[float]:
    """Adjusted p-values in the input order: Holm (family-wise) or Benjamini–Hochberg (FDR)."""
    if correction not in CORRECTIONS:
        raise StatsInputError("correction", 'must be "none", "holm" or "bh"')
    if correction == "none" or len(p_values) <= 1:
        return [float(p) for p in p_values]
    if correction == "holm":
        return holm([float(p) for p in p_values])
    return benjamini_hochberg(p_values)
