"""The results page: the verdict first, every metric's charts and numbers, the data's state.

Stored results come from `dashboard.selectors.latest_result_for`; these tests hand it results
computed by the engine from plain counts, so the page is tested apart from how runs are stored.
"""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard import results, selectors
from tests.dashboard import engine_results as er
from tests.factories import experiment_make


@pytest.fixture
def experiment(people):
    return experiment_make(people, ready=True)


@pytest.fixture
def show(monkeypatch, client, people, experiment):
    """Open the results page with `results` as the stored answer; returns the response."""
    client.force_login(people.viewer)

    def show(results):
        monkeypatch.setattr(selectors, "latest_result_for", lambda _: results)
        return client.get(reverse("experiment:results", args=[experiment.pk]))

    return show


def figures_of(response) -> dict:
    raw = re.search(
        r'<script id="result-figures" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(raw[1])


def test_a_winner_leads_with_ship_and_draws_every_chart(show):
    response = show(er.experiment_results(*er.STATES["winner"]()))
    text = response.content.decode()
    assert response.status_code == 200
    assert '<p class="headline-sentence" data-testid="headline">Ship B</p>' in text
    assert sorted(figures_of(response)) == [
        "cumulative-m0",
        "cumulative-m1",
        "forest-m0",
        "forest-m1",
        "lift-m0",
        "lift-m1",
        "traffic",
    ]
    for key in figures_of(response):
        assert f'data-figure="{key}"' in text


def test_every_metric_shows_raw_values_chance_to_win_and_its_table(show):
    results = er.experiment_results(*er.STATES["winner"]())
    text = show(results).content.decode()
    chance = results.metrics[0].result.comparisons[0].bayesian.chance_to_win
    assert "6.00%" in text and "5.00%" in text  # conversion per variant
    assert f'<td class="number">{round(chance * 100):.0f}%</td>' in text
    assert text.count('<details class="chart-table">') == 2 * 2 + 1  # forest + daily, traffic


def test_adjusted_p_values_appear_only_when_a_correction_is_on(show):
    uncorrected = er.daily("Order conversion", "primary", [0.05, 0.06], correction="none")
    plain = show(er.experiment_results(uncorrected)).content.decode()
    assert "Adjusted p-value</th>" not in plain
    corrected = er.experiment_results(
        er.daily("Order conversion", "primary", [0.05, 0.06], correction="holm")
    )
    assert "Adjusted p-value</th>" in show(corrected).content.decode()


def test_a_harmed_guardrail_is_the_headline_even_with_a_primary_win(show):
    text = show(er.experiment_results(*er.STATES["guardrail"]())).content.decode()
    assert 'data-testid="headline">Guardrail harmed: Unsubscribes up 40%</p>' in text


def test_a_broken_split_says_so_and_explains_what_to_do(show):
    text = show(er.experiment_results(*er.STATES["srm"]())).content.decode()
    assert 'data-testid="headline">Data problem: traffic split is broken</p>' in text
    assert "The split is broken" in text
    assert "What to do: Check the assignment code" in text


def test_a_failed_refresh_shows_the_reason_beside_the_last_good_result(show):
    results = er.experiment_results(
        *er.STATES["winner"](), failure="The warehouse did not answer.", failed_at=timezone.now()
    )
    text = show(results).content.decode()
    assert "The latest update failed" in text and "The warehouse did not answer." in text
    assert 'data-testid="headline">Ship B</p>' in text


def test_results_older_than_twelve_hours_of_a_running_test_are_marked_stale(show, experiment):
    type(experiment).objects.filter(pk=experiment.pk).update(
        status="running", started_at=timezone.now() - timezone.timedelta(days=3)
    )
    results = er.experiment_results(*er.STATES["winner"]())
    results.computed_at = timezone.now() - timezone.timedelta(hours=13)
    assert 'data-testid="stale"' in show(results).content.decode()


def test_before_any_analysis_the_page_says_no_results_yet(show):
    response = show(None)
    assert response.status_code == 200
    assert 'data-testid="headline">No results yet</p>' in response.content.decode()
    assert figures_of(response) == {}


def test_an_unknown_experiment_is_not_found(client, people):
    client.force_login(people.viewer)
    assert client.get(reverse("experiment:results", args=[999999])).status_code == 404


def test_only_the_primary_metric_can_say_the_test_is_underpowered():
    # Planned for 21 days at 20,000 users a day with a 10% MDE: 5% conversion needs about
    # 4 days, while unsubscribes at 0.2% would need months: the plan never sized for those.
    plan = {"daily_traffic": 20000}
    primary = er.daily("Order conversion", "primary", [0.05, 0.06], per_day=4000, **plan)
    guardrail = er.daily(
        "Unsubscribes", "guardrail", [0.002, 0.002], per_day=4000, direction="decrease", **plan
    )
    assert [f["code"] for f in guardrail[-1][1]["findings"]] == ["underpowered"]
    findings = results.findings_of(er.experiment_results(primary, guardrail))
    assert findings == []


def test_an_underpowered_primary_metric_is_a_finding():
    primary = er.daily("Order conversion", "primary", [0.05, 0.06], per_day=4000)
    assert [f["code"] for f in results.findings_of(er.experiment_results(primary))] == [
        "underpowered"
    ]
