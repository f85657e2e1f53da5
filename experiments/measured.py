"""What a test's stored results say, for the pages and checks of the experiments app.

The results are analysed and read above this app (analysis, dashboard), which it may not
import; the app that reads them registers its readers here at start-up
(`results_readers`), the way job kinds register with `jobs.kinds`. The conclude page, the
"ship" check and the business case ask through `measured_result` and `measured_lifts`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from metrics.stats.verdict import Status


@dataclass(frozen=True)
class MeasuredLift:
    """The primary metric's measured relative lift of the best treatment, with its interval."""

    variant: str
    control_value: float  # the control's measured metric per user: the baseline it had
    estimate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class MeasuredResult:
    """What the stored results say when a test is concluded: the headline, the primary
    metric's verdicts, its measured change in words, and the guardrails not known unharmed."""

    status: Status
    headline: str
    sentences: tuple[str, ...]
    summary: str
    unknown_guardrails: tuple[str, ...]


ResultReader = Callable[[object], MeasuredResult]
LiftReader = Callable[[Iterable[int]], dict[int, MeasuredLift]]
_readers: dict[str, Callable] = {}


def results_readers(*, result: ResultReader, lifts: LiftReader) -> None:
    """Register the functions that read one test's result and many tests' lifts (once)."""
    _readers.update(result=result, lifts=lifts)


def measured_result(experiment) -> MeasuredResult:
    if "result" not in _readers:
        raise LookupError("No results reader is registered: is the dashboard app installed?")
    return _readers["result"](experiment)


def measured_lifts(experiment_ids: Iterable[int]) -> dict[int, MeasuredLift]:
    """Each test's measured primary lift by id; tests without one are left out."""
    ids = list(experiment_ids)
    return _readers["lifts"](ids) if "lifts" in _readers and ids else {}
