"""plotly.js (several MB) is fetched only by a page that draws a chart, after the page has
painted, and never by one with nothing to chart; the CSP stays without inline script."""

import re

import pytest
from playwright.sync_api import Page, Request, expect

from dashboard import selectors
from tests.browser.test_results import expect_every_chart_drawn
from tests.dashboard import engine_results as er
from tests.factories import experiment_make

PLOTLY = re.compile(r"/static/vendor/plotly(\.[0-9a-f]+)?\.min\.js$")


@pytest.fixture
def plotly_requests(page: Page) -> list[str]:
    """The URLs of every request for plotly.js the page makes from now on."""
    seen: list[str] = []

    def on_request(request: Request) -> None:
        if PLOTLY.search(request.url):
            seen.append(request.url)

    page.on("request", on_request)
    return seen


def test_a_results_page_with_nothing_to_chart_loads_no_chart_library(
    page, people, sign_in, plotly_requests
):
    experiment = experiment_make(people, ready=True)
    sign_in(page, people.viewer)
    page.goto(f"/experiments/{experiment.pk}/results/", wait_until="networkidle")
    expect(page.get_by_test_id("headline")).to_be_visible()
    assert plotly_requests == []


def test_the_calculator_before_an_answer_loads_no_chart_library(
    page, people, sign_in, plotly_requests
):
    sign_in(page, people.viewer)
    page.goto("/calculator/", wait_until="networkidle")
    expect(page.get_by_role("heading", name="Calculator")).to_be_visible()
    assert plotly_requests == []


def test_a_results_page_with_charts_fetches_the_library_once_after_the_page(
    page, people, sign_in, monkeypatch, plotly_requests
):
    experiment = experiment_make(people, ready=True)
    results = er.experiment_results(*er.STATES["winner"]())
    monkeypatch.setattr(selectors, "latest_result_for", lambda _: results)
    sign_in(page, people.viewer)
    html = page.request.get(f"/experiments/{experiment.pk}/results/").text()
    # No <script> for plotly.js in the page itself, so nothing blocks its first paint.
    assert not re.search(r"<script src=\"[^\"]*plotly", html)
    assert re.search(r"<script src=\"[^\"]*charts\.js\" data-plotly=\"[^\"]+\" defer>", html)
    page.goto(f"/experiments/{experiment.pk}/results/")
    assert expect_every_chart_drawn(page) >= 4
    assert len(plotly_requests) == 1
