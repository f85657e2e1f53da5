"""One answer on every screen, in Chromium: the interval the verdict uses is the one shown, no
winner before its time, guardrails worded as guardrails, and the review never says "not
harmed" about a guardrail nobody could read.

Screenshots land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from analysis.models import Trigger
from analysis.services import analysis_request, analysis_run_execute
from dashboard import selectors
from experiments.models import Decision, Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from experiments.services.lifecycle import experiment_conclude, experiment_transition
from sprints.services import (
    experiment_add_to_sprint,
    sprint_activate,
    sprint_create,
    sprint_start_review,
)
from tests.analysis.data import cohorts_write
from tests.browser.test_results import expect_every_chart_drawn
from tests.dashboard import engine_results as er
from tests.factories import experiment_make, metric_make

NUMBER = re.compile(r"[+-−]?\d+(?:\.\d+)?")


def percents(text: str) -> list[float]:
    return [float(n.replace("−", "-")) for n in NUMBER.findall(text)]


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


def test_the_experiment_page_shows_the_interval_its_verdict_quotes(
    page, people, sign_in, screenshot
):
    # 5% against 6% of 5,000 users a day for 5 days: the sequential interval decides.
    experiment = experiment_make(people, ready=True)
    experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
    cohorts_write(experiment, b_conversions=60)
    run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=people.owner)
    analysis_run_execute(run_id=run.id)
    sign_in(page, people.viewer)
    page.goto(f"/experiments/{experiment.pk}/")
    first_row = page.get_by_test_id("analysis-panel").locator("tbody tr").first
    column = first_row.locator("td").nth(3).inner_text()  # the "Interval" column
    sentence = page.get_by_test_id("analysis-verdict").first.inner_text()
    quoted = re.search(r"CI ([^)]*)\)", sentence).group(1)
    assert percents(column) == pytest.approx(percents(quoted), abs=0.6)
    screenshot(page, "experiment-page")


def test_no_winner_minutes_after_the_start_only_how_far_along_the_test_is(results_page, screenshot):
    # A clear win on its numbers, but at 11% of the planned 176,000 users, on day 2 of 14.
    early = er.daily(
        "Order conversion",
        "primary",
        [0.05, 0.06],
        days=2,
        per_day=10_000,
        planned_sample_per_variant=176_000,
        days_run=2,
        planned_days=14,
    )
    page = results_page(er.experiment_results(early))
    headline = page.get_by_test_id("headline")
    expect(headline).to_have_text("Keep running: 11% of the planned sample, day 2 of 14")
    expect(page.locator(".headline-status")).not_to_contain_text("Winner")
    expect(page.get_by_test_id("verdict").first).to_contain_text("Too early to call a winner")
    expect_every_chart_drawn(page)
    screenshot(page, "early")


def test_a_guardrail_reads_not_harmed_with_its_bound_never_a_tie(results_page, screenshot):
    # Unsubscribes (lower is better) 10% → 9.82% on 300,000 users: -1.8%, interval about
    # -3.3% to -0.3% by the fixed-horizon rule this test is read by.
    primary = er.daily("Order conversion", "primary", [0.05, 0.06], per_day=4000, method="fixed")
    guardrail = er.daily(
        "Unsubscribes",
        "guardrail",
        [0.10, 0.0982],
        days=3,
        per_day=100_000,
        direction="decrease",
        method="fixed",
        daily_traffic=1e6,
        mde_relative=0.05,
    )
    page = results_page(er.experiment_results(primary, guardrail))
    verdicts = page.locator("p.verdict")
    expect(verdicts.last).to_contain_text("Guardrail not harmed")
    expect(verdicts.last).to_contain_text("not worse than -0.")
    expect(page.locator("body")).not_to_contain_text("Call it a tie")
    expect(page.get_by_test_id("guardrail-state")).to_have_text("Not harmed")
    # The rule is named, and the Bayesian and other figures are secondary, behind a click.
    expect(page.get_by_test_id("decision-rule")).to_contain_text("Fixed-horizon interval")
    more = page.get_by_test_id("more-numbers").first
    expect(more.locator("table")).not_to_be_visible()
    more.locator("summary").click()
    expect(more.locator("table")).to_be_visible()
    expect(more.locator("thead")).to_contain_text("Chance to win")
    screenshot(page, "guardrail")


def test_the_review_counts_a_guardrail_with_no_data_as_not_known(page, people, sign_in, screenshot):
    sprint = sprint_create(
        team=people.team,
        user=people.lead,
        data={"starts_on": timezone.localdate() - timedelta(days=20)},
    )
    sprint_activate(sprint=sprint, user=people.lead)
    experiment = experiment_make(people, ready=True, title="Trust badges in checkout")
    experiment_metric_attach(
        experiment=experiment,
        metric=metric_make("Refund rate"),
        role=MetricRole.GUARDRAIL,
        user=people.owner,
    )
    experiment_add_to_sprint(sprint=sprint, experiment=experiment, user=people.lead)
    experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
    experiment_conclude(
        experiment=experiment,
        user=people.lead,
        decision=Decision.INCONCLUSIVE,
        learning="The badges did not change anything we could measure.",
    )
    Experiment.objects.filter(pk=experiment.pk).update(
        started_at=timezone.now() - timedelta(days=18)
    )
    sprint_start_review(sprint=sprint, user=people.lead)
    sign_in(page, people.viewer)
    page.goto(f"/sprints/{sprint.pk}/review/")
    expect(page.get_by_test_id("unknown-guardrail")).to_contain_text("Not known: Refund rate")
    expect(page.locator("body")).not_to_contain_text("No guardrail was harmed")
    screenshot(page, "sprint-review")


def test_the_conclude_form_shows_the_measured_result_and_starts_from_its_numbers(
    page, people, sign_in, screenshot
):
    experiment = experiment_make(people, ready=True)
    experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
    cohorts_write(experiment, b_conversions=60)
    run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL, user=people.owner)
    analysis_run_execute(run_id=run.id)
    sign_in(page, people.lead)
    page.goto(f"/experiments/{experiment.pk}/conclude/")
    measured = page.get_by_test_id("measured-result")
    expect(measured).to_contain_text("What the results say")
    what_happened = page.get_by_label("What happened").input_value()
    assert what_happened.startswith("Order conversion: B +20% against control (95% CI")
    screenshot(page, "conclude")
