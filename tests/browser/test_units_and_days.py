"""One style for rates and one number for days needed, as a marketer types and reads them.

A conversion rate is typed and read as a percentage (9.2, "9.2%") on the plan form, the plan
and the metric page; the days the plan needs are the days the health check counts.
"""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from analysis.models import Trigger
from analysis.services import analysis_request, analysis_run_execute
from experiments.models import Experiment, Variant
from metrics.models import OutcomeCohort, OutcomeSource
from tests.browser.test_marketer_journey import fact
from tests.factories import experiment_make


def plan_through_the_form(page: Page, experiment: Experiment, *, rate: str) -> None:
    page.goto(f"/experiments/{experiment.pk}/sample-size/")
    page.get_by_label("Today's conversion rate (%)").fill(rate)
    page.get_by_label("Minimum detectable effect (%)").fill("10")
    page.get_by_label("Daily users entering the test").fill("3000")
    page.get_by_role("button", name="Calculate and save").click()
    expect(page.get_by_role("status")).to_have_text("Sample-size plan saved.")


def test_a_conversion_rate_is_typed_and_read_in_percent(page, people, sign_in, screenshot):
    experiment = experiment_make(people, ready=True)
    metric = experiment.experiment_metrics.get().metric
    type(metric).objects.filter(pk=metric.pk).update(baseline_value=0.092)
    Experiment.objects.filter(pk=experiment.pk).update(plan_baseline=None)
    sign_in(page, people.owner)
    page.goto(f"/experiments/{experiment.pk}/sample-size/")
    # The catalogue's 0.092 arrives as 9.2 %, not as 0.092 beside a "5 means 5 %" elsewhere.
    expect(page.get_by_label("Today's conversion rate (%)")).to_have_value("9.2")
    plan_through_the_form(page, experiment, rate="9.2")
    experiment.refresh_from_db()
    assert experiment.plan_baseline == 0.092
    plan = page.get_by_role("complementary").locator(".card", has_text="Sample-size plan")
    expect(fact(plan, "Baseline")).to_have_text("9.2%")
    expect(fact(plan, "Significance · power")).to_have_text("5% · 80%")
    expect(page.get_by_role("list", name="History")).to_contain_text("Baseline: 9.2%")
    screenshot(page, "plan")
    page.goto(f"/metrics/{metric.pk}/")
    expect(page.get_by_test_id("metric-baseline")).to_have_text("9.2%")


def test_a_rate_above_100_percent_is_refused_by_name_and_nothing_is_saved(
    page, people, sign_in, allowed_page_statuses
):
    allowed_page_statuses.add(400)  # the refused form answers 400 with the page
    experiment = experiment_make(people, ready=True)
    sign_in(page, people.owner)
    page.goto(f"/experiments/{experiment.pk}/sample-size/")
    page.get_by_label("Today's conversion rate (%)").fill("120")
    page.get_by_role("button", name="Calculate and save").click()
    expect(page.locator(".field-error").first).to_contain_text(
        "A conversion rate lies between 0% and 100%"
    )
    experiment.refresh_from_db()
    assert (experiment.plan_baseline, experiment.plan_sample_size_per_variant) == (0.05, 31000)


def running_on_the_planned_rate(experiment: Experiment) -> None:
    """Started two days ago, each variant converting at exactly the planned 10% so far."""
    started = timezone.now() - timezone.timedelta(days=2)
    Experiment.objects.filter(pk=experiment.pk).update(
        status="running", started_at=started, planned_duration_days=7
    )
    metric = experiment.experiment_metrics.get().metric
    OutcomeCohort.objects.bulk_create(
        OutcomeCohort(
            experiment=experiment,
            variant=variant,
            metric=metric,
            exposure_date=started.date(),
            source=OutcomeSource.PUSH,
            n=2000,
            sum=200,
            sum_squares=200,
        )
        for variant in experiment.variants.all()
    )
    run = analysis_request(experiment=experiment, trigger=Trigger.MANUAL)
    analysis_run_execute(run_id=run.id)


def test_the_plan_and_the_health_check_name_the_same_days_needed(page, people, sign_in):
    experiment = experiment_make(people, ready=True)
    # Three variants on a 40/40/20 split: the 40% control is the last to reach its users.
    experiment.variants.update(traffic_share=40)
    Variant.objects.create(experiment=experiment, name="C", traffic_share=20)
    sign_in(page, people.owner)
    plan_through_the_form(page, experiment, rate="10")
    experiment.refresh_from_db()
    plan = page.get_by_role("complementary").locator(".card", has_text="Sample-size plan")
    expect(fact(plan, "Days at today's traffic")).to_have_text(str(experiment.plan_days))
    running_on_the_planned_rate(experiment)
    page.goto(f"/experiments/{experiment.pk}/results/")
    health = page.get_by_role("region", name="Health checks")
    days = re.search(r"needs about (\d+) days", health.inner_text())
    assert days is not None and int(days[1]) == experiment.plan_days
