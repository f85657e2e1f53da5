"""Did a shipped win hold? The same comparison months later, and one rule that reads it.

Pure: the read-back of a shipped test compares the long-term metric of the test's own users
(control against the shipped variant) with the relative lift and a fixed-horizon interval, the
same estimate the results page uses; `readback_outcome` turns that interval into one word.
"""

from __future__ import annotations

from enum import StrEnum

from metrics.stats.frequentist import TestResult, fixed_horizon_test
from metrics.stats.relative import relative_lift
from metrics.stats.sufficient import Stats


class Outcome(StrEnum):
    HELD = "held"
    FADED = "faded"
    REVERSED = "reversed"


def readback_compare(control: Stats, treatment: Stats, alpha: float = 0.05) -> TestResult:
    """Relative lift of the shipped variant over the control, with its two-sided interval."""
    return fixed_horizon_test(relative_lift(control, treatment), alpha, "two-sided")


def readback_outcome(lower: float, upper: float, *, higher_is_better: bool) -> Outcome:
    """Held, faded or reversed, from the read-back's interval of the lift.

    The rule: the win **held** when the interval still excludes 0 on the good side (lower > 0
    for a metric where higher is better, upper < 0 where lower is better); it **reversed**
    when the interval excludes 0 on the bad side, i.e. the shipped change now measurably
    hurts; it **faded** otherwise, when 0 lies inside the interval (an end exactly at 0
    counts as inside), so the effect can no longer be told from none.
    """
    good, bad = (lower, -upper) if higher_is_better else (-upper, lower)
    if good > 0:
        return Outcome.HELD
    if bad > 0:
        return Outcome.REVERSED
    return Outcome.FADED
