"""The fit check of a test that is already running says how far along it is, in words that
add up: never "reaches 14,751 users per variant in 0 days"."""

from django.utils import timezone

from experiments.models import Experiment
from sprints.planning import fit_check
from tests.sprints.conftest import days, today


def started(experiment: Experiment, days_ago: int) -> Experiment:
    Experiment.objects.filter(pk=experiment.pk).update(
        status=Experiment.Status.RUNNING, started_at=timezone.now() - days(days_ago)
    )
    experiment.refresh_from_db()
    return experiment


def test_a_test_past_its_days_needed_can_be_read_now(sprint, make_test):
    # It needs 15 days for 14,751 users per variant and started 20 days ago.
    check = fit_check(started(make_test(), 20), sprint, today())
    assert (check.fits, check.days_needed) == (True, 0)
    assert check.message == (
        "Has run the 15 days it needs for 14,751 users per variant: it can be read now."
    )
    assert "0 days" not in check.message


def test_a_running_test_counts_the_days_still_to_go(sprint, make_test):
    check = fit_check(started(make_test(), 6), sprint, today())
    assert check.message == (
        "Reaches 14,751 users per variant in 9 more days; 21 days are left in the sprint."
    )
