"""Sign-off requests and decisions reach the test's people as alerts, once per step."""

import pytest

from experiments.models import SignoffPolicy
from experiments.services.signoff import signoff_approve, signoff_refuse, signoff_request
from notifications.models import Alert, Channel, Delivery, Kind
from tests.factories import experiment_make


@pytest.fixture
def signing(emails):
    SignoffPolicy.objects.create(team=emails.team, before_start=True, before_running_edit=True)
    return emails


def test_a_request_and_its_approval_are_two_alerts_mailed_to_the_lead(
    signing, django_capture_on_commit_callbacks
):
    people = signing
    experiment = experiment_make(people, ready=True)
    with django_capture_on_commit_callbacks(execute=True):
        signoff = signoff_request(experiment=experiment, user=people.owner, kind="start")
    requested = Alert.objects.get(kind=Kind.SIGNOFF)
    assert requested.experiment == experiment
    assert "asks a lead to sign off" in requested.happened
    assert experiment.title in requested.happened
    assert requested.path == f"/experiments/{experiment.pk}/"
    lead_mail = Delivery.objects.filter(alert=requested, user=people.lead, channel=Channel.EMAIL)
    assert lead_mail.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        signoff_approve(signoff=signoff, user=people.lead)
    assert Alert.objects.filter(kind=Kind.SIGNOFF).count() == 2
    approved = Alert.objects.filter(kind=Kind.SIGNOFF).exclude(pk=requested.pk).get()
    assert "approved" in approved.happened
    owner_mail = Delivery.objects.filter(alert=approved, user=people.owner, channel=Channel.EMAIL)
    assert owner_mail.count() == 1


def test_a_refusal_alert_carries_the_reason(signing, django_capture_on_commit_callbacks):
    people = signing
    experiment = experiment_make(people, ready=True)
    with django_capture_on_commit_callbacks(execute=True):
        signoff = signoff_request(experiment=experiment, user=people.owner, kind="start")
        signoff_refuse(signoff=signoff, user=people.lead, reason="Overlaps the spring sale")
    refused = Alert.objects.get(kind=Kind.SIGNOFF, dedupe_key__endswith=":refused")
    assert "Overlaps the spring sale" in refused.happened
    assert "ask for the sign-off again" in refused.todo
