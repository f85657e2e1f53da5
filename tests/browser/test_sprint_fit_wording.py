"""The sprint page's fit check of a test already running says how far along it is: never
"reaches 14,751 users per variant in 0 days"."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from experiments.models import Experiment
from experiments.services.lifecycle import experiment_transition
from sprints.services import experiment_add_to_sprint, sprint_activate, sprint_create
from tests.browser.test_sprints import documented  # noqa: F401 (a fixture)


def test_a_test_that_has_had_its_days_reads_as_ready(page, people, sign_in, documented):  # noqa: F811
    sprint = sprint_create(
        team=people.team,
        user=people.lead,
        data={"starts_on": timezone.localdate() - timedelta(days=2)},
    )
    sprint_activate(sprint=sprint, user=people.lead)
    ready, halfway = documented("Free shipping banner", 10.0), documented("Trust badges", 10.0)
    for experiment, days_ago in ((ready, 20), (halfway, 6)):
        experiment_add_to_sprint(sprint=sprint, experiment=experiment, user=people.lead)
        experiment_transition(experiment=experiment, user=people.owner, action="start")
        started = timezone.now() - timedelta(days=days_ago)
        Experiment.objects.filter(pk=experiment.pk).update(started_at=started)
    sign_in(page, people.lead)
    page.goto(f"/sprints/{sprint.pk}/")
    fits = page.get_by_test_id("fit")
    expect(fits.filter(has_text="Has run the 15 days it needs")).to_have_text(
        "Has run the 15 days it needs for 14,751 users per variant: it can be read now."
    )
    expect(fits.filter(has_text="more days")).to_have_text(
        "Reaches 14,751 users per variant in 9 more days; 19 days are left in the sprint."
    )
    expect(page.get_by_text("in 0 days")).to_have_count(0)
