"""Engine results → Plotly figure dicts of plain lists and floats, and the table behind each.

No ORM and no browser: the inputs are one metric's stored result read back into the engine's
types (``StoredResult``; every interval is the decision rule's) and its daily series,
``{variant name: [{"date", "n", "value", "relative", "sequential_relative"}]}``,
the shape the analysis runs store (``series_from_outputs`` builds it from per-day outputs).
Lifts are drawn in percent, so an axis reads "+12%" as a marketer says it.

Figures are built per request in the reader's language: titles, axis labels, hover text and
legends from the catalogue, and Plotly's ``separators`` and the percent suffix from the
language's formats ("+12,5 %" on a Finnish page).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analysis import wording
from growthlab.web import numbers
from metrics.stats import verdict
from metrics.stats.analysis import Comparison, StoredResult
from metrics.stats.frequentist import TestResult
from metrics.stats.verdict import Status

COLOURS = {
    "win": "#15803d",
    "harmful": "#b91c1c",
    "watch": "#a16207",
    "neutral": "#1d4ed8",
    "control": "#52606d",
    "band": "rgba(29, 78, 216, 0.15)",
    "mde": "#7c3aed",
}
VARIANT_COLOURS = ("#52606d", "#1d4ed8", "#c2410c", "#0f766e", "#7c3aed", "#be185d")
FONT = {"family": "system-ui, sans-serif", "size": 13, "color": "#1f2933"}
Series = dict[str, list[dict]]


def pct(fraction: float | None) -> float | None:
    """A fraction as a percentage rounded for the page: 0.12345 → 12.35; an open end → None."""
    if fraction is None or math.isinf(fraction) or math.isnan(fraction):
        return None
    return round(fraction * 100, 4)


def interval_key(sequential: bool) -> str:
    """Which interval of a stored daily point a chart shows: the decision rule's."""
    return "sequential_relative" if sequential else "relative"


def lift_block(result: StoredResult, comparison: Comparison) -> TestResult:
    """The relative lift and interval the verdict uses (the experiment's decision rule)."""
    return verdict.decision_interval(result.settings, comparison)


def tone(result: StoredResult, comparison: Comparison) -> str:
    """win, harmful, watch (a guardrail drifting the wrong way) or neutral."""
    status = comparison.verdict.status
    if status == Status.HARMFUL:
        return "harmful"
    settings = result.settings
    if settings.role == "guardrail" and not verdict.is_good(settings, comparison.relative.estimate):
        return "watch"
    if status in (Status.SHIP, Status.GUARDRAIL_OK):
        return "win"
    return "neutral"


DAY_MS = 86_400_000
DAY = timedelta(days=1)
MOST_DATE_TICKS = 6  # the half-width charts fit six "14 Nov" labels without touching


def date_axis(days: Sequence[str]) -> dict:
    """Day ticks ("14 Nov"), a whole number of days apart, never a time of day.

    Half a day of room at each end: a line ending exactly on the last day loses that tick.
    """
    step = max(1, math.ceil(len(days) / MOST_DATE_TICKS))
    axis = {
        "type": "date",
        # Plotly's month names are English (its locales are remote assets), so other languages
        # write the day as numbers, the way their dates read.
        # xgettext:no-python-format
        "tickformat": pgettext("d3 date format of a day on a chart axis", "%d %b"),
        # xgettext:no-python-format
        "hoverformat": pgettext("d3 date format of a day in a chart's hover text", "%d %b %Y"),
        "dtick": DAY_MS * step,
    }
    if not days:
        return axis
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    return axis | {"tick0": days[0], "range": [f"{first - DAY} 12:00", f"{last} 12:00"]}


def _layout(height: int, **extra) -> dict:
    return {
        "height": height,
        "margin": {"l": 90, "r": 20, "t": 10, "b": 45},
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": numbers.plotly_separators(),
        "showlegend": False,
        **extra,
    }


# The shared axis reaches at most this far from zero: a few MDEs, or a bit past the largest
# readable estimate. Wider intervals are drawn to the edge with an arrow; the table and the
# hover text keep their true ends.
RANGE_MDES = 3
RANGE_ESTIMATES = 1.5
SMALLEST_HALF_RANGE = 0.05


