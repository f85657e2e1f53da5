"""Programme figures from known facts: no database, no browser."""

from datetime import date

import pytest

from sprints.charts import (
    ExperimentFact,
    SprintSpan,
    cumulative_impact,
    figures,
    programme,
    unmeasured_wins,
)

SPANS = [
    SprintSpan("Sprint 1", date(2026, 1, 5), date(2026, 1, 25)),
    SprintSpan("Sprint 2", date(2026, 1, 26), date(2026, 2, 15)),
]
FACTS = [
    # Sprint 1: three launched; two concluded there (one shipped); one carried into sprint 2.
    ExperimentFact(date(2026, 1, 5), date(2026, 1, 20), "ship", True, date(2025, 12, 20), "Orders"),
    ExperimentFact(
        date(2026, 1, 6), date(2026, 1, 24), "abandon", True, date(2025, 12, 1), "Orders"
    ),
    ExperimentFact(date(2026, 1, 10), date(2026, 2, 2), "ship", True, None, "Sign-ups"),
    # Sprint 2: two launched, one still running without a learning.
    ExperimentFact(
        date(2026, 1, 27), date(2026, 2, 14), "inconclusive", True, date(2026, 1, 4), "Orders"
    ),
    ExperimentFact(date(2026, 2, 1), None),
    # Before the first sprint: counted nowhere.
    ExperimentFact(date(2025, 11, 1), date(2025, 11, 20), "ship", True, None, "Orders"),
]


def test_velocity_win_rate_and_learning_share_per_sprint():
    first, second = programme(SPANS, FACTS)
    assert (first.launched, first.concluded, first.wins) == (3, 2, 1)
    assert first.win_rate == 50.0
    assert first.learning_share == 100.0
    assert (second.launched, second.concluded, second.wins) == (2, 2, 1)
    assert second.win_rate == 50.0
    assert second.learning_share == 50.0


def test_median_days_from_idea_to_decision():
    first, second = programme(SPANS, FACTS)
    assert first.median_days_to_decision == 42.5  # 20 Dec → 20 Jan: 31, 1 Dec → 24 Jan: 54
    assert second.median_days_to_decision == 41  # only the one with an idea: 4 Jan → 14 Feb


def test_a_sprint_with_nothing_concluded_has_no_win_rate():
    (empty,) = programme([SprintSpan("Sprint 9", date(2027, 1, 1), date(2027, 1, 21))], FACTS)
    assert (empty.launched, empty.win_rate, empty.learning_share) == (0, None, None)
    assert empty.median_days_to_decision is None


# Shipped tests with their measured lifts: Orders +5 % in sprint 1, +3 % and -1 % in sprint 2;
# Sign-ups +12 % in sprint 2; one shipped without results; an abandoned one with a lift.
IMPACT_FACTS = [
    ExperimentFact(date(2026, 1, 5), date(2026, 1, 20), "ship", metric="Orders", lift=0.05),
    ExperimentFact(date(2026, 1, 26), date(2026, 2, 3), "ship", metric="Orders", lift=0.03),
    ExperimentFact(date(2026, 1, 27), date(2026, 2, 9), "ship", metric="Orders", lift=-0.01),
    ExperimentFact(date(2026, 1, 27), date(2026, 2, 10), "ship", metric="Sign-ups", lift=0.12),
    ExperimentFact(date(2026, 1, 27), date(2026, 2, 11), "ship", metric="Orders"),
    ExperimentFact(date(2026, 1, 6), date(2026, 1, 21), "abandon", metric="Orders", lift=0.4),
    ExperimentFact(date(2025, 11, 1), date(2025, 11, 20), "ship", metric="Orders", lift=0.5),
]


def test_cumulative_measured_impact_per_kpi():
    impact = cumulative_impact(SPANS, IMPACT_FACTS)
    assert list(impact) == ["Orders", "Sign-ups"]
    assert impact["Orders"] == pytest.approx([0.05, 0.07])
    assert impact["Sign-ups"] == pytest.approx([0.0, 0.12])


def test_shipped_tests_without_results_are_counted_as_unmeasured():
    assert unmeasured_wins(SPANS, IMPACT_FACTS) == 1


def test_figures_carry_the_numbers_plotly_draws():
    rows = programme(SPANS, FACTS)
    drawn = figures(rows, cumulative_impact(SPANS, IMPACT_FACTS))
    assert drawn["velocity"]["data"][0]["y"] == [3, 2]
    assert drawn["velocity"]["data"][1]["y"] == [2, 2]
    assert drawn["win_rate"]["data"][0]["y"] == [50.0, 50.0]
    assert drawn["learning_share"]["data"][0]["y"] == [100.0, 50.0]
    assert drawn["impact"]["data"][0] | {} == {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "Orders",
        "x": ["Sprint 1", "Sprint 2"],
        "y": [5.0, 7.0],
    }
    assert drawn["impact"]["data"][1]["y"] == [0.0, 12.0]
    assert set(drawn) == {"velocity", "win_rate", "learning_share", "idea_to_decision", "impact"}
