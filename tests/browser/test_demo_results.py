"""The demo's results pages in Chromium: one test in each state, as a first start shows them.

Nothing is faked here: the demo loader writes the outcome data and the engine analyses it, so
these pages show exactly what someone trying GrowthLab sees. The `page` fixture fails a test
on any console error, CSP violations included. Screenshots land in
$GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

import os
import re
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import Page, expect

from experiments.models import Experiment
from tests.browser.test_results import expect_every_chart_drawn

DEMO_PASSWORD = "growthlab-demo"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The demo test in each state, and the start of the headline its results page shows.
STATES = {
    "winner": ("Delivery date promise on product pages", "Ship Delivery date"),
    "loser": (
        "Personalised feed on the app home screen",
        "Do not ship Personal feed: App order conversion down",
    ),
    "inconclusive": ("Customer reviews above the fold", "No difference worth acting on"),
    "srm": ("Payment options shown on the product page", "Data problem: traffic split is broken"),
    "guardrail": (
        "Daily offer e-mails for engaged members",
        "Guardrail harmed: Unsubscribe rate up",
    ),
    "too_early": ("Win-back series for lapsed members", "Keep running: "),
    "failed_refresh": ("Sticky add-to-cart bar on mobile product pages", "Ship Sticky bar"),
}
REFRESH_FAILED = "The nightly export from the web analytics tool did not arrive"


def artifacts() -> Path:
    folder = Path(os.environ.get("GROWTHLAB_TEST_ARTIFACTS", "test-artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in_as_viewer(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("viewer.vic")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def open_results(page: Page, title: str) -> Page:
    experiment = Experiment.objects.get(title=title)
    page.goto(f"/experiments/{experiment.pk}/results/")
    return page


def test_demo_results_pages_read_and_draw_in_every_state(page, settings, screenshot):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo_data")
    sign_in_as_viewer(page)
    for state, (title, headline) in STATES.items():
        open_results(page, title)
        expect(page.get_by_test_id("headline")).to_contain_text(headline)
        assert expect_every_chart_drawn(page) >= 4, state
        screenshot(page, state)
    expect(page.get_by_test_id("failure")).to_contain_text(REFRESH_FAILED)
    open_results(page, STATES["srm"][0])
    expect(page.get_by_test_id("srm")).to_contain_text("The split is broken")
    open_results(page, STATES["too_early"][0])
    expect(page.get_by_test_id("headline")).to_have_text(
        re.compile(r"Keep running: \d+% of the planned sample, day 3 of \d+")
    )


def test_demo_segments_draw_a_forest_per_device_and_say_whether_the_effect_differs(page, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo_data")
    sign_in_as_viewer(page)
    answers = {
        "Guest checkout as the default path": "Mobile gains more than desktop",
        "Delivery date promise on product pages": "The effect does not differ",
    }
    for title, answer in answers.items():
        open_results(page, title)
        expect_every_chart_drawn(page)
        section = page.get_by_test_id("segments")
        # Every metric has its segment section; the primary metric's comes first.
        expect(section.get_by_test_id("heterogeneity").first).to_contain_text(answer)
        chart = section.locator("[data-figure='segments-0']")
        assert chart.locator(".scatterlayer .trace").count() == 2  # mobile and desktop
        section.scroll_into_view_if_needed()
        name = "segments-differ" if "gains" in answer else "segments-same"
        section.screenshot(path=str(artifacts() / f"{name}.png"))


def test_demo_results_read_for_one_segment_through_the_filter(page, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo_data")
    sign_in_as_viewer(page)
    experiment = Experiment.objects.get(title="Guest checkout as the default path")
    # The server's first results page compiles its templates: on a loaded machine, seconds.
    page.goto(f"/experiments/{experiment.pk}/results/", timeout=60_000)
    segments = page.get_by_test_id("segments")
    segments.get_by_label("Read every chart for one segment").select_option("device:mobile")
    segments.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"segment=device%3Amobile"))
    banner = page.get_by_test_id("one-segment")
    expect(banner).to_contain_text("This page shows one segment: device = mobile")
    expect(banner.get_by_test_id("one-segment-lead")).to_contain_text("not verdicts")
    expect(page.get_by_test_id("headline")).to_have_count(0)
    assert expect_every_chart_drawn(page) >= 3
    page.screenshot(path=str(artifacts() / "segment-filtered-mobile.png"), full_page=True)
    banner.get_by_role("link", name="Back to all users").click()
    expect(page.get_by_test_id("headline")).to_be_visible()
