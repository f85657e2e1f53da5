"""A marketer of another team follows a test and changes how they hear of it, in Chromium."""

from notifications.models import Follow, Preference
from tests.factories import experiment_make


def test_follow_a_test_and_change_an_alert_setting(page, people, sign_in, screenshot):
    experiment = experiment_make(people, ready=True)
    sign_in(page, people.outsider)
    page.goto(experiment.get_absolute_url())
    page.get_by_test_id("follow").click()
    page.get_by_test_id("unfollow").wait_for()
    screenshot(page, "following")
    assert Follow.objects.filter(user=people.outsider, experiment=experiment).exists()
    page.goto("/accounts/profile/")
    page.get_by_test_id("mode-guardrail_harmed-digest").check()
    page.get_by_test_id("save-alert-settings").click()
    page.get_by_text("Your alert settings are saved.").wait_for()
    page.locator("#alerts").scroll_into_view_if_needed()
    screenshot(page, "settings")
    assert Preference.objects.get(user=people.outsider, kind="guardrail_harmed").mode == "digest"
    assert experiment.title in page.locator("#alerts").inner_text()
