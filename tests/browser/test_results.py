"""Results pages and the calculator in Chromium: the verdict, every chart drawn, a clean console.

The `page` fixture fails a test on any console error, which includes every CSP violation.
Screenshots land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

from urllib.parse import urlencode

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dashboard import selectors
from tests.dashboard import engine_results as er
from tests.factories import experiment_make

SIGNIFICANCE = {
    "question": "significance",
    "kind": "binomial",
    "alpha": "5",
    "a_users": 20000,
    "a_conversions": 1000,
    "b_users": 20000,
    "b_conversions": 1200,
}


def expect_every_chart_drawn(page: Page) -> int:
    """Wait until each chart holds a non-empty Plotly SVG; return how many there are."""
    charts = page.locator("[data-figure]")
    count = charts.count()
    for index in range(count):
        chart = charts.nth(index)
        expect(chart).to_have_attribute("data-drawn", "true")
        assert chart.locator(".main-svg .scatterlayer .trace path").count() > 0
    return count


def test_calculator_answers_from_a_shared_link_with_a_chart(page, people, sign_in, screenshot):
    sign_in(page, people.viewer)
    page.goto("/calculator/?" + urlencode(SIGNIFICANCE))
    expect(page.get_by_test_id("significance-answer")).to_contain_text("Ship it.")
    assert expect_every_chart_drawn(page) == 1
    screenshot(page, "significance")


HEADLINES = {
    "winner": "Ship B",
    "loser": "Do not ship B: Order conversion down 17%",
    "inconclusive": "No difference worth acting on",
    "srm": "Data problem: traffic split is broken",
    "guardrail": "Guardrail harmed: Unsubscribes up 40%",
    "too_early": "Keep running: about",
}


@pytest.fixture
def results_page(page, people, sign_in, monkeypatch):
    """Open the results page of a ready test whose stored answer is `results`."""
    experiment = experiment_make(people, ready=True)
    sign_in(page, people.viewer)

    def open_with(results) -> Page:
        monkeypatch.setattr(selectors, "latest_result_for", lambda _: results)
        page.goto(f"/experiments/{experiment.pk}/results/")
        return page

    return open_with


@pytest.mark.parametrize("state", list(HEADLINES))
def test_results_page_in_each_state_reads_and_draws(results_page, screenshot, state):
    page = results_page(er.experiment_results(*er.STATES[state]()))
    expect(page.get_by_test_id("headline")).to_contain_text(HEADLINES[state])
    assert expect_every_chart_drawn(page) >= 4
    screenshot(page, state)


def test_a_failed_refresh_keeps_the_last_good_answer_beside_the_reason(results_page, screenshot):
    results = er.experiment_results(
        *er.STATES["winner"](), failure="The warehouse did not answer.", failed_at=timezone.now()
    )
    page = results_page(results)
    expect(page.get_by_test_id("failure")).to_contain_text("The warehouse did not answer.")
    expect(page.get_by_test_id("headline")).to_have_text("Ship B")
    expect_every_chart_drawn(page)
    screenshot(page, "failed")


def test_chart_tables_and_glossary_open_from_the_keyboard(results_page):
    page = results_page(er.experiment_results(*er.STATES["winner"]()))
    glossary = page.locator("details.glossary summary")
    glossary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.glossary dl")).to_contain_text("MDE (minimum detectable effect)")
    expect(page.locator("details.glossary dl")).to_be_visible()
    table_toggle = page.locator("details.chart-table summary").first
    table_toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.chart-table table").first).to_be_visible()
