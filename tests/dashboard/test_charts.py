"""Chart builders: engine results in, Plotly figure dicts out; no database, no browser.

Lifts are drawn in percent rounded to 4 decimals, hence abs=1e-4 below.
"""

import pytest

from dashboard import charts
from tests.dashboard import engine_results as er


def trace_named(figure, name, index=0):
    return [t for t in figure["data"] if t["name"] == name][index]


def test_forest_plot_draws_the_sequential_interval_ends_in_percent():
    output = er.winner()  # 5.0% vs 6.0% of 20,000 users each
    figure = charts.forest_figure(output, mde=0.1)
    block = output.comparisons[0].sequential_relative
    assert trace_named(figure, "B")["x"] == pytest.approx(
        [block.ci_lower * 100, 20.0, block.ci_upper * 100], abs=1e-3
    )
    assert trace_named(figure, "B")["line"]["color"] == charts.COLOURS["win"]


def test_forest_plot_draws_the_interval_of_the_experiment_s_decision_rule():
    sequential, fixed_rule = (
        er.winner(),
        er.binomial("Order conversion", "primary", [0.05, 0.06], method="fixed"),
    )
    fixed = trace_named(charts.forest_figure(fixed_rule, mde=None), "B")["x"]
    always_valid = trace_named(charts.forest_figure(sequential, mde=None), "B")["x"]
    assert always_valid[0] < fixed[0] < fixed[2] < always_valid[2]
    assert fixed[0] == pytest.approx(fixed_rule.comparisons[0].relative.ci_lower * 100, abs=1e-4)


def test_forest_plot_marks_the_mde_on_both_sides_of_zero():
    figure = charts.forest_figure(er.winner(), mde=0.1)
    lines = sorted(s["x0"] for s in figure["layout"]["shapes"])
    assert lines == [-10.0, 0.0, 10.0]


def test_a_guardrail_moving_the_wrong_way_is_coloured_as_harmful():
    output = er.guardrail_harmed()  # unsubscribes 1.0% → 1.4%, lower is better
    assert output.comparisons[0].verdict.status == "harmful"
    figure = charts.forest_figure(output, mde=None)
    assert trace_named(figure, "B")["line"]["color"] == charts.COLOURS["harmful"]


def test_a_guardrail_that_improves_is_not_harmful():
    output = er.binomial("Unsubscribes", "guardrail", [0.014, 0.01], direction="decrease")
    figure = charts.forest_figure(output, mde=None)
    assert trace_named(figure, "B")["line"]["color"] == charts.COLOURS["win"]


def test_a_guardrail_drifting_the_wrong_way_without_proof_is_flagged_to_watch():
    output = er.guardrail_holding()  # 1.00% → 1.01%: up, but could be chance
    figure = charts.forest_figure(output, mde=None)
    assert trace_named(figure, "B")["line"]["color"] == charts.COLOURS["watch"]


def test_shared_range_holds_every_interval_of_every_metric_and_the_mde():
    outputs = [er.winner(), er.guardrail_harmed()]
    low, high = charts.shared_lift_range(outputs, mde=0.5)
    assert low < -50 and high > 50
    harmed = outputs[1].comparisons[0].sequential_relative
    assert high > harmed.ci_upper * 100


def too_few_users():
    # 2 of 40 → 6 of 40 unsubscribed: an interval from about -1,500% to +1,900%
    return er.binomial("Unsubscribes", "guardrail", [0.05, 0.15], n=40, direction="decrease")


def wide_guardrail():
    # 7 of 700 → 10 of 700: readable, but its sequential interval spans about -180% to +270%
    return er.binomial("Unsubscribes", "guardrail", [0.01, 0.014], n=700, direction="decrease")


def test_shared_range_leaves_out_intervals_of_metrics_with_too_few_users():
    assert too_few_users().comparisons[0].verdict.status == "too_few_units"
    alone = charts.shared_lift_range([er.winner()], mde=0.1)
    assert charts.shared_lift_range([er.winner(), too_few_users()], 0.1) == alone


def test_shared_range_reaches_no_further_than_a_few_mdes_or_past_the_largest_estimate():
    # winner: +20% (+4% to +36%); the guardrail +43% (-183% to +268%); MDE 10%
    low, high = charts.shared_lift_range([er.winner(), wide_guardrail()], mde=0.1)
    assert -80 < low < -64 and 64 < high < 80


def test_an_interval_past_the_shared_range_ends_in_arrows_at_the_edges():
    figure = charts.forest_figure(wide_guardrail(), mde=0.1, x_range=[-70, 70])
    trace = trace_named(figure, "B")
    assert trace["x"] == pytest.approx([-70, 42.857, 70], abs=1e-3)
    assert trace["marker"]["symbol"] == ["triangle-left", "circle", "triangle-right"]
    assert trace["marker"]["size"][0] > 0 and trace["marker"]["size"][2] > 0
    assert trace["cliponaxis"] is False  # the arrows sit on the edge: drawn whole


def test_a_clipped_interval_keeps_its_true_ends_in_the_hover_text_and_the_table():
    output = wide_guardrail()
    block = output.comparisons[0].sequential_relative
    figure = charts.forest_figure(output, mde=0.1, x_range=[-70, 70])
    low, high = block.ci_lower * 100, block.ci_upper * 100
    assert trace_named(figure, "B")["text"][0] == f"+42.9% (interval {low:+.1f}% to {high:+.1f}%)"
    assert charts.forest_table(output)["rows"][0][2:] == pytest.approx([low, high], abs=1e-4)