def readable(comparison: Comparison, block: TestResult) -> bool:
    """An interval worth sizing the shared axis by: enough users, both ends finite."""
    ends = (block.ci_lower, block.estimate, block.ci_upper)
    too_few = comparison.verdict.status == Status.TOO_FEW_UNITS
    return not too_few and all(math.isfinite(v) for v in ends)


def _readable_blocks(results: Iterable[StoredResult]) -> list[dict]:
    blocks = []
    for result in results:
        for comparison in result.comparisons:
            block = lift_block(result, comparison)
            blocks += [_ends(block)] if readable(comparison, block) else []
    return blocks


def _ends(block: TestResult) -> dict:
    """The block as fractions with an open end as None, the way the axis and table read it."""
    return {
        "estimate": block.estimate,
        "ci_lower": None if math.isinf(block.ci_lower) else block.ci_lower,
        "ci_upper": None if math.isinf(block.ci_upper) else block.ci_upper,
    }


def shared_lift_range(results: Iterable[StoredResult], mde: float | None) -> list:
    """One x range, in percent, for every forest plot of a test.

    It holds zero, ±MDE and every readable interval, but reaches no further than a few MDEs
    or a bit past the largest estimate: one wild interval must not flatten every plot.
    """
    blocks = _readable_blocks(results)
    largest = max((abs(b["estimate"]) for b in blocks), default=0.0)
    cap = max(RANGE_MDES * abs(mde or 0), RANGE_ESTIMATES * largest, SMALLEST_HALF_RANGE)
    ends = [0.0] + ([mde, -mde] if mde else [])
    ends += [v for b in blocks for v in (b["ci_lower"], b["ci_upper"])]
    low, high = pct(max(min(ends), -cap)), pct(min(max(ends), cap))
    pad = max((high - low) * 0.08, 1.0)
    return [round(low - pad, 2), round(high + pad, 2)]


def _shown(value: float | None, x_range, side: int) -> tuple[float | None, bool]:
    """Where a point is drawn and whether it was clipped; an open end (None) lies at ±∞."""
    if x_range is None or (value is None and side == 0):
        return value, False
    low, high = x_range
    if value is None:
        return (low if side < 0 else high), True
    clipped = min(max(value, low), high)
    return clipped, clipped != value


def percent_suffix() -> str:
    """What follows a number on a percent axis: "%" in English, " %" in Finnish."""
    return numbers.percent_pattern().replace("{number}", "")


def _signed(value: float | None) -> str:
    """A percentage already in percent, with its sign, to one decimal."""
    if value is None:
        return _("open")
    sign = "+" if value >= 0 else "-"
    return sign + numbers.percent_pattern().format(number=numbers.decimal(abs(value), 1))


def _hover(block: dict) -> str:
    """The true lift and interval ends, whatever part of them the axis shows."""
    low, estimate, high = (pct(block[k]) for k in ("ci_lower", "estimate", "ci_upper"))
    return _("%(lift)s (interval %(low)s to %(high)s)") % {
        "lift": _signed(estimate),
        "low": _signed(low),
        "high": _signed(high),
    }


EDGE_SYMBOLS = ("triangle-left", "triangle-right")


def _markers(ends: list, shown: list, colour: str) -> dict:
    """A dot at the estimate; an arrow at each end the axis cut off (or at a clipped estimate)."""
    sides = [0, 0 if ends[1] is None or ends[1] < 0 else 1, 1]
    symbols = [
        EDGE_SYMBOLS[s] if cut else "circle" for s, (_, cut) in zip(sides, shown, strict=True)
    ]
    sizes = [16 if cut else (14 if i == 1 else 0) for i, (_, cut) in enumerate(shown)]
    return {"color": colour, "size": sizes, "symbol": symbols}


def _interval_trace(block: dict, name: str, colour: str, x_range=None) -> dict:
    ends = [pct(block["ci_lower"]), pct(block["estimate"]), pct(block["ci_upper"])]
    shown = [_shown(v, x_range, side) for v, side in zip(ends, (-1, 0, 1), strict=True)]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": [v for v, _ in shown],
        "y": [name] * 3,
        "line": {"color": colour, "width": 4},
        "marker": _markers(ends, shown, colour),
        "text": [_hover(block)] * 3,
        "hovertemplate": "%{text}<extra>" + name + "</extra>",
        "cliponaxis": False,  # an arrow on the axis edge would otherwise be cut in half
    }


