"""Each kind of alert fires once per occurrence, and only when it is due."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from experiments.models import Experiment
from jobs.signals import job_done_send
from metrics.jobs import DATA_LOADS
from metrics.models import DataLoad
from notifications import services, sweep
from notifications.models import Alert, Channel, Delivery, Follow, Kind, TeamAlertSettings
from sprints.models import Sprint
from tests.analysis.data import fail_runs
from tests.notifications.conftest import data_add, split_break


def kinds(experiment=None):
    alerts = Alert.objects.all() if experiment is None else experiment.alerts.all()
    return sorted(alerts.values_list("kind", flat=True))


def test_no_result_alert_before_the_planned_sample(running, analyse):
    data_add(running, days=20, b_conversions=60)  # day 20, but 20,000 of 31,000 users
    analyse(running)
    assert Kind.RESULT_READY not in kinds(running)
    assert mail.outbox == []


def test_no_result_alert_on_day_two_even_with_the_sample_reached(running, analyse):
    Experiment.objects.filter(pk=running.pk).update(plan_sample_size_per_variant=1500)
    data_add(running, days=2, b_conversions=80)  # 2,000 users each: sample reached on day 2
    analyse(running)
    assert kinds(running) == []


def test_result_ready_fires_once_when_the_plan_is_reached(running, analyse, emails):
    data_add(running, days=32, b_conversions=60)  # 32,000 users over 32 days, +20 %
    analyse(running)
    alert = Alert.objects.get(kind=Kind.RESULT_READY)
    assert alert.experiment == running and "Ship B" in alert.happened
    assert alert.todo and alert.path == f"/experiments/{running.pk}/results/"
    # The owner and every member of the team, by e-mail: nobody outside it.
    team = {emails.owner, emails.teammate, emails.lead, emails.analyst, emails.viewer}
    sent = sorted(address for m in mail.outbox for address in m.to)
    assert sent == sorted(u.email for u in team)
    assert all(alert.happened in m.subject for m in mail.outbox)
    assert all(f"{settings.SITE_URL}{alert.path}" in m.body for m in mail.outbox)
    # A later analysis with more data says the same: nothing is raised or sent again.
    data_add(running, days=3, b_conversions=60, day_offset=32)
    analyse(running)
    assert kinds(running) == [Kind.RESULT_READY] and len(mail.outbox) == len(team)
    assert Delivery.objects.filter(alert=alert, channel=Channel.EMAIL).count() == len(team)


def test_a_harmed_guardrail_is_told_at_once(running, analyse):
    data_add(running, days=5, b_unsubscribes=80)  # day 5, 5,000 users: far from the plan
    analyse(running)
    assert kinds(running) == [Kind.GUARDRAIL_HARMED]
    alert = running.alerts.get()
    assert "Unsubscribes" in alert.happened and "B" in alert.happened
    data_add(running, days=1, b_unsubscribes=80, day_offset=5)
    analyse(running)
    assert kinds(running) == [Kind.GUARDRAIL_HARMED]


def test_a_broken_split_raises_srm_and_nothing_else(running, analyse):
    data_add(running, days=32, b_conversions=80)
    split_break(running)
    analyse(running)
    assert kinds(running) == [Kind.SRM]
    analyse(running)
    assert kinds(running) == [Kind.SRM]


def test_three_failed_analyses_in_a_row_raise_one_alert(running, emails):
    fail_runs(running, 2)
    services.alerts_after_job(
        kind="analysis", job_id=running.analysis_runs.first().id, succeeded=False
    )
    assert kinds(running) == []
    fail_runs(running, 1, hours_ago=0.5)
    services.alerts_after_job(
        kind="analysis", job_id=running.analysis_runs.first().id, succeeded=False
    )
    assert kinds(running) == [Kind.REPEATED_FAILURE]
    fail_runs(running, 1, hours_ago=0.1)  # a fourth in the same streak
    services.alerts_after_job(
        kind="analysis", job_id=running.analysis_runs.first().id, succeeded=False
    )
    assert kinds(running) == [Kind.REPEATED_FAILURE]
    # Kept for the digest by default, not e-mailed.
    delivery = Delivery.objects.get(user=emails.owner)
    assert delivery.channel == Channel.DIGEST and mail.outbox == []
    assert services.digest_alerts(emails.owner, timezone.now() - timedelta(days=7)) == [delivery]


def test_a_third_failed_load_raises_an_alert_through_the_job_signal(
    running, django_capture_on_commit_callbacks
):
    now = timezone.now()
    for index in range(3):
        load = DataLoad.objects.create(
            experiment=running,
            kind=DataLoad.Kind.COUNTS,
            status="failed",
            finished_at=now - timedelta(minutes=10 - index),
        )
        with django_capture_on_commit_callbacks(execute=True):
            job_done_send(DATA_LOADS, load.id, "failed")
        assert len(kinds(running)) == (1 if index == 2 else 0)
    alert = running.alerts.get()
    assert alert.kind == Kind.REPEATED_FAILURE and "Loading data" in alert.happened


def test_no_new_data_waits_for_the_grace_period(running, people):
    started = running.started_at
    assert sweep.alerts_sweep(now=started + timedelta(days=1, hours=23)) == []
    [alert] = sweep.alerts_sweep(now=started + timedelta(days=2, hours=1))
    assert alert.kind == Kind.NO_DATA and "no new data for 2 days" in alert.happened
    assert sweep.alerts_sweep(now=started + timedelta(days=3)) == []  # the same silence


def test_a_team_sets_a_longer_grace_period(running, people):
    TeamAlertSettings.objects.create(team=people.team, no_data_grace_days=5)
    assert sweep.alerts_sweep(now=running.started_at + timedelta(days=3)) == []
    assert len(sweep.alerts_sweep(now=running.started_at + timedelta(days=5, hours=1))) == 1


def test_the_planned_end_is_told_once(running):
    today = timezone.localdate()
    Experiment.objects.filter(pk=running.pk).update(planned_end=today + timedelta(days=1))
    now = running.started_at + timedelta(hours=1)  # fresh data is not needed for this one
    assert [a.kind for a in sweep.alerts_sweep(now=now)] == []
    Experiment.objects.filter(pk=running.pk).update(planned_end=today)
    assert [a.kind for a in sweep.alerts_sweep(now=now)] == [Kind.PLANNED_END]
    assert sweep.alerts_sweep(now=now) == []


@pytest.fixture
def sprint(people):
    today = timezone.localdate()
    return Sprint.objects.create(
        team=people.team,
        number=1,
        starts_on=today - timedelta(days=21),
        ends_on=today,
        status=Sprint.Status.ACTIVE,
    )


def test_a_sprint_review_due_reaches_the_leads_and_followers(sprint, emails):
    Sprint.objects.filter(pk=sprint.pk).update(ends_on=timezone.localdate() + timedelta(days=1))
    assert sweep.alerts_sweep() == []
    Sprint.objects.filter(pk=sprint.pk).update(ends_on=timezone.localdate())
    services.follow_set(user=emails.outsider, obj=sprint, following=True)
    [alert] = sweep.alerts_sweep()
    assert alert.kind == Kind.SPRINT_REVIEW and alert.sprint == sprint
    heard = set(alert.deliveries.values_list("user__username", flat=True))
    assert heard == {"lead", "outsider"}
    assert sweep.alerts_sweep() == []


def test_followers_hear_and_an_owner_who_unfollowed_does_not(running, analyse, emails):
    services.follow_set(user=emails.outsider, obj=emails.team, following=True)
    services.follow_set(user=emails.owner, obj=running, following=False)
    assert Follow.objects.filter(user=emails.owner, following=False).count() == 1
    data_add(running, days=5, b_unsubscribes=80)
    analyse(running)
    heard = set(Delivery.objects.values_list("user__username", flat=True))
    assert "outsider" in heard and "owner" not in heard and "teammate" in heard


def test_settings_decide_the_channel_per_person_and_kind(running, analyse, emails):
    services.preferences_save(user=emails.teammate, modes={Kind.GUARDRAIL_HARMED: "digest"})
    services.preferences_save(user=emails.viewer, modes={Kind.GUARDRAIL_HARMED: "off"})
    data_add(running, days=5, b_unsubscribes=80)
    analyse(running)
    channels = dict(Delivery.objects.values_list("user__username", "channel"))
    assert channels["teammate"] == Channel.DIGEST and "viewer" not in channels
    assert channels["owner"] == Channel.EMAIL
    assert "teammate@example.com" not in [a for m in mail.outbox for a in m.to]


def test_a_team_default_applies_to_members_who_chose_nothing(running, analyse, emails):
    services.team_settings_save(
        team=emails.team, grace_days=2, defaults={"guardrail_harmed": "off"}
    )
    services.preferences_save(user=emails.lead, modes={Kind.GUARDRAIL_HARMED: "now"})
    data_add(running, days=5, b_unsubscribes=80)
    analyse(running)
    assert set(Delivery.objects.values_list("user__username", flat=True)) == {"lead"}
    assert emails.lead.memberships.get().role == Role.TEAM_LEAD
