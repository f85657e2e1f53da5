"""Programme impact → Plotly figure dicts: one chart per KPI node, raw beside shrunk.

No ORM: the input is ``learnings.impact.NodeImpact``; the page hands the figures to
``static/js/charts.js`` as JSON (no inline script, plotly.js served from static, so the CSP
holds). Lifts are drawn in percent, as on the results pages.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dashboard.charts import FONT, pct
from learnings.impact import NodeImpact

RAW_COLOUR, SHRUNK_COLOUR = "#a16207", "#1d4ed8"


def node_figure(node: NodeImpact) -> dict:
    """Cumulative raw and shrunk lift after each shipped test, each with its 95% interval."""
    rows = node.cumulative
    labels = [
        f"{date_format(t.experiment.concluded_at, 'j M Y')} · {t.experiment.title[:40]}"
        for t, *_ in rows
    ]

    def line(name: str, values, halves, colour: str) -> dict:
        return {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": labels,
            "y": [pct(v) for v in values],
            "error_y": {"type": "data", "array": [pct(h) for h in halves], "visible": True},
            "line": {"color": colour},
            "marker": {"color": colour},
        }

    data = [
        line(_("Raw"), [r[1] for r in rows], [r[2] for r in rows], RAW_COLOUR),
        line(_("Shrunk"), [r[3] for r in rows], [r[4] for r in rows], SHRUNK_COLOUR),
    ]
    layout = {
        "title": {"text": _("%(node)s: cumulative lift of shipped tests") % {"node": node.node}},
        "font": FONT,
        "yaxis": {"title": {"text": _("Summed relative lift, %")}, "zeroline": True},
        "xaxis": {"type": "category", "showticklabels": False},
        "margin": {"l": 56, "r": 16, "t": 48, "b": 24},
        "legend": {"orientation": "h"},
        "hovermode": "x unified",
    }
    return {"data": data, "layout": layout}


def figures(nodes: list[NodeImpact]) -> dict[str, dict]:
    """Every node's chart by the name its ``data-figure`` element carries."""
    return {f"node-{node.metric_id}": node_figure(node) for node in nodes}
