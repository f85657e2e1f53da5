"""Programme health across sprints: plain facts in, numbers per sprint and Plotly figure dicts out.

No ORM and no browser: `sprints.selectors.programme_facts` reads the database into these
dataclasses, and the page hands the figures to plotly.js as JSON.

A test counts in the sprint whose days hold the event: launched in the sprint it started in,
concluded in the sprint it was concluded in, so a carried-over test is counted where it happened.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median

WIN_DECISION = "ship"
COLOURS = {"launched": "#2563eb", "concluded": "#16a34a", "line": "#7c3aed"}


@dataclass(frozen=True)
class SprintSpan:
    label: str
    starts_on: date
    ends_on: date  # inclusive

    def holds(self, day: date | None) -> bool:
        return day is not None and self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class ExperimentFact:
    started_on: date | None
    concluded_on: date | None
    decision: str = ""
    has_learning: bool = False
    idea_created_on: date | None = None
    metric: str = ""
    lift: float | None = None  # measured relative lift of the primary metric, from results


@dataclass(frozen=True)
class SprintFigures:
    label: str
    launched: int
    concluded: int
    wins: int
    with_learning: int
    median_days_to_decision: float | None

    @property
    def win_rate(self) -> float | None:
        """Share of the tests concluded in the sprint that shipped, in percent."""
        return None if not self.concluded else round(100 * self.wins / self.concluded, 1)

    @property
    def learning_share(self) -> float | None:
        """Share of the tests launched in the sprint that have a written learning, in percent."""
        return None if not self.launched else round(100 * self.with_learning / self.launched, 1)


def sprint_figures(span: SprintSpan, facts: list[ExperimentFact]) -> SprintFigures:
    launched = [f for f in facts if span.holds(f.started_on)]
    concluded = [f for f in facts if span.holds(f.concluded_on)]
    waits = [(f.concluded_on - f.idea_created_on).days for f in concluded if f.idea_created_on]
    return SprintFigures(
        label=span.label,
        launched=len(launched),
        concluded=len(concluded),
        wins=sum(f.decision == WIN_DECISION for f in concluded),
        with_learning=sum(f.has_learning for f in launched),
        median_days_to_decision=median(waits) if waits else None,
    )


def programme(spans: list[SprintSpan], facts: list[ExperimentFact]) -> list[SprintFigures]:
    return [sprint_figures(span, facts) for span in spans]


def cumulative_impact(
    spans: list[SprintSpan], facts: list[ExperimentFact]
) -> dict[str, list[float]]:
    """Per primary metric, the summed relative lifts of shipped tests up to each sprint.

    A shipped test counts in the sprint it was concluded in; one without stored results has
    no measured lift and is left out (`unmeasured_wins` counts them).
    """
    per_metric: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(spans))
    for fact in facts:
        if fact.decision != WIN_DECISION or fact.lift is None:
            continue
        for i, span in enumerate(spans):
            if span.holds(fact.concluded_on):
                per_metric[fact.metric or "No primary metric"][i] += fact.lift
    return {metric: running_sum(lifts) for metric, lifts in sorted(per_metric.items())}


def unmeasured_wins(spans: list[SprintSpan], facts: list[ExperimentFact]) -> int:
    """Shipped tests concluded in these sprints that have no stored result."""
    return sum(
        f.decision == WIN_DECISION
        and f.lift is None
        and any(s.holds(f.concluded_on) for s in spans)
        for f in facts
    )


def running_sum(values: list[float]) -> list[float]:
    total, sums = 0.0, []
    for value in values:
        total += value
        sums.append(total)
    return sums


def layout(title: str, y_title: str, **extra) -> dict:
    return {
        "title": {"text": title},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "xaxis": {"type": "category"},
        "margin": {"l": 56, "r": 16, "t": 48, "b": 40},
        "legend": {"orientation": "h"},
        **extra,
    }


def velocity_figure(rows: list[SprintFigures]) -> dict:
    labels = [r.label for r in rows]
    bars = [
        {
            "type": "bar",
            "name": "Launched",
            "x": labels,
            "y": [r.launched for r in rows],
            "marker": {"color": COLOURS["launched"]},
        },
        {
            "type": "bar",
            "name": "Concluded",
            "x": labels,
            "y": [r.concluded for r in rows],
            "marker": {"color": COLOURS["concluded"]},
        },
    ]
    return {"data": bars, "layout": layout("Velocity: tests per sprint", "Tests", barmode="group")}


def percent_figure(rows: list[SprintFigures], values: list, title: str, name: str) -> dict:
    line = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": [r.label for r in rows],
        "y": values,
        "line": {"color": COLOURS["line"]},
    }
    figure_layout = layout(title, "%")
    figure_layout["yaxis"]["range"] = [0, 100]
    return {"data": [line], "layout": figure_layout}


def impact_figure(rows: list[SprintFigures], impact: dict[str, list[float]]) -> dict:
    labels = [r.label for r in rows]
    lines = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": metric,
            "x": labels,
            "y": [round(100 * lift, 2) for lift in lifts],
        }
        for metric, lifts in impact.items()
    ]
    title = "Measured impact per KPI: shipped lifts, cumulative"
    return {"data": lines, "layout": layout(title, "Summed relative lift, %")}


def figures(rows: list[SprintFigures], impact: dict[str, list[float]]) -> dict[str, dict]:
    """Every programme chart by the name its `data-figure` node carries."""
    labels = [r.label for r in rows]
    median_bar = {
        "type": "bar",
        "name": "Median days",
        "x": labels,
        "y": [r.median_days_to_decision for r in rows],
    }
    return {
        "velocity": velocity_figure(rows),
        "win_rate": percent_figure(
            rows, [r.win_rate for r in rows], "Win rate of concluded tests", "Win rate"
        ),
        "learning_share": percent_figure(
            rows,
            [r.learning_share for r in rows],
            "Launched tests with a written learning",
            "With a learning",
        ),
        "idea_to_decision": {
            "data": [median_bar],
            "layout": layout("Median days from idea to decision", "Days"),
        },
        "impact": impact_figure(rows, impact),
    }
