"""The demo's results pages in Chromium: one test in each state, as a first start shows them.

Nothing is faked here: the demo loader writes the outcome data and the engine analyses it, so
these pages show exactly what someone trying GrowthLab sees. The `page` fixture fails a test
on any console error, CSP violations included. Screenshots land in
$GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

import re

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
