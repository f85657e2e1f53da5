"""A marketer starts a test from the team's template; the start waits for the checklist and a
lead's sign-off, then goes through. Screenshots land in $GROWTHLAB_TEST_ARTIFACTS/screenshots/."""

import re

from playwright.sync_api import expect

from experiments.models import Experiment, ExperimentTemplate, SignoffPolicy
from experiments.services.templates import template_save
from tests.factories import metric_make


def test_template_to_test_to_sign_off_to_start(
    page, people, sign_in, screenshot, allowed_page_statuses
):
    allowed_page_statuses.add(409)  # the refused start answers 409 with the page
    SignoffPolicy.objects.create(team=people.team, before_start=True)
    template_save(
        template=ExperimentTemplate(team=people.team),
        user=people.lead,
        data={
            "name": "Product page change",
            "hypothesis_insight": "visitors scroll past the price to find the delivery date",
            "hypothesis_change": "the delivery date beside the price",
            "hypothesis_effect": "increase orders",
            "mde_relative": 5,
            "plan_daily_traffic": 8000,
            "variants": [
                {"name": "Control", "is_control": True, "traffic_share": 50},
                {"name": "Delivery date", "is_control": False, "traffic_share": 50},
            ],
            "checklist": ["QA on mobile Safari"],
        },
        metrics=[(metric_make("Order conversion"), "primary")],
    )

    sign_in(page, people.owner)
    page.goto("/experiments/")
    page.get_by_role("link", name="From a template").click()
    page.get_by_role("link", name="Product page change").click()
    page.get_by_label("Title of the new test").fill("Delivery date beside the price")
    screenshot(page, "template")
    page.get_by_role("button", name="Create the test").click()
    expect(page.get_by_role("heading", name="Delivery date beside the price")).to_be_visible()
    experiment = Experiment.objects.get(title="Delivery date beside the price")
    # The plan page is driven in test_marketer_journey; here the plan is taken as made.
    Experiment.objects.filter(pk=experiment.pk).update(plan_sample_size_per_variant=31000)
    page.reload()
    checklist = page.get_by_test_id("checklist")
    expect(checklist).to_contain_text("QA on mobile Safari")

    page.get_by_role("button", name="Start test").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "pre-launch checklist ticked"
    )
    screenshot(page, "start-refused-checklist")
    page.get_by_test_id("checklist").get_by_role("button", name="Tick").click()
    page.get_by_role("button", name="Start test").click()
    expect(page.locator("body")).to_contain_text(
        "Web Growth asks a team lead to sign off before a test starts"
    )
    page.get_by_role("button", name="Ask a team lead to sign off the start").click()
    expect(page.get_by_test_id("signoff-pending")).to_be_visible()
    screenshot(page, "waiting-for-sign-off")

    page.context.clear_cookies()
    sign_in(page, people.lead)
    page.goto(experiment.get_absolute_url())
    page.get_by_test_id("signoff").get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("signoff-approved")).to_be_visible()
    screenshot(page, "signed-off")

    page.context.clear_cookies()
    sign_in(page, people.owner)
    page.goto(experiment.get_absolute_url())
    page.get_by_role("button", name="Start test").click()
    expect(page.get_by_test_id("status")).to_have_text(re.compile("Running"))
    screenshot(page, "running")
    experiment.refresh_from_db()
    assert experiment.status == "running"
    history = list(experiment.history.order_by("id").values_list("summary", flat=True))
    assert history[0] == "Created from the template “Product page change”"
    assert history[-3:] == [
        "Asked a team lead to sign off: start the test",
        "Signed off: start the test",
        "Start test",
    ]
