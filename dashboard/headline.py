"""The one headline a marketer reads first, picked across every metric of a test.

Precedence, most urgent first: broken data (SRM) makes every number untrustworthy; a harmed
guardrail or a losing primary metric must stop a launch; then a win; then "keep running";
then "no difference". Each metric's own verdict stays on the page below the headline.
"""

from __future__ import annotations

from collections.abc import Sequence

from metrics.stats.wording import percent

SRM = "Data problem: traffic split is broken"
GUARDRAIL = "Guardrail harmed: {metric} {updown} {size}"
LOSER = "Do not ship {variant}: {metric} {updown} {size}"
SHIP = "Ship {variant}"
KEEP_RUNNING = "Keep running: about {days} more days at today's traffic"
KEEP_RUNNING_UNPLANNED = "Keep running: no clear difference yet"
TOO_EARLY = "Too early: too few users so far to read a result"
NO_DIFFERENCE = "No difference worth acting on"
NO_DATA = "No results yet"

BADGES = {
    "ship": "Ship now", "harmful": "Roll back now", "keep_running": "About {days} days left",
    "too_early": "Too early", "no_difference": "Ready for review", "srm": "Unhealthy",
    "failed": "Unhealthy", "no_data": "No data",
}  # fmt: skip


def _pairs(outputs: Sequence[dict], role: str | None = None):
    for output in outputs:
        if role is None or output["role"] == role:
            for comparison in output["comparisons"]:
                yield output, comparison


def _moved(output: dict, comparison: dict) -> dict:
    estimate = comparison["sequential"]["relative"]["estimate"]
    return {"metric": output["metric_name"] or "the primary metric", "size": percent(estimate),
            "updown": "up" if estimate > 0 else "down",
            "variant": comparison["variant"]}  # fmt: skip


def _harm(outputs: Sequence[dict]) -> tuple[str, str] | None:
    for output, comparison in _pairs(outputs, "guardrail"):
        if comparison["status"] == "harmful":
            return "harmful", GUARDRAIL.format(**_moved(output, comparison))
    for output, comparison in _pairs(outputs, "primary"):
        if comparison["status"] == "harmful":
            return "harmful", LOSER.format(**_moved(output, comparison))
    return None


def _primary(outputs: Sequence[dict]) -> tuple[str, str]:
    pairs = list(_pairs(outputs, "primary"))
    winners = [c for _, c in pairs if c["status"] == "ship"]
    if winners:
        best = max(winners, key=lambda c: c["sequential"]["relative"]["estimate"])
        return "ship", SHIP.format(variant=best["variant"])
    if any(c["status"] == "too_few_units" for _, c in pairs):
        return "too_early", TOO_EARLY
    running = [c for _, c in pairs if c["status"] == "keep_running"]
    if running:
        days = max(c["days_remaining"] or 0 for c in running)
        return "keep_running", KEEP_RUNNING.format(days=days)
    if any(c["status"] == "no_difference" and c["days_remaining"] is None for _, c in pairs):
        return "keep_running", KEEP_RUNNING_UNPLANNED
    return "no_difference", NO_DIFFERENCE


def verdict_headline(results: Sequence[dict]) -> tuple[str, str]:
    """(status, sentence) for a test from its metrics' ``analyse`` outputs.

    Status is one of srm, harmful, ship, too_early, keep_running, no_difference, no_data.
    """
    outputs = [r for r in results if r is not None]
    if not any(o["role"] == "primary" for o in outputs):
        return "no_data", NO_DATA
    if any(o["srm"]["mismatch"] for o in outputs):
        return "srm", SRM
    return _harm(outputs) or _primary(outputs)


def keep_running_days(results: Sequence[dict]) -> int | None:
    """Days the slowest primary comparison still needs, if the test is planned."""
    days = [c["days_remaining"] for _, c in _pairs(results, "primary") if c["days_remaining"]]
    return max(days) if days else None


def badge(status: str, days: int | None = None) -> str:
    """The short badge text for lists: "Ship now", "About 9 days left", …"""
    if status == "keep_running" and days is None:
        return "Keep running"
    return BADGES[status].format(days=days)
