from experiments.models import Channel
from experiments.services.planning import experiment_plan_sample_size
from metrics import stats
from sprints.planning import competition_warnings, fit_check
from sprints.services import experiment_add_to_sprint, sprint_create
from tests.sprints.conftest import NEEDED_DAYS, NEEDED_PER_VARIANT, days, today


def engine_plan() -> dict:
    payload = {
        "metric_type": "binomial",
        "baseline_rate": 0.10,
        "mde_relative": 0.10,
        "daily_traffic": 2000,
    }
    return stats.plan_power(payload)


def test_the_engine_gives_the_textbook_numbers_the_checks_rely_on():
    plan = engine_plan()
    assert (max(plan["n_per_variant"]), plan["days"]) == (NEEDED_PER_VARIANT, NEEDED_DAYS)


def test_a_test_fits_a_whole_sprint(people, sprint, make_test):
    check = fit_check(make_test(), sprint, today())
    assert check.fits is True
    assert (check.n_per_variant, check.days_needed, check.days_left) == (14751, 15, 21)
    assert check.message == (
        "Reaches 14,751 users per variant in 15 days; 21 days are left in the sprint."
    )


def test_days_left_decide_not_the_whole_sprint(people, make_test):
    # Started 11 days ago: 10 of its 21 days remain, fewer than the 15 the test needs.
    started = sprint_create(
        team=people.team, user=people.lead, data={"starts_on": today() - days(11)}
    )
    check = fit_check(make_test(), started, today())
    assert (check.fits, check.days_left) == (False, 10)
    assert check.message == (
        "Cannot reach its sample size in this sprint: it needs 15 days for 14,751 users per "
        "variant, and only 10 days are left."
    )


def test_exactly_enough_days_left_still_fits(people, make_test):
    started = sprint_create(
        team=people.team, user=people.lead, data={"starts_on": today() - days(6)}
    )
    check = fit_check(make_test(), started, today())
    assert (check.fits, check.days_left, check.days_needed) == (True, 15, 15)


def test_a_small_effect_on_low_traffic_is_flagged(people, sprint, make_test):
    # 5 % relative on a 5 % baseline needs 122,124 per variant: 62 days at 4,000 a day.
    slow = make_test(plan_baseline=0.05, mde_relative=5.0, plan_daily_traffic=4000)
    check = fit_check(slow, sprint, today())
    assert check.fits is False
    assert check.message == (
        "Cannot reach its sample size in this sprint: it needs 62 days for 122,124 users per "
        "variant, and only 21 days are left."
    )


def test_no_daily_traffic_asks_for_it(people, sprint, make_test):
    check = fit_check(make_test(plan_daily_traffic=None), sprint, today())
    assert check.fits is None
    assert check.message == (
        "Needs 14,751 users per variant; add the daily traffic to know whether it fits."
    )


def test_no_baseline_says_the_plan_cannot_be_checked(people, sprint, make_test):
    check = fit_check(make_test(plan_baseline=None), sprint, today())
    assert check.fits is None
    assert check.message == (
        "The sample size cannot be checked yet: "
        "Set the baseline: today's value of the primary metric."
    )


def test_tests_on_the_same_channel_and_audience_compete(people, sprint, make_test):
    first = make_test("Banner A", audience="Returning visitors in Sweden")
    second = make_test("Checkout copy", audience="Sweden, logged-in customers")
    apart = make_test("Push reminder", audience="Returning visitors", channel=Channel.PUSH)
    planned = [
        experiment_add_to_sprint(sprint=sprint, experiment=e, user=people.lead)
        for e in (first, second, apart)
    ]
    assert competition_warnings(planned) == [
        "“Banner A” and “Checkout copy” compete for the same people: both run on Website for "
        "overlapping audiences (Returning visitors in Sweden / Sweden, logged-in customers). "
        "Split the audience or run them one after the other."
    ]


def test_generic_words_alone_are_no_overlap(people, make_test):
    first = make_test("A", audience="New visitors from Norway")
    second = make_test("B", audience="Returning visitors from Denmark")
    assert competition_warnings([first, second]) == []


def test_an_audience_left_blank_is_everyone(people, make_test):
    first = make_test("A", audience="")
    second = make_test("B", audience="Students")
    assert len(competition_warnings([first, second])) == 1


def test_a_sequential_test_fits_with_the_users_its_own_plan_needs(people, sprint, make_test):
    experiment = make_test(sequential=True)
    experiment_plan_sample_size(experiment=experiment, user=people.owner, data={})
    experiment.refresh_from_db()
    check = fit_check(experiment, sprint, today())
    assert check.n_per_variant == experiment.plan_sample_size_per_variant > NEEDED_PER_VARIANT
    assert check.days_needed == experiment.plan_days
