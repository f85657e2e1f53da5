"""Programme impact: shipped tests' lifts per KPI node, raw beside shrunk, from stored results."""

import json
import math
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from experiments.models import Decision, Experiment
from learnings.impact import MeasuredLift, _pooled_shrink, programme_impact, quarterly_figures


def test_the_luckiest_winner_is_pulled_down_and_the_total_shrinks(shipped):
    [node] = programme_impact()
    assert node.node == "Order conversion"
    assert len(node.tests) == 5
    by_title = {t.experiment.title: t.lift for t in node.tests}
    best = by_title["Shipped test 0"]
    assert best.raw == pytest.approx(0.8, abs=0.01)
    assert best.value < best.raw
    assert node.shrunk_total < node.raw_total
    # the worst one is pulled up towards the programme's mean
    assert by_title["Shipped test 3"].value > by_title["Shipped test 3"].raw
    low, high = node.shrunk_interval
    assert low < node.shrunk_total < high


def test_the_programme_page_shows_raw_and_shrunk_side_by_side(client, people, shipped):
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:programme"))
    assert response.status_code == 200
    assert "Order conversion" in response.text
    assert "Raw total" in response.text and "Shrunk total" in response.text
    assert "Shipped test 0" in response.text


def test_two_teams_on_the_same_metric_share_one_node_each_with_its_total(people, shipped):
    Experiment.objects.filter(pk__in=shipped[3:]).update(team=people.other_team)
    [node] = programme_impact()
    assert {team.team for team in node.teams} == {people.team.name, people.other_team.name}
    mine, theirs = sorted(node.teams, key=lambda t: t.team != people.team.name)
    assert len(mine.tests) == 3 and len(theirs.tests) == 2
    assert mine.raw_total + theirs.raw_total == pytest.approx(node.raw_total)
    assert mine.shrunk_total + theirs.shrunk_total == pytest.approx(node.shrunk_total)


def test_the_interval_of_a_total_adds_the_variances_of_its_tests(shipped):
    [node] = programme_impact()
    low, high = node.shrunk_interval
    half = 1.959964 * math.sqrt(sum(t.lift.std_error**2 for t in node.tests))
    assert (high - low) / 2 == pytest.approx(half, rel=1e-5)
    low, high = node.raw_interval
    half = 1.959964 * math.sqrt(sum(t.lift.raw_std_error**2 for t in node.tests))
    assert (high - low) / 2 == pytest.approx(half, rel=1e-5)
    # the chart's last point is the node's total
    *_, (_, raw, _, shrunk, _) = node.cumulative
    assert raw == pytest.approx(node.raw_total) and shrunk == pytest.approx(node.shrunk_total)


def test_a_lost_test_counts_in_the_prior_but_not_in_the_total(shipped):
    [before] = programme_impact()
    Experiment.objects.filter(pk=shipped[0]).update(decision=Decision.ITERATE)
    [after] = programme_impact()
    assert len(after.tests) == 4
    # the +80% test still pulls the programme's mean up: the other four are shrunk alike
    by_title = {t.experiment.title: t.lift.value for t in before.tests}
    for test in after.tests:
        assert test.lift.value == pytest.approx(by_title[test.experiment.title])


def test_lifts_where_lower_is_better_are_pooled_in_their_good_direction():
    # Four hand-computed lifts (test_shrinkage): 10%, 2%, -2%, 6% ± 4% shrink to
    # 8.8%, 2.4%, -0.8%, 5.6%. Stated as falls of a "lower is better" metric, the same gains
    # shrink to the same sizes with their own sign.
    def lift(estimate, good_up):
        return MeasuredLift("m", estimate, estimate - 0.08, estimate + 0.08, 0.04, good_up)

    up = _pooled_shrink([lift(y, True) for y in (0.10, 0.02, -0.02, 0.06)])
    assert [r.value for r in up] == pytest.approx([0.088, 0.024, -0.008, 0.056])
    mixed = _pooled_shrink(
        [lift(0.10, True), lift(-0.02, False), lift(-0.02, True), lift(-0.06, False)]
    )
    assert [r.value for r in mixed] == pytest.approx([0.088, -0.024, -0.008, -0.056])
    assert mixed[1].ci_lower < mixed[1].value < mixed[1].ci_upper
    assert mixed[1].raw_ci_lower == pytest.approx(-0.02 - 1.959964 * 0.04, abs=1e-6)


def test_the_page_carries_one_chart_per_node_as_data_not_script(client, people, shipped):
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:programme"))
    [node] = programme_impact()
    figures = json.loads(json.dumps(response.context["figures"]))
    figure = figures[f"node-{node.metric_id}"]
    assert [line["name"] for line in figure["data"]] == ["Raw", "Shrunk"]
    assert len(figure["data"][0]["y"]) == 5
    assert figure["data"][1]["y"][-1] == pytest.approx(100 * node.shrunk_total, abs=1e-3)
    assert 'id="programme-figures" type="application/json"' in response.text
    assert f'data-figure="node-{node.metric_id}"' in response.text
    assert "vendor/plotly.min.js" in response.text


def concluded_on(people, day, decision):
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, 12))
    return Experiment.objects.create(
        team=people.team,
        title=f"Concluded {day} {decision}",
        status=Experiment.Status.CONCLUDED,
        decision=decision,
        learning="Learned.",
        started_at=moment - timedelta(days=20 if decision == Decision.SHIP else 30),
        concluded_at=moment,
    )


def test_win_rate_learning_rate_and_time_to_decision_per_quarter(client, people):
    day = datetime(2026, 2, 10).date()
    concluded_on(people, day, Decision.SHIP)
    concluded_on(people, day, Decision.ABANDON)
    concluded_on(people, day, Decision.INCONCLUSIVE)
    concluded_on(people, day, Decision.SHIP)
    concluded_on(people, datetime(2026, 8, 1).date(), Decision.INCONCLUSIVE)
    first, second = quarterly_figures()
    assert (first.label, first.concluded, first.wins, first.decisive) == ("2026 Q1", 4, 2, 3)
    assert first.win_rate == 0.5 and first.learning_rate == 0.75
    assert first.median_days_to_decision == 25  # 20, 20, 30, 30 days
    assert (second.label, second.win_rate, second.learning_rate) == ("2026 Q3", 0.0, 0.0)
    client.force_login(people.viewer)
    response = client.get(reverse("learnings:programme"))
    rows = response.text.split('data-testid="quarter-row"')[1:]
    assert "2026 Q1" in rows[0] and "50%" in rows[0] and "75%" in rows[0] and "25" in rows[0]


def test_the_programme_page_needs_a_sign_in(client):
    response = client.get(reverse("learnings:programme"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