def _mde_shapes(mde: float | None) -> list[dict]:
    shapes = [_vline(0.0, "#9aa5b1", "solid")]
    if mde:
        shapes += [_vline(pct(abs(mde)), COLOURS["mde"], "dash")]
        shapes += [_vline(pct(-abs(mde)), COLOURS["mde"], "dash")]
    return shapes


def _vline(x: float, colour: str, dash: str) -> dict:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "width": 1.5, "dash": dash},
    }


def forest_figure(result: StoredResult, *, mde: float | None, x_range=None) -> dict:
    """Relative lift of each treatment with the decision rule's interval; the MDE as dashed
    lines at ±MDE."""
    data = [
        _interval_trace(_ends(lift_block(result, c)), c.variant, COLOURS[tone(result, c)], x_range)
        for c in result.comparisons
    ]
    xaxis = {
        "title": {"text": _("Change against control")},
        "ticksuffix": percent_suffix(),
        "zeroline": False,
    }
    if x_range is not None:
        xaxis["range"] = x_range
    rows = len(result.comparisons)
    # automargin widens the left margin to the longest variant name, so none is cut off.
    # The suffix keeps a left arrow on the axis edge off the name.
    yaxis = {"autorange": "reversed", "type": "category", "automargin": True, "ticksuffix": "   "}
    return {
        "data": data,
        "layout": _layout(70 + 45 * rows, xaxis=xaxis, yaxis=yaxis, shapes=_mde_shapes(mde)),
    }


def forest_table(result: StoredResult) -> dict:
    """The numbers behind the forest plot: lift and interval ends per treatment, in percent."""
    rows = []
    for comparison in result.comparisons:
        block = lift_block(result, comparison)
        rows.append(
            [comparison.variant, pct(block.estimate), pct(block.ci_lower), pct(block.ci_upper)]
        )
    columns = [_("Variant"), _("Lift %"), _("Interval low %"), _("Interval high %")]
    return {"columns": columns, "rows": rows}


def cumulative_figure(series: Series, *, metric_type: str) -> dict:
    """The metric per variant from the start to each day (conversion rates in percent)."""
    scale = 100 if metric_type == "binomial" else 1
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": [p["date"] for p in points],
            "y": [round(p["value"] * scale, 6) for p in points],
            "line": {"color": VARIANT_COLOURS[i % len(VARIANT_COLOURS)], "width": 2},
        }
        for i, (name, points) in enumerate(series.items())
    ]
    yaxis = {"title": {"text": _("Rate %") if scale == 100 else _("Average")}}
    return {
        "data": data,
        "layout": _layout(
            260,
            yaxis=yaxis,
            showlegend=True,
            xaxis=date_axis(_days_of(series)),
            legend={"orientation": "h", "y": -0.2},
        ),
    }


def _days_of(series: Series) -> list[str]:
    return [p["date"] for p in next(iter(series.values()), [])]


def lift_over_time_figure(series: Series, *, sequential: bool) -> dict:
    """Each treatment's lift per day with its interval as a band around it."""
    key, data = interval_key(sequential), []
    for i, (name, points) in enumerate(series.items()):
        treated = [p for p in points if key in p]
        if not treated:
            continue  # the control has no lift against itself
        days = [p["date"] for p in treated]
        colour = VARIANT_COLOURS[i % len(VARIANT_COLOURS)]
        data += _band(name, days, [p[key] for p in treated], colour)
    layout = _layout(
        260,
        yaxis={
            "title": {"text": _("Change %")},
            "ticksuffix": percent_suffix(),
            "zeroline": True,
            "zerolinecolor": "#9aa5b1",
        },
        xaxis=date_axis(_days_of(series)),
    )
    return {"data": data, "layout": layout}


def _band(name: str, days: list[str], blocks: list[dict], colour: str) -> list[dict]:
    def trace(field: str, **extra) -> dict:
        return {
            "type": "scatter",
            "mode": "lines",
            "x": days,
            "y": [pct(b[field]) for b in blocks],
            "name": name,
            **extra,
        }

    edge = {"line": {"width": 0}, "hoverinfo": "skip"}
    return [
        trace("ci_upper", **edge),
        trace("ci_lower", fill="tonexty", fillcolor=COLOURS["band"], **edge),
        trace("estimate", line={"color": colour, "width": 2}),
    ]