def test_an_interval_inside_the_range_has_no_arrows():
    figure = charts.forest_figure(er.winner(), mde=0.1, x_range=[-40, 40])
    assert trace_named(figure, "B")["marker"]["symbol"] == ["circle"] * 3
    assert trace_named(figure, "B")["marker"]["size"] == [0, 14, 0]


def test_forest_plot_leaves_room_for_the_longest_variant_name():
    figure = charts.forest_figure(er.winner(), mde=0.1)
    assert figure["layout"]["yaxis"]["automargin"] is True


def test_a_short_series_ticks_once_a_day_with_day_and_month():
    series = charts.series_from_outputs(
        er.daily("Order conversion", "primary", [0.05, 0.06], days=3)
    )
    figures = [
        charts.cumulative_figure(series, metric_type="binomial"),
        charts.lift_over_time_figure(series, sequential=True),
        charts.traffic_figure(series, planned=[1, 1], srm_p_value=0.5),
    ]
    for figure in figures:
        xaxis = figure["layout"]["xaxis"]
        assert (xaxis["type"], xaxis["tickformat"], xaxis["dtick"]) == ("date", "%d %b", 86_400_000)


def test_a_date_axis_leaves_half_a_day_beside_the_first_and_last_day():
    # A line ending on the last day (no marker to pad it) otherwise loses that day's tick.
    axis = charts.date_axis(["2025-03-03", "2025-03-04", "2025-03-05"])
    assert axis["range"] == ["2025-03-02 12:00", "2025-03-05 12:00"]


def test_a_long_series_ticks_every_few_whole_days():
    # Nine days drawn a day apart crowd a half-width chart: "11 Sep12 Sep13 Sep".
    nine = [f"2025-03-{d:02d}" for d in range(1, 10)]
    assert charts.date_axis(nine)["dtick"] == 2 * 86_400_000
    month = [f"2025-03-{d:02d}" for d in range(1, 29)]
    assert charts.date_axis(month)["dtick"] == 5 * 86_400_000


def test_forest_table_holds_the_numbers_behind_the_plot():
    output = er.winner()
    table = charts.forest_table(output)
    relative = output.comparisons[0].sequential_relative  # the decision rule's interval
    low, high = relative.ci_lower * 100, relative.ci_upper * 100
    assert table["rows"] == [
        ["B", 20.0, pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4)]
    ]


def test_cumulative_figure_has_one_line_per_variant_in_percent():
    series = charts.series_from_outputs(er.daily("Order conversion", "primary", [0.05, 0.06]))
    figure = charts.cumulative_figure(series, metric_type="binomial")
    assert [t["name"] for t in figure["data"]] == ["control", "B"]
    assert trace_named(figure, "B")["y"] == pytest.approx([6.0] * 7, abs=0.01)
    assert trace_named(figure, "B")["x"][0] == "2025-03-03"


def test_lift_over_time_band_follows_the_sequential_interval_each_day():
    days = er.daily("Order conversion", "primary", [0.05, 0.06], days=3)
    figure = charts.lift_over_time_figure(charts.series_from_outputs(days), sequential=True)
    upper, lower, estimate = figure["data"]  # the control has no lift line
    expected = [o["comparisons"][0]["sequential"]["relative"]["ci_lower"] * 100 for _, o in days]
    assert lower["y"] == pytest.approx(expected, abs=1e-4)
    assert lower["fill"] == "tonexty"
    assert estimate["y"] == pytest.approx([20.0] * 3, abs=0.01)
    assert all(u > e for u, e in zip(upper["y"], estimate["y"], strict=True))


def test_lift_over_time_with_fixed_horizon_uses_the_fixed_interval():
    days = er.daily("Order conversion", "primary", [0.05, 0.06], days=2)
    figure = charts.lift_over_time_figure(charts.series_from_outputs(days), sequential=False)
    expected = [o["comparisons"][0]["relative"]["ci_upper"] * 100 for _, o in days]
    assert figure["data"][0]["y"] == pytest.approx(expected, abs=1e-4)


def test_traffic_figure_shows_daily_shares_against_the_planned_split_and_the_srm_p_value():
    # Day 1: 1,000 control and 1,000 B; day 2: 1,000 more control and 3,000 more B.
    series = {
        "control": [
            {"date": "2025-03-03", "n": 1000, "value": 0.05},
            {"date": "2025-03-04", "n": 2000, "value": 0.05},
        ],
        "B": [
            {"date": "2025-03-03", "n": 1000, "value": 0.05},
            {"date": "2025-03-04", "n": 4000, "value": 0.05},
        ],
    }
    figure = charts.traffic_figure(series, planned=[1, 1], srm_p_value=1.2e-5)
    assert trace_named(figure, "B")["y"] == [50.0, 75.0]
    assert [s["y0"] for s in figure["layout"]["shapes"]] == [50.0, 50.0]
    assert figure["layout"]["title"]["text"] == "SRM check p < 0.0001"


def test_figures_hold_only_json_types():
    import json

    series = charts.series_from_outputs(er.daily("Order conversion", "primary", [0.05, 0.06]))
    figures = [
        charts.forest_figure(er.winner(), mde=0.1),
        charts.cumulative_figure(series, metric_type="binomial"),
        charts.lift_over_time_figure(series, sequential=True),
        charts.traffic_figure(series, planned=[1, 1], srm_p_value=0.5),
    ]
    assert json.loads(json.dumps(figures, allow_nan=False)) == figures
