"""Did the win hold: a shipped test's long-term metric read back from its own source, on
PostgreSQL, through the learning page; bad sources and changed users fail in words."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.templatetags.dashboard import pct
from digests.mail import digest_message
from digests.selectors import team_digest
from experiments.models import Experiment, MetricRole
from experiments.services.experiments import experiment_metric_attach
from learnings.models import ReadBack, ReadBackPlan
from learnings.readbacks import readback_sweep
from metrics.ingestion.counts import reduce_counts
from metrics.ingestion.load import cohorts_replace
from metrics.ingestion.services import aggregates_push
from metrics.models import ExperimentQuery, MetricKind
from notifications.models import Alert, Kind
from notifications.services import recipients
from tests.factories import experiment_make, metric_make
from tests.ingestion.test_pages import signed_in
from tests.learnings.readback_setup import (
    TABLE,
    customers,
    lifetime_value,
    shipped,
    shipped_from_sql,
    warehouse_drop,
    warehouse_fill,
    warehouse_run,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse():
    warehouse_fill(customers(shipped_gain=12.0))
    yield
    warehouse_drop()


@pytest.fixture
def shipped_test(people, warehouse):
    return shipped_from_sql(people)


def plan_url(experiment):
    return reverse("learnings:readback_plan", args=[experiment.pk])


def plan_post(client, experiment, metric, days="30, 60, 90", column="clv"):
    return client.post(plan_url(experiment), {"metric": metric.pk, "column": column, "days": days})


def planned(client, people, experiment, days="30, 60, 90"):
    metric = lifetime_value()
    response = plan_post(signed_in(client, people.lead), experiment, metric, days)
    assert response.status_code == 302, response.content.decode()[-3000:]
    return ReadBackPlan.objects.get(experiment=experiment)


def swept(capture, today=None):
    with capture(execute=True):
        moved = readback_sweep(today=today)
    return moved


# --- The plan ---------------------------------------------------------------------------------


def test_lead_plans_read_backs_30_60_90_days_after_the_ship(client, people, shipped_test):
    plan = planned(client, people, shipped_test)
    shipped_on = shipped_test.concluded_at.date()
    rows = list(plan.readbacks.values_list("days", "due_on", "status"))
    assert rows == [
        (30, shipped_on + timedelta(days=30), "scheduled"),
        (60, shipped_on + timedelta(days=60), "scheduled"),
        (90, shipped_on + timedelta(days=90), "scheduled"),
    ]
    assert (plan.control, plan.shipped_variant, plan.from_sql) == ("A", "B", True)
    assert {v: sum(d.values()) for v, d in plan.cohorts.items()} == {"A": 150, "B": 150}
    page = client.get(reverse("learnings:detail", args=[shipped_test.pk])).content.decode()
    assert "B against A on Customer lifetime value" in page


@pytest.mark.parametrize("who", ["owner", "viewer", "outsider", "outside_lead"])
def test_only_the_team_lead_or_an_admin_plans_read_backs(client, people, shipped_test, who):
    metric = lifetime_value()
    response = plan_post(signed_in(client, getattr(people, who)), shipped_test, metric)
    assert response.status_code == 403
    assert not ReadBackPlan.objects.exists()
    page = client.get(reverse("learnings:detail", args=[shipped_test.pk])).content.decode()
    assert 'data-testid="readback-plan-form"' not in page  # reading is for everyone
    assert "No read-back is planned yet" in page
    client.logout()
    assert plan_post(signed_in(client, people.admin), shipped_test, metric).status_code == 302


@pytest.mark.parametrize(
    ("days", "column", "kind", "message"),
    [
        ("30, sixty", "clv", MetricKind.MEAN, "Enter the days as whole numbers separated by"),
        ("0, 30", "clv", MetricKind.MEAN, "Read-back days lie between 1 and 730 days after"),
        ("30", "", MetricKind.MEAN, "Name the column of the SQL query that holds"),
        ("30", "clv", MetricKind.RATIO, "Select a valid choice."),
    ],
)
def test_bad_plan_is_named_and_nothing_is_saved(
    client, people, shipped_test, days, column, kind, message
):
    metric = metric_make("Customer lifetime value", kind)
    response = plan_post(signed_in(client, people.lead), shipped_test, metric, days, column)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReadBackPlan.objects.exists()
    assert not ReadBack.objects.exists()


def test_a_test_that_was_not_shipped_is_not_read_back(client, people, shipped_test):
    Experiment.objects.filter(pk=shipped_test.pk).update(decision="abandon")
    response = plan_post(signed_in(client, people.lead), shipped_test, lifetime_value())
    assert response.status_code == 400
    assert "Only a test concluded with “ship” is read back." in response.content.decode()
    assert not ReadBackPlan.objects.exists()


def test_changing_the_plan_keeps_what_was_read_and_drops_days_not_run(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    plan = planned(client, people, shipped_test)
    swept(django_capture_on_commit_callbacks)  # 30 and 60 days are past: both read
    held = plan.readbacks.get(days=30)
    metric = plan.metric
    response = plan_post(client, shipped_test, metric, days="30, 120")
    assert response.status_code == 302
    assert list(plan.readbacks.values_list("days", flat=True)) == [30, 60, 120]
    assert plan.readbacks.get(days=30).estimate == held.estimate


# --- Coming due and running -------------------------------------------------------------------


def test_due_read_backs_run_once_and_record_held_with_the_interval(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    plan = planned(client, people, shipped_test)
    original = Experiment.objects.values().get(pk=shipped_test.pk)
    assert swept(django_capture_on_commit_callbacks) == 2  # 75 days on: the 30 and 60
    assert swept(django_capture_on_commit_callbacks) == 0  # a second sweep moves nothing
    rows = {r.days: r for r in plan.readbacks.all()}
    assert rows[90].status == "scheduled"
    for days in (30, 60):
        readback = rows[days]
        assert (readback.status, readback.outcome, readback.attempts) == ("succeeded", "held", 1)
        assert readback.ci_lower > 0 and readback.ci_lower < readback.estimate < readback.ci_upper
        assert readback.users == {"A": 150, "B": 150}
    assert Experiment.objects.values().get(pk=shipped_test.pk) == original
    page = client.get(reverse("learnings:detail", args=[shipped_test.pk])).content.decode()
    assert page.count("badge-readback-held") == 2


def test_a_reversal_reopens_the_learning_for_a_post_mortem(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    plan = planned(client, people, shipped_test)
    warehouse_run(f"UPDATE {TABLE} SET clv = clv - 40 WHERE grp = 'B'")  # customers churned
    swept(django_capture_on_commit_callbacks)
    reversed_ = plan.readbacks.get(days=30)
    assert (reversed_.outcome, reversed_.ci_upper < 0) == ("reversed", True)
    plan.refresh_from_db()
    assert plan.postmortem_open
    assert plan.readbacks.get(days=60).outcome == "reversed"
    alert = Alert.objects.get(kind=Kind.READBACK)  # once: the post-mortem is asked for once
    assert alert.happened == (
        "The win of Free shipping banner on the cart page reversed on Customer lifetime value"
        " after 30 days."
    )
    page = client.get(reverse("learnings:detail", args=[shipped_test.pk])).content.decode()
    assert "The win reversed: this learning is open for a post-mortem." in page
    url = reverse("learnings:readback_postmortem", args=[shipped_test.pk])
    assert client.post(url, {"what_happened": " "}).status_code == 400
    response = client.post(url, {"what_happened": "Free shipping drew one-off buyers."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert not plan.postmortem_open
    shipped_test.refresh_from_db()
    assert shipped_test.postmortem_what_happened == ""  # the test's own post-mortem stays
    page = client.get(reverse("learnings:detail", args=[shipped_test.pk])).content.decode()
    assert "Free shipping drew one-off buyers." in page


def test_the_experiment_page_shows_the_read_backs(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    planned(client, people, shipped_test)
    swept(django_capture_on_commit_callbacks)
    page = client.get(shipped_test.get_absolute_url()).content.decode()
    assert "Did the win hold?" in page
    assert page.count("badge-readback-held") == 2
    assert reverse("learnings:detail", args=[shipped_test.pk]) in page


# --- Bad sources and changed users ------------------------------------------------------------


def test_a_detached_source_fails_in_words_and_can_be_tried_again(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    plan = planned(client, people, shipped_test, days="30")
    attached = ExperimentQuery.objects.get(experiment=shipped_test)
    kept = {"source": attached.source, "query": attached.query, "mapping": attached.mapping}
    attached.delete()
    swept(django_capture_on_commit_callbacks)
    readback = plan.readbacks.get()
    assert readback.status == "failed"
    assert readback.error == (
        "The SQL source this test was read from is no longer attached, so it cannot be read"
        " again. Attach it again, then try again."
    )
    assert (readback.outcome, readback.estimate) == ("", None)
    ExperimentQuery.objects.create(experiment=shipped_test, **kept)
    client.force_login(people.owner)  # a marketer of the team may try again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("learnings:readback_retry", args=[readback.pk]))
    assert response.status_code == 302
    readback.refresh_from_db()
    assert (readback.status, readback.outcome, readback.error) == ("succeeded", "held", "")


def test_a_gone_warehouse_table_fails_in_words(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    plan = planned(client, people, shipped_test, days="30")
    warehouse_drop()
    swept(django_capture_on_commit_callbacks)
    readback = plan.readbacks.get()
    assert readback.status == "failed"
    assert readback.error.startswith("“Customer warehouse” could not be read again: The query")
    assert f'relation "{TABLE}" does not exist' in readback.error
    assert readback.error.endswith("Fix the source, then try again.")
    client.force_login(people.outsider)
    response = client.post(reverse("learnings:readback_retry", args=[readback.pk]))
    assert response.status_code == 403
    readback.refresh_from_db()
    assert readback.status == "failed"


def test_changed_users_fail_in_words_and_nothing_is_recorded(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    plan = planned(client, people, shipped_test, days="30")
    warehouse_run(f"DELETE FROM {TABLE} WHERE user_id IN ('B1', 'B2', 'B3')")
    warehouse_run(f"UPDATE {TABLE} SET day = '2024-03-02' WHERE user_id = 'A0'")
    swept(django_capture_on_commit_callbacks)
    readback = plan.readbacks.get()
    assert readback.status == "failed"
    assert readback.error == (
        "The users are no longer the test's: “A” has its users on other exposure days;"
        " “B” had 150 users in the test and has 147. Check that the source still returns the"
        " users who were in the test, then try again."
    )
    assert (readback.outcome, readback.estimate, readback.users) == ("", None, {})
    assert not ReadBackPlan.objects.get(pk=plan.pk).postmortem_open


# --- Uploaded or pushed data: a reminder, then a new load ------------------------------------


def test_a_pushed_test_waits_for_a_new_load_and_reminds_its_owner(
    client, people, django_capture_on_commit_callbacks
):
    experiment = experiment_make(people, ready=True)
    metric = lifetime_value()
    experiment_metric_attach(
        experiment=experiment, metric=metric, role=MetricRole.GUARDRAIL, user=people.owner
    )
    primary = [
        {"date": "2024-03-01", "variant": v, "metric": "Order conversion", "users": 200}
        | {"conversions": c}
        for v, c in (("A", 40), ("B", 55))
    ]
    kinds = {"Order conversion": "binomial"}
    cohorts = reduce_counts(primary, metrics=kinds, known_variants=["A", "B"])
    cohorts_replace(experiment=experiment, source="push", cohorts=cohorts)
    shipped(experiment)
    plan = planned(client, people, experiment, days="30")
    assert not plan.from_sql
    swept(django_capture_on_commit_callbacks)
    readback = plan.readbacks.get()
    assert readback.status == "waiting"
    alert = Alert.objects.get(kind=Kind.READBACK)
    assert people.owner.pk in recipients(alert)
    assert alert.todo == (
        "Upload or push Customer lifetime value for the test's users; the read-back then runs"
        " by itself."
    )
    later = [
        {
            "date": "2024-03-01",
            "variant": v,
            "metric": "Customer lifetime value",
            "users": 200,
            "sum": total,
            "sum_squares": squares,
        }
        for v, total, squares in (("A", 20000.0, 2_200_000.0), ("B", 16000.0, 1_400_000.0))
    ]
    with django_capture_on_commit_callbacks(execute=True):
        aggregates_push(experiment=experiment, user=people.owner, rows=later)
    readback.refresh_from_db()
    assert (readback.status, readback.outcome) == ("succeeded", "reversed")
    assert readback.users == {"A": 200, "B": 200}


def test_a_waiting_read_back_is_not_run_by_a_load_of_another_metric(
    client, people, django_capture_on_commit_callbacks
):
    experiment = experiment_make(people, ready=True)
    metric = lifetime_value()
    experiment_metric_attach(
        experiment=experiment, metric=metric, role=MetricRole.GUARDRAIL, user=people.owner
    )
    row = {"date": "2024-03-01", "metric": "Order conversion", "users": 200}
    pushed = [
        {**row, "variant": "A", "conversions": 40},
        {**row, "variant": "B", "conversions": 55},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        aggregates_push(experiment=experiment, user=people.owner, rows=pushed)
    shipped(experiment)
    plan = planned(client, people, experiment, days="30")
    swept(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        aggregates_push(experiment=experiment, user=people.owner, rows=pushed)
    readback = plan.readbacks.get()
    assert readback.status == "failed"
    day = readback.due_on.isoformat()
    assert readback.error == (
        f"No load since {day} holds “Customer lifetime value”. Upload or push it for the"
        " test's users, and the read-back runs."
    )


def test_a_metric_the_pushed_test_did_not_measure_is_refused(client, people):
    experiment = experiment_make(people, ready=True)
    shipped(experiment)
    response = plan_post(signed_in(client, people.lead), experiment, lifetime_value(), "30", "")
    assert response.status_code == 400
    assert "is not one of this test" in response.content.decode()
    assert not ReadBackPlan.objects.exists()


def test_sweep_before_the_day_moves_nothing(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    plan = planned(client, people, shipped_test)
    early = shipped_test.concluded_at.date() + timedelta(days=29)
    assert swept(django_capture_on_commit_callbacks, today=early) == 0
    assert set(plan.readbacks.values_list("status", flat=True)) == {"scheduled"}


def test_the_week_s_digest_says_which_shipped_wins_held(
    client, people, shipped_test, django_capture_on_commit_callbacks
):
    planned(client, people, shipped_test)
    now = timezone.now()
    before = team_digest(people.team, now - timedelta(days=7), now)
    assert before.readbacks == []
    swept(django_capture_on_commit_callbacks)
    digest = team_digest(people.team, now - timedelta(days=7), timezone.now())
    assert [(r.days, r.outcome) for r in digest.readbacks] == [(30, "held"), (60, "held")]
    message = digest_message(digest, people.lead)
    lift = digest.readbacks[0]
    assert (
        f"- Free shipping banner on the cart page [Held] Customer lifetime value after 30 days:"
        f" {pct(lift.estimate)} ({pct(lift.ci_lower)} to {pct(lift.ci_upper)})" in message.body
    )
    html = message.alternatives[0][0]
    assert html.count('data-testid="digest-readback"') == 2
