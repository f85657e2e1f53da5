"""A marketer takes an idea to a running test; a viewer reads it all and can change nothing.

Screenshots of every step land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

import math
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from experiments.models import Experiment, Idea
from metrics import stats
from tests.factories import experiment_make, idea_make, metric_make

NEW_IDEA = "Show the delivery date next to the price"
INSIGHT = "visitors ask support when their parcel will arrive before they buy"
CHANGE = "showing the expected delivery date beside the price"
EFFECT = "increase completed orders"
# Two-proportion sample size by hand: p1 = 0.05, p2 = 0.05 × 1.10 = 0.055, α = 0.05 two-sided,
# power 0.8: n = (1.95996 + 0.84162)² × (p1(1 − p1) + p2(1 − p2)) / (p2 − p1)²
#            = 7.84887 × 0.099475 / 0.000025 ≈ 31,231 users per variant.
USERS_PER_VARIANT_BY_HAND = 31_231
DAILY_TRAFFIC = 4000
FIXED_PLAN = {"metric_type": "binomial", "baseline_rate": 0.05, "mde_relative": 0.10}
# The analysis settings' default rule is sequential, with this tuning parameter.
SEQUENTIAL_PLAN = FIXED_PLAN | {"sequential_tuning_parameter": 5000}


def flash(page: Page):
    return page.get_by_role("status")


def fact(scope: Page | Locator, term: str) -> Locator:
    """The <dd> that follows the <dt> reading exactly `term`."""
    term_cell = scope.locator("dt").filter(has_text=re.compile(rf"^{re.escape(term)}$"))
    return term_cell.locator("xpath=following-sibling::dd[1]")


def backlog_titles(page: Page) -> list[str]:
    return page.locator("tbody tr td:nth-child(2) a").all_inner_texts()


def test_marketer_takes_an_idea_to_a_running_test(
    page, people, sign_in, screenshot, allowed_page_statuses
):
    allowed_page_statuses.add(409)  # the refused start answers 409 Conflict with the page
    idea_make(people, title="Exit-intent survey on pricing", impact=9, confidence=9, ease=9)
    idea_make(people, title="Rename the newsletter", impact=3, confidence=2, ease=4)
    metric_make(name="Order conversion", baseline_value=0.05)

    sign_in(page, people.owner)
    expect(page.get_by_role("link", name="owner", exact=True)).to_be_visible()
    screenshot(page, "signed-in")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Backlog").click()
    page.get_by_role("link", name="New idea").click()
    page.get_by_label("Title").fill(NEW_IDEA)
    page.get_by_label("Impact").fill("8")
    page.get_by_label("Confidence").fill("6")
    page.get_by_label("Ease").fill("7")
    screenshot(page, "new-idea-form")
    page.get_by_role("button", name="Save idea").click()
    expect(flash(page)).to_have_text("Idea saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_IDEA)
    # ICE = (8 + 6 + 7) / 3 = 7.0
    expect(fact(page, "ICE score")).to_have_text("7.0")
    screenshot(page, "idea-saved")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Backlog").click()
    assert backlog_titles(page) == [
        "Exit-intent survey on pricing",
        NEW_IDEA,
        "Rename the newsletter",
    ]
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=NEW_IDEA))
    expect(row.get_by_role("cell").first).to_have_text("2")
    expect(row).to_contain_text("7.0")
    expect(row).to_contain_text("8 · 6 · 7")
    screenshot(page, "backlog-ranked")

    row.get_by_role("link", name=NEW_IDEA).click()
    page.get_by_role("button", name="Turn into a test").click()
    expect(flash(page)).to_contain_text("The idea is now a draft test.")
    idea = Idea.objects.get(title=NEW_IDEA)
    experiment = Experiment.objects.get(idea=idea)
    assert (experiment.status, experiment.owner, idea.status) == ("draft", people.owner, "testing")
    screenshot(page, "turned-into-a-test")

    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"/experiments/{experiment.pk}/$"))
    page.get_by_role("button", name="Start test").click()
    refusal = page.locator(".message-error")
    expect(refusal).to_contain_text("The test cannot start yet. It still needs")
    for missing in (
        "the insight behind the hypothesis (“Because we saw …”)",
        "the change the hypothesis tests (“we believe that …”)",
        "the expected effect (“will …”)",
        "a minimum detectable effect",
        "a primary metric",
        "a sample-size plan",
    ):
        expect(refusal).to_contain_text(missing)
    expect(page.get_by_test_id("status")).to_have_text("Draft")
    screenshot(page, "start-refused")
    experiment.refresh_from_db()
    assert experiment.status == "draft"

    page.get_by_role("link", name="Edit documentation").click()
    page.get_by_label("Because we saw").fill(INSIGHT)
    page.get_by_label("we believe that").fill(CHANGE)
    page.get_by_label("will …").fill(EFFECT)
    page.get_by_label("Minimum detectable effect (%)").fill("10")
    screenshot(page, "documentation-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(flash(page)).to_have_text("Documentation saved.")
    hypothesis = page.get_by_test_id("hypothesis")
    for part in (INSIGHT, CHANGE, EFFECT):
        expect(hypothesis).to_contain_text(part)

    attach = page.get_by_role("form", name="Attach a metric")
    attach.get_by_label("Metric").select_option(label="Order conversion")
    attach.get_by_label("Role").select_option(label="Primary")
    attach.get_by_role("button", name="Attach metric").click()
    expect(flash(page)).to_have_text("Order conversion attached.")
    metrics_table = page.get_by_role("region", name="Metrics").get_by_role("table")
    expect(metrics_table.get_by_role("row", name=re.compile("Order conversion"))).to_contain_text(
        "Primary"
    )
    screenshot(page, "documented")

    page.get_by_role("link", name="Plan sample size").click()
    expect(page.get_by_label("Minimum detectable effect (%)")).to_have_value("10.0")
    # The catalogue's 0.05 conversion baseline, shown and typed as a percentage.
    expect(page.get_by_label("Today's conversion rate (%)")).to_have_value("5.0")
    page.get_by_label("Today's conversion rate (%)").fill("5")
    page.get_by_label("Daily users entering the test").fill(str(DAILY_TRAFFIC))
    screenshot(page, "plan-form")
    page.get_by_role("button", name="Calculate and save").click()
    expect(flash(page)).to_have_text("Sample-size plan saved.")
    experiment.refresh_from_db()
    # Read with the sequential rule (the default), the test needs more than the fixed-horizon
    # users worked by hand, and its plan says so.
    sequential = stats.plan_power(SEQUENTIAL_PLAN)["n_per_variant"][0]
    assert experiment.plan_sample_size_per_variant == sequential > USERS_PER_VARIANT_BY_HAND
    # Two variants of n users each at 4,000 users a day.
    assert experiment.plan_days == math.ceil(2 * experiment.plan_sample_size_per_variant / 4000)
    plan = page.get_by_role("complementary").locator(".card", has_text="Sample-size plan")
    expect(plan).to_contain_text(f"{experiment.plan_sample_size_per_variant:,}")
    expect(fact(plan, "Days at today's traffic")).to_have_text(str(experiment.plan_days))
    expect(fact(plan, "Sized for")).to_have_text("The sequential rule: safe to look every day")
    fixed = stats.plan_power(FIXED_PLAN)
    assert fixed["n_per_variant"][0] == pytest.approx(USERS_PER_VARIANT_BY_HAND, rel=0.005)
    expect(page.get_by_test_id("plan-rule-why")).to_contain_text(
        f"{fixed['n_per_variant'][0]:,} per variant would do if the test were read only once"
    )
    screenshot(page, "planned")

    page.get_by_role("button", name="Start test").click()
    expect(flash(page)).to_have_text("The test is now running.")
    expect(page.get_by_test_id("status")).to_have_text("Running")
    expect(page.get_by_role("heading", name="Before this test can start")).to_have_count(0)
    expect(page.get_by_role("button", name="Start test")).to_have_count(0)
    experiment.refresh_from_db()
    assert experiment.status == "running"
    assert experiment.started_at is not None

    timeline = page.get_by_role("list", name="History")
    summaries = timeline.locator(":scope > li > div > strong").all_inner_texts()
    assert summaries == [
        "Start test",
        "Planned the sample size",
        "Attached Order conversion as Primary",
        "Edited the documentation",
        "Created the test",
    ]
    started = timeline.locator(":scope > li").first
    expect(started).to_contain_text("by owner")
    expect(started).to_contain_text("Status:")
    expect(started.locator("del")).to_have_text("Draft")
    expect(started.locator("ins")).to_have_text("Running")
    edited = timeline.locator(":scope > li", has_text="Edited the documentation")
    expect(edited).to_contain_text(f"Expected effect (will …): {EFFECT}")
    expect(edited).to_contain_text("Minimum detectable effect (%): 10.0")
    planned = timeline.locator(":scope > li", has_text="Planned the sample size")
    expect(planned).to_contain_text(f"Daily users entering the test: {DAILY_TRAFFIC}")
    screenshot(page, "running-with-history")


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FITS_THE_SCREEN = "document.documentElement.scrollWidth <= window.innerWidth"
NO_EDIT_CONTROLS = {
    "experiment": [
        "Edit documentation",
        "Start test",
        "Plan",
        "Archive",
        "Add variant",
        "Edit",
        "Remove",
        "Attach metric",
        "Detach",
        "Plan sample size",
        "Change plan",
        "Conclude",
    ],
    "backlog": ["New idea"],
    "idea": ["Edit idea", "Turn into a test"],
    "metric": ["Edit metric"],
    "experiments": ["New test"],
    "catalogue": ["New metric"],
}


def expect_no_controls(page: Page, names: list[str]) -> None:
    for name in names:
        for role in ("button", "link"):
            expect(page.get_by_role(role, name=name, exact=True)).to_have_count(0)
    # Following is the reader's own subscription, not an edit: a viewer may follow anything.
    expect(page.locator("main form[method=post]:not(.follow-form)")).to_have_count(0)


@pytest.fixture
def documented(people):
    idea = idea_make(people, title="Free shipping above 499 SEK", insight="Cart abandonment")
    experiment = experiment_make(people, ready=True)
    Experiment.objects.filter(pk=experiment.pk).update(idea=idea)
    experiment.refresh_from_db()
    return idea, experiment


def test_viewer_reads_everything_and_sees_no_edit_controls(
    page, people, sign_in, screenshot, documented
):
    idea, experiment = documented
    metric = experiment.experiment_metrics.get().metric
    sign_in(page, people.viewer)

    page.goto(experiment.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(experiment.title)
    expect(page.get_by_test_id("hypothesis")).to_contain_text("increase completed orders")
    expect(page.get_by_role("region", name="Variants")).to_contain_text("Control")
    expect(page.get_by_role("region", name="Metrics")).to_contain_text(metric.name)
    expect(page.get_by_role("complementary")).to_contain_text("31,000")
    expect(page.get_by_role("list", name="History")).to_contain_text("Created the test")
    expect_no_controls(page, NO_EDIT_CONTROLS["experiment"])
    expect(page.locator("main .follow-form")).to_be_visible()
    screenshot(page, "experiment")

    page.goto("/ideas/")
    expect(page.get_by_role("link", name=idea.title)).to_be_visible()
    expect_no_controls(page, NO_EDIT_CONTROLS["backlog"])
    screenshot(page, "backlog")

    page.get_by_role("link", name=idea.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(idea.title)
    expect(page.get_by_role("link", name=experiment.title)).to_be_visible()
    expect_no_controls(page, NO_EDIT_CONTROLS["idea"])
    screenshot(page, "idea")

    page.goto(f"/metrics/{metric.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(metric.name)
    expect(page.get_by_role("link", name=experiment.title)).to_be_visible()
    expect_no_controls(page, NO_EDIT_CONTROLS["metric"])
    screenshot(page, "metric")

    page.set_viewport_size(PHONE)
    page.goto(experiment.get_absolute_url())
    expect(page.get_by_test_id("hypothesis")).to_be_visible()
    assert page.evaluate(FITS_THE_SCREEN), "the experiment page scrolls sideways on a phone"
    screenshot(page, "experiment-on-a-phone")
    page.set_viewport_size(DESKTOP)

    page.goto("/experiments/")
    expect(page.get_by_role("link", name=experiment.title)).to_be_visible()
    expect_no_controls(page, NO_EDIT_CONTROLS["experiments"])
    page.goto("/metrics/")
    expect(page.get_by_role("link", name=metric.name)).to_be_visible()
    expect_no_controls(page, NO_EDIT_CONTROLS["catalogue"])


def test_viewer_forged_writes_get_403_and_change_nothing(page, people, sign_in, documented):
    idea, experiment = documented
    sign_in(page, people.viewer)
    page.goto(experiment.get_absolute_url())
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    forged = {"csrfmiddlewaretoken": token}

    for url in (
        f"/experiments/{experiment.pk}/start/",
        f"/experiments/{experiment.pk}/edit/",
        f"/ideas/{idea.pk}/experiment/",
    ):
        response = page.request.post(url, form={**forged, "title": "Forged"})
        assert response.status == 403, url
        assert "You can read this, but not change it" in response.text(), url

    experiment.refresh_from_db()
    assert (experiment.status, experiment.title) == (
        "draft",
        "Free shipping banner on the cart page",
    )
    assert idea.experiments.count() == 1
