"""A team lead plans a sprint, moves a card on the board, and reads a finished sprint's review."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from experiments.models import Decision, Experiment, MetricRole
from experiments.services.experiments import experiment_create, experiment_metric_attach
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from sprints.models import Sprint
from sprints.services import (
    experiment_add_to_sprint,
    sprint_activate,
    sprint_close,
    sprint_create,
    sprint_start_review,
)
from tests.factories import metric_make, read_fixed_horizon

DEMO_PASSWORD = "growthlab-demo"
CHARTS = ("velocity", "win_rate", "learning_share", "idea_to_decision", "impact")
DOCUMENTED = {
    "audience": "Returning visitors in Sweden",
    "hypothesis_insight": "cart abandonment peaks when shipping costs appear",
    "hypothesis_change": "showing free shipping above 499 SEK in the cart",
    "hypothesis_effect": "increase completed orders",
    "plan_baseline": 0.10,
    "plan_daily_traffic": 2000,
}


@pytest.fixture
def documented(people):
    metric = metric_make("Order conversion")

    def make(title: str, mde: float, channel: str = "web") -> Experiment:
        data = {**DOCUMENTED, "title": title, "mde_relative": mde, "channel": channel}
        experiment = experiment_create(team=people.team, user=people.owner, data=data)
        experiment_metric_attach(
            experiment=experiment, metric=metric, role=MetricRole.PRIMARY, user=people.owner
        )
        Experiment.objects.filter(pk=experiment.pk).update(plan_sample_size_per_variant=14751)
        return read_fixed_horizon(experiment)  # 14,751: the textbook fixed-horizon size

    return make


@pytest.fixture
def finished_sprint(people, documented):
    """Sprint 1, three weeks ago: one test shipped, one carried over, the review closed."""
    today = timezone.localdate()
    sprint = sprint_create(
        team=people.team, user=people.lead, data={"starts_on": today - timedelta(days=30)}
    )
    sprint_activate(sprint=sprint, user=people.lead)
    won = documented("Delivery date on product page", 10.0)
    carried = documented("Trust badges in checkout", 10.0, channel="email")
    for experiment in (won, carried):
        experiment_add_to_sprint(sprint=sprint, experiment=experiment, user=people.lead)
        experiment_transition(experiment=experiment, user=people.owner, action="start")
    experiment_conclude(
        experiment=won,
        user=people.lead,
        decision=Decision.SHIP,
        reason="Judgement.",
        learning="A visible delivery date lifts orders.",
        why="Fewer questions to support.",
    )
    inside = timezone.now() - timedelta(days=25)
    Experiment.objects.filter(pk__in=[won.pk, carried.pk]).update(started_at=inside)
    Experiment.objects.filter(pk=won.pk).update(concluded_at=inside + timedelta(days=14))
    sprint_start_review(sprint=sprint, user=people.lead)
    return sprint_close(sprint=sprint, user=people.lead, review_notes="Dates sell.")


def test_lead_plans_moves_a_card_and_reads_a_finished_review(
    page, sign_in, screenshot, people, documented, finished_sprint
):
    documented("Free shipping banner", 10.0)  # 15 days: fits the 21 left
    documented("Tiny copy change", 2.0)  # a 2 % effect needs far more than one sprint
    sprint = sprint_create(
        team=people.team, user=people.lead, data={"starts_on": timezone.localdate()}
    )
    sign_in(page, people.lead)

    page.goto(f"/sprints/{sprint.pk}/")
    page.get_by_role("button", name="Pull test Free shipping banner").click()
    expect(page.get_by_text("“Free shipping banner” is now in sprint 2.")).to_be_visible()
    page.get_by_role("button", name="Pull test Tiny copy change").click()
    fits = page.get_by_test_id("fit")
    expect(fits.nth(0)).to_have_text(
        "Reaches 14,751 users per variant in 15 days; 21 days are left in the sprint."
    )
    expect(fits.nth(1)).to_have_text(re.compile(r"^⚠ Cannot reach its sample size in this sprint"))
    expect(page.get_by_test_id("competition")).to_contain_text(
        "“Free shipping banner” and “Tiny copy change” compete for the same people"
    )
    screenshot(page, "planning")

    page.get_by_role("link", name="Board").click()
    page.get_by_role("button", name="Start test: Free shipping banner").click()
    running = page.locator('[data-column="running"]')
    expect(running.get_by_test_id("card")).to_have_text(re.compile("Free shipping banner"))
    screenshot(page, "board")

    page.goto(f"/sprints/{finished_sprint.pk}/review/")
    expect(page.get_by_test_id("sprint-status")).to_have_text("Closed")
    expect(page.get_by_test_id("concluded")).to_contain_text("Won")
    expect(page.get_by_test_id("review-notes")).to_have_text("Dates sell.")
    for name in CHARTS[:-1]:
        expect(page.locator(f'[data-figure="{name}"] svg.main-svg').first).to_be_visible()
    # The shipped test has no stored results: no measured impact to draw, and the page says so.
    expect(page.locator('[data-figure="impact"]')).to_have_text("No data for this chart yet.")
    velocity_bars = page.locator('[data-figure="velocity"] g.point')
    expect(velocity_bars).to_have_count(2)  # launched and concluded in the one finished sprint
    screenshot(page, "review")


def demo_review(page, team: str, number: int):
    sprint = Sprint.objects.get(team__name=team, number=number)
    page.goto(f"/sprints/{sprint.pk}/review/")
    return page


def test_demo_sprint_review_shows_results_harm_and_measured_impact(page, settings, screenshot):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo_data")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("lead.lina")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))

    demo_review(page, "Web Growth", 2)
    expect(page.get_by_test_id("sprint-status")).to_have_text("Closed")
    expect(page.get_by_test_id("concluded")).to_contain_text("Free-shipping progress bar")
    expect(page.get_by_test_id("concluded")).to_contain_text("Lost")
    expect(page.get_by_test_id("harmed-guardrail")).to_have_text(
        re.compile(r"^Harmed: Product return rate \+\d+(\.\d)?% with Progress bar on ")
    )
    for name in CHARTS:
        expect(page.locator(f'[data-figure="{name}"] svg.main-svg').first).to_be_visible()
    expect(page.locator('[data-figure="velocity"] g.point')).to_have_count(4)  # 2 sprints x 2
    impact = page.get_by_test_id("impact-row")
    expect(impact).to_have_count(2)
    expect(impact.nth(1)).to_have_text(re.compile(r"^Sprint 2\s*\d+(\.\d+)?%$"))
    screenshot(page, "demo-review")

    demo_review(page, "App Growth", 4)
    expect(page.get_by_test_id("carried-over")).to_have_text(
        [
            "Free shipping on the first app order Analysing",
            "Price-drop push for wishlist items Running",
        ]
    )
    screenshot(page, "demo-carried-over")
