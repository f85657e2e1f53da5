"""The "Download CSV" buttons: the experiment list as filtered (every page of it), and one
test's flat results, both spreadsheet-safe like the API's export they reuse."""

import csv
import io

from django.core.management import call_command
from playwright.sync_api import Page, expect

from analysis.models import AnalysisResult
from experiments.models import Experiment
from tests.browser.test_demo_results import FAST_HASHERS, sign_in_as_viewer

FORMULA_TITLE = '=HYPERLINK("http://evil.example", "Cart test")'


def download_csv(page: Page) -> list[dict]:
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download CSV").click()
    download = caught.value
    text = download.path().read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_experiment_list_downloads_as_filtered(page, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo_data")
    running = Experiment.objects.filter(status="running").order_by("pk")
    Experiment.objects.filter(pk=running[0].pk).update(title=FORMULA_TITLE)
    sign_in_as_viewer(page)
    page.goto("/experiments/")
    page.get_by_label("Status").select_option("running")
    page.get_by_role("button", name="Filter").click()
    shown = page.locator("tbody tr td:first-child a").all_inner_texts()
    rows = download_csv(page)
    assert sorted(int(row["id"]) for row in rows) == [e.pk for e in running]
    assert {row["status"] for row in rows} == {"running"}
    assert len(rows) == len(shown)
    # A title that would run as a formula in a spreadsheet is written as text.
    assert "'" + FORMULA_TITLE in {row["title"] for row in rows}


def test_the_results_page_downloads_this_tests_flat_results(page, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo_data")
    experiment = Experiment.objects.get(title="Delivery date promise on product pages")
    sign_in_as_viewer(page)
    page.goto(f"/experiments/{experiment.pk}/results/")
    expect(page.get_by_test_id("headline")).to_be_visible()
    rows = download_csv(page)
    current = AnalysisResult.objects.filter(experiment=experiment, is_current=True)
    assert len(rows) == current.count() > 0
    assert {row["experiment_id"] for row in rows} == {str(experiment.pk)}
    stored = {(r.metric.name, r.variant.name, r.verdict) for r in current}
    assert {(row["metric"], row["variant"], row["verdict"]) for row in rows} == stored
