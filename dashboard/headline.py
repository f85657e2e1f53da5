"""The one headline a marketer reads first, picked across every metric of a test.

Precedence, most urgent first: broken data (SRM) makes every number untrustworthy; a harmed
guardrail or a losing primary metric must stop a launch; then a win; then "keep running";
then "no difference". Each metric's own verdict stays on the page below the headline. The
inputs are stored results read back into the engine's types (``StoredResult``); which
treatment wins is the engine's decision (``verdict.best_treatment``), not this module's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from analysis.wording import percent
from metrics.stats import verdict
from metrics.stats.analysis import Comparison, StoredResult
from metrics.stats.verdict import Status

SRM = _("Data problem: traffic split is broken")
GUARDRAIL = {
    "up": _("Guardrail harmed: {metric} up {size}"),
    "down": _("Guardrail harmed: {metric} down {size}"),
}
LOSER = {
    "up": _("Do not ship {variant}: {metric} up {size}"),
    "down": _("Do not ship {variant}: {metric} down {size}"),
}
SHIP = _("Ship {variant}")
EARLY = _("Keep running: {progress}")
KEEP_RUNNING_UNPLANNED = _("Keep running: no clear difference yet")
TOO_EARLY = _("Too early: too few users so far to read a result")
NO_DIFFERENCE = _("No difference worth acting on")
NO_DATA = _("No results yet")
THE_PRIMARY_METRIC = _("the primary metric")

BADGES = {
    Status.SHIP: _("Ship now"),
    Status.HARMFUL: _("Roll back now"),
    Status.TOO_FEW_UNITS: _("Too early"),
    Status.NO_DIFFERENCE: _("Ready for review"),
    Status.SRM: _("Unhealthy"),
    Status.FAILED: _("Unhealthy"),
    Status.NO_DATA: _("No data"),
}


def keep_running(days: int) -> str:
    return ngettext(
        "Keep running: about {days} more day at today's traffic",
        "Keep running: about {days} more days at today's traffic",
        days,
    ).format(days=days)


Headline = tuple[Status, str]


def _pairs(
    results: Sequence[StoredResult], role: str | None = None
) -> Iterator[tuple[StoredResult, Comparison]]:
    for result in results:
        if role is None or result.role == role:
            for comparison in result.comparisons:
                yield result, comparison


def _status(comparison: Comparison) -> Status | None:
    return comparison.verdict.status if comparison.verdict else None


def _moved(result: StoredResult, comparison: Comparison) -> dict:
    estimate = verdict.decision_interval(result.settings, comparison).estimate
    return {
        "metric": result.metric_name or str(THE_PRIMARY_METRIC),
        "size": percent(estimate),
        "direction": "up" if estimate > 0 else "down",
        "variant": comparison.variant,
    }


def _harm(results: Sequence[StoredResult]) -> Headline | None:
    for result, comparison in _pairs(results, "guardrail"):
        if _status(comparison) == Status.HARMFUL:
            moved = _moved(result, comparison)
            return Status.HARMFUL, GUARDRAIL[moved.pop("direction")].format(**moved)
    for result, comparison in _pairs(results, "primary"):
        if _status(comparison) == Status.HARMFUL:
            moved = _moved(result, comparison)
            return Status.HARMFUL, LOSER[moved.pop("direction")].format(**moved)
    return None


def _winner(results: Sequence[StoredResult]) -> Comparison | None:
    primaries = [r for r in results if r.role == "primary"]
    best = [(r, c) for r in primaries if (c := verdict.best_treatment(r)) is not None]
    if not best:
        return None
    return verdict.furthest_good(best[0][0].settings, [c for _, c in best])


def _early(pairs: list[tuple[StoredResult, Comparison]]) -> str | None:
    """How far along the plan the least advanced comparison is, while short of it."""
    short = [c.progress for _, c in pairs if not c.progress.complete and str(c.progress)]
    if not short:
        return None
    least = min(short, key=lambda p: (p.sample_share or 0, p.day or 0))
    return EARLY.format(progress=least)


def _primary(results: Sequence[StoredResult]) -> Headline:
    pairs = list(_pairs(results, "primary"))
    if (best := _winner(results)) is not None:
        return Status.SHIP, SHIP.format(variant=best.variant)
    if any(_status(c) == Status.TOO_FEW_UNITS for _, c in pairs):
        return Status.TOO_FEW_UNITS, str(TOO_EARLY)
    if (early := _early(pairs)) is not None:
        return Status.KEEP_RUNNING, early
    running = [c for _, c in pairs if _status(c) == Status.KEEP_RUNNING]
    if running:
        days = max(c.days.remaining if c.days else 0 for c in running)
        return Status.KEEP_RUNNING, keep_running(days)
    if any(_status(c) == Status.NO_DIFFERENCE and c.days is None for _, c in pairs):
        return Status.KEEP_RUNNING, str(KEEP_RUNNING_UNPLANNED)
    return Status.NO_DIFFERENCE, str(NO_DIFFERENCE)


def verdict_headline(results: Sequence[StoredResult | None]) -> Headline:
    """(status, sentence) for a test from its metrics' stored results.

    Status is one of srm, harmful, ship, too_few_units, keep_running, no_difference, no_data.
    """
    found = [r for r in results if r is not None]
    if not any(r.role == "primary" for r in found):
        return Status.NO_DATA, str(NO_DATA)
    if any(r.srm.mismatch for r in found):
        return Status.SRM, str(SRM)
    return _harm(found) or _primary(found)


def keep_running_days(results: Sequence[StoredResult]) -> int | None:
    """Days the slowest primary comparison still needs, if the test is planned."""
    days = [c.days.remaining for _, c in _pairs(results, "primary") if c.days and c.days.remaining]
    return max(days) if days else None


def badge(status: Status, days: int | None = None) -> str:
    """The short badge text for lists: "Ship now", "About 9 days left", …"""
    if status == Status.KEEP_RUNNING:
        if days is None:
            return str(_("Keep running"))
        return ngettext("About {days} day left", "About {days} days left", days).format(days=days)
    return str(BADGES[status])