def daily_users(points: Sequence[dict]) -> list[int]:
    """New users per day from the cumulative counts."""
    counts = [p["n"] for p in points]
    return [now - before for now, before in zip(counts, [0, *counts[:-1]], strict=True)]


def traffic_figure(series: Series, *, planned: Sequence[float], srm_p_value: float) -> dict:
    """Each variant's share of the day's new users, against its planned share (dashed)."""
    names = list(series)
    per_day = [daily_users(series[name]) for name in names]
    totals = [sum(day) or 1 for day in zip(*per_day, strict=True)]
    data, shapes = [], []
    for i, name in enumerate(names):
        colour = VARIANT_COLOURS[i % len(VARIANT_COLOURS)]
        shares = [
            round(100 * users / total, 3) for users, total in zip(per_day[i], totals, strict=True)
        ]
        days = [p["date"] for p in series[name]]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": days,
                "y": shares,
                "line": {"color": colour, "width": 2},
            }
        )
        planned_share = round(100 * planned[i] / sum(planned), 3)
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": planned_share,
                "y1": planned_share,
                "line": {"color": colour, "dash": "dash", "width": 1},
            }
        )
    title = _("SRM check %(p)s") % {"p": wording.p_equals(srm_p_value)}
    layout = _layout(
        260,
        yaxis={"title": {"text": _("Share of users %")}, "ticksuffix": percent_suffix()},
        xaxis=date_axis(_days_of(series)),
        shapes=shapes,
        showlegend=True,
        legend={"orientation": "h", "y": -0.2},
        title={"text": title, "font": {"size": 13}},
    )
    layout["margin"]["t"] = 35
    return {"data": data, "layout": layout}


def series_from_outputs(days: Sequence[tuple[date, dict]]) -> Series:
    """The stored series shape from one ``analyse`` output per day (cumulative counts)."""
    series: Series = {}
    for day, output in days:
        by_variant = {c["variant"]: c for c in output["comparisons"]}
        for variant in output["variants"]:
            point = {"date": day.isoformat(), "n": variant["n"], "value": variant["value"]}
            if comparison := by_variant.get(variant["name"]):
                point["relative"] = comparison["relative"]
                point["sequential_relative"] = comparison["sequential"]["relative"]
            series.setdefault(variant["name"], []).append(point)
    return series


def segment_forest_figure(view) -> dict:
    """One dimension's segments on a shared axis (each segment's relative lift and interval),
    with zero and the overall effect drawn through them as vertical lines.

    ``view`` is a ``dashboard.segments.DimensionView``: rows with ``segment``, ``lift``,
    ``ci_lower`` and ``ci_upper`` as fractions, and ``overall``.
    """
    data = [
        _interval_trace(
            {"estimate": r.lift, "ci_lower": _finite(r.ci_lower), "ci_upper": _finite(r.ci_upper)},
            r.segment,
            COLOURS["neutral"],
        )
        for r in view.rows
    ]
    xaxis = {
        "title": {"text": _("Change against control")},
        "ticksuffix": percent_suffix(),
        "zeroline": False,
    }
    yaxis = {"autorange": "reversed", "type": "category", "automargin": True, "ticksuffix": "   "}
    shapes = [_vline(0.0, "#9aa5b1", "solid"), _vline(pct(view.overall), COLOURS["win"], "dot")]
    return {
        "data": data,
        "layout": _layout(70 + 45 * len(view.rows), xaxis=xaxis, yaxis=yaxis, shapes=shapes),
    }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def segment_table(view) -> dict:
    """The numbers behind a segment forest plot, in percent; BH beside raw, shrunk beside raw."""
    rows = [
        [
            r.segment,
            sum(r.users),
            pct(r.lift),
            pct(_finite(r.ci_lower)),
            pct(_finite(r.ci_upper)),
            pct(r.shrunk),
            wording.p_value(r.p_value),
            wording.p_value(r.p_value_adjusted),
        ]
        for r in view.rows
    ]
    columns = [
        _("Segment"),
        _("Users"),
        _("Lift %"),
        _("Interval low %"),
        _("Interval high %"),
        _("Shrunk lift %"),
        _("p-value"),
        _("p-value, BH-adjusted"),
    ]
    return {"columns": columns, "rows": rows}
