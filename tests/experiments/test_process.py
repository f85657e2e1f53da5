"""Templates, duplicates, custom fields, sign-off and the pre-launch checklist: what a team
relies on, through the services and the pages, with the database state checked each time."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from analysis.models import AnalysisSettings
from experiments.models import (
    ChecklistItem,
    CustomField,
    CustomFieldValue,
    Experiment,
    ExperimentTemplate,
    HistoryEntry,
    MetricRole,
    SignoffPolicy,
    SignoffRequest,
)
from experiments.services.custom_fields import custom_field_save, custom_values_clean
from experiments.services.experiments import experiment_update
from experiments.services.lifecycle import experiment_transition
from experiments.services.signoff import signoff_approve, signoff_refuse, signoff_request
from experiments.services.templates import (
    checklist_tick,
    experiment_create_from_template,
    experiment_duplicate,
    template_from_experiment,
    template_save,
)
from experiments.signals import signoff_changed
from metrics.models import DataLoad, Metric
from tests.factories import experiment_make, metric_make

VARIANTS = [
    {"name": "Control", "is_control": True, "traffic_share": 40, "description": "Today"},
    {"name": "Free shipping", "is_control": False, "traffic_share": 60, "description": "Banner"},
]


@pytest.fixture
def template(people):
    conversion = metric_make("Order conversion")
    returns = metric_make("Return rate", good_direction="decrease")
    return template_save(
        template=ExperimentTemplate(team=people.team),
        user=people.lead,
        data={
            "name": "Checkout incentive",
            "hypothesis_insight": "Carts are abandoned at the shipping step",
            "hypothesis_change": "showing free shipping",
            "hypothesis_effect": "raise orders",
            "mde_relative": 5,
            "plan_daily_traffic": 4000,
            "plan_baseline": 0.04,
            "variants": VARIANTS,
            "tags": ["checkout", "shipping"],
            "checklist": ["QA on mobile", "Legal has seen the offer"],
            "analysis_settings": {"method": "fixed", "correction": "bh"},
        },
        metrics=[(conversion, MetricRole.PRIMARY), (returns, MetricRole.GUARDRAIL)],
    )


def test_a_test_from_a_template_is_documented_as_the_template_says(people, template):
    experiment = experiment_create_from_template(
        template=template, team=people.team, user=people.owner, title="Free shipping over 50 €"
    )
    assert experiment.status == "draft" and experiment.template == template
    assert experiment.hypothesis_insight == "Carts are abandoned at the shipping step"
    assert (experiment.mde_relative, experiment.plan_daily_traffic) == (5, 4000)
    variants = {(v.name, v.is_control, int(v.traffic_share)) for v in experiment.variants.all()}
    assert variants == {("Control", True, 40), ("Free shipping", False, 60)}
    roles = {(link.metric.name, link.role) for link in experiment.experiment_metrics.all()}
    assert roles == {("Order conversion", "primary"), ("Return rate", "guardrail")}
    assert sorted(t.name for t in experiment.tags.all()) == ["checkout", "shipping"]
    assert [item.text for item in experiment.checklist.all()] == [
        "QA on mobile",
        "Legal has seen the offer",
    ]
    settings = AnalysisSettings.objects.get(experiment=experiment)
    assert (settings.method, settings.correction) == ("fixed", "bh")
    entry = experiment.history.get()
    assert entry.summary == "Created from the template “Checkout incentive”"
    assert {c["field"] for c in entry.changes} >= {"title", "variants", "metrics", "checklist"}


def test_a_template_whose_metric_was_deleted_creates_nothing_and_says_which(people, template):
    link = template.template_metrics.get(role="guardrail")
    Metric.objects.filter(pk=link.metric_id).delete()
    before = Experiment.objects.count(), HistoryEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        experiment_create_from_template(
            template=template, team=people.team, user=people.owner, title="Another"
        )
    assert "“Return rate”" in str(refused.value) and "deleted from the catalogue" in str(
        refused.value
    )
    assert (Experiment.objects.count(), HistoryEntry.objects.count()) == before
    client = Client()
    client.force_login(people.owner)
    page = client.get(template.get_absolute_url())
    assert "has been deleted from the catalogue" in page.text
    response = client.post(
        reverse("experiments:template_use", args=[template.pk]),
        {"title": "Another", "team": people.team.pk},
    )
    assert response.status_code == 400
    assert "“Return rate”" in response.text
    assert Experiment.objects.count() == before[0]


def test_a_template_of_another_team_is_refused(people, template):
    with pytest.raises(ValidationError, match="belongs to Web Growth"):
        experiment_create_from_template(
            template=template, team=people.other_team, user=people.outsider, title="X"
        )


def test_duplicating_copies_documentation_variants_and_metrics_never_data(people):
    source = experiment_make(people, ready=True, description="Full write-up")
    CustomField.objects.create(label="Budget", key="budget", kind="number")
    experiment_update(
        experiment=source, user=people.owner, data={}, custom_values={"budget": "1200"}
    )
    ChecklistItem.objects.create(experiment=source, text="QA", done_by=people.owner)
    DataLoad.objects.create(experiment=source, kind=DataLoad.Kind.COUNTS)
    copy = experiment_duplicate(experiment=source, user=people.teammate)
    assert copy.title == f"Copy of {source.title}" and copy.status == "draft"
    assert copy.description == "Full write-up" and copy.owner == people.teammate
    assert copy.plan_sample_size_per_variant is None  # the plan is made again
    assert [v.name for v in copy.variants.all()] == [v.name for v in source.variants.all()]
    assert [link.metric_id for link in copy.experiment_metrics.all()] == [
        link.metric_id for link in source.experiment_metrics.all()
    ]
    assert CustomFieldValue.objects.get(experiment=copy).value == "1200"
    assert copy.checklist.get().done_at is None
    assert not DataLoad.objects.filter(experiment=copy).exists()
    assert copy.history.get().summary == f"Duplicated from “{source}” (#{source.pk})"
    assert source.history.first().summary == f"Duplicated as “{copy}” (#{copy.pk})"


def test_a_test_saved_as_a_template_gives_the_same_test_back(people):
    source = experiment_make(people, ready=True)
    template = template_from_experiment(
        experiment=source, user=people.lead, name="Like the first", team=people.team
    )
    assert template.template_metrics.get().role == "primary"
    again = experiment_create_from_template(
        template=template, team=people.team, user=people.owner, title="Second"
    )
    assert again.hypothesis_change == source.hypothesis_change
    assert source.history.first().summary == "Saved as the template “Like the first”"


# --- Custom fields ------------------------------------------------------------------------


def test_a_type_change_that_a_value_does_not_fit_changes_nothing(people):
    experiment = experiment_make(people, title="Sticky cart")
    field = CustomField.objects.create(label="Budget", key="budget", kind="text")
    experiment_update(
        experiment=experiment, user=people.owner, data={}, custom_values={"budget": "about 5k"}
    )
    with pytest.raises(ValidationError) as refused:
        custom_field_save(field=field, data={"kind": "number"})
    message = " ".join(refused.value.messages)
    assert "1 test(s)" in message and "“about 5k” in “Sticky cart”" in message
    field.refresh_from_db()
    assert field.kind == "text"
    assert CustomFieldValue.objects.get().value == "about 5k"


def test_a_type_change_converts_values_that_fit(people):
    experiment = experiment_make(people)
    field = CustomField.objects.create(label="Budget", key="budget", kind="text")
    CustomFieldValue.objects.create(experiment=experiment, field=field, value="1200.50")
    custom_field_save(field=field, data={"kind": "number"})
    assert CustomFieldValue.objects.get().value == "1200.5"


def test_removing_a_choice_in_use_is_refused(people):
    field = CustomField.objects.create(
        label="Region", key="region", kind="choice", choices=["Nordics", "DACH"]
    )
    CustomFieldValue.objects.create(experiment=experiment_make(people), field=field, value="DACH")
    with pytest.raises(ValidationError, match="“DACH”"):
        custom_field_save(field=field, data={"choices": ["Nordics"]})
    assert CustomField.objects.get().choices == ["Nordics", "DACH"]


def test_bad_values_are_named_by_field(people):
    CustomField.objects.create(label="Budget", key="budget", kind="number")
    CustomField.objects.create(label="Launch review", key="review", kind="date")
    with pytest.raises(ValidationError) as refused:
        custom_values_clean({"budget": "lots", "review": "next week", "nope": "x"})
    errors = refused.value.message_dict
    assert errors["budget"] == ["“Budget” is a number; “lots” is not one."]
    assert "YYYY-MM-DD" in errors["review"][0]
    assert "no custom field “nope”" in errors["nope"][0]


def test_a_required_field_added_to_running_tests_lets_them_run_and_asks_at_the_next_edit(
    people,
):
    running = experiment_make(people, ready=True)
    experiment_transition(experiment=running, user=people.owner, action="start")
    _field, notice = custom_field_save(
        field=CustomField(),
        data={"label": "Business unit", "key": "unit", "kind": "text", "required_from": "running"},
    )
    assert "1 open test(s)" in notice and "“Business unit”" in notice
    running.refresh_from_db()
    assert running.status == "running"
    with pytest.raises(ValidationError) as refused:
        experiment_update(experiment=running, user=people.owner, data={"audience": "All"})
    assert refused.value.message_dict["unit"] == [
        "“Business unit” is required from the start on: give it a value."
    ]
    running.refresh_from_db()
    assert running.audience != "All"
    experiment_update(
        experiment=running,
        user=people.owner,
        data={"audience": "All"},
        custom_values={"unit": "B2C"},
    )
    assert CustomFieldValue.objects.get(experiment=running).value == "B2C"


def test_a_field_required_from_the_start_blocks_the_start(people):
    CustomField.objects.create(
        label="Business unit", key="unit", kind="text", required_from="running"
    )
    experiment = experiment_make(people, ready=True)
    with pytest.raises(ValidationError, match="a value for “Business unit”"):
        experiment_transition(experiment=experiment, user=people.owner, action="start")
    experiment_update(
        experiment=experiment, user=people.owner, data={}, custom_values={"unit": "B2B"}
    )
    assert experiment_transition(experiment=experiment, user=people.owner, action="start")


def test_custom_fields_on_the_form_the_page_and_the_list_filter(people):
    CustomField.objects.create(
        label="Region", key="region", kind="choice", choices=["Nordics", "DACH"]
    )
    nordic, dach = experiment_make(people, title="Nordic test"), experiment_make(people, title="D")
    client = Client()
    client.force_login(people.owner)
    form = client.get(reverse("experiment:edit", args=[nordic.pk]))
    assert 'name="cf_region"' in form.text
    data = {"title": "Nordic test", "owner": people.owner.pk, "channel": "web"}
    response = client.post(
        reverse("experiment:edit", args=[nordic.pk]), {**data, "cf_region": "Nordics"}
    )
    assert response.status_code == 302
    bad = client.post(reverse("experiment:edit", args=[dach.pk]), {**data, "cf_region": "Mars"})
    assert bad.status_code == 400 and not dach.custom_values.exists()
    assert "Nordics" in client.get(nordic.get_absolute_url()).text
    listed = client.get(reverse("experiments:experiment_list") + "?cf_region=Nordics").text
    assert "Nordic test" in listed and ">D<" not in listed
    csv = client.get(reverse("experiments:experiment_list_csv")).getvalue().decode()
    header = csv.splitlines()[0].split(",")
    assert "custom_fields.region" in header
    assert "Nordics" in csv


# --- Sign-off and checklist ---------------------------------------------------------------


@pytest.fixture
def signing(people):
    return SignoffPolicy.objects.create(
        team=people.team, before_start=True, before_running_edit=True
    )


def test_a_start_without_sign_off_is_refused_in_plain_words(people, signing):
    experiment = experiment_make(people, ready=True)
    with pytest.raises(ValidationError) as refused:
        experiment_transition(experiment=experiment, user=people.owner, action="start")
    assert str(refused.value.messages[0]) == (
        "This test cannot start yet: Web Growth asks a team lead to sign off before a test"
        " starts, and nobody has approved this one. Ask for sign-off on the test's page."
    )
    experiment.refresh_from_db()
    assert experiment.status == "draft"


def test_request_approval_start_and_the_history(
    people, signing, django_capture_on_commit_callbacks
):
    experiment = experiment_make(people, ready=True)
    heard = []

    def hear(signoff, action, **kwargs):
        heard.append(action)

    signoff_changed.connect(hear, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            signoff = signoff_request(experiment=experiment, user=people.owner, kind="start")
        with pytest.raises(ValidationError, match="still waiting for a team lead"):
            experiment_transition(experiment=experiment, user=people.owner, action="start")
        with django_capture_on_commit_callbacks(execute=True):
            signoff_approve(signoff=signoff, user=people.lead)
    finally:
        signoff_changed.disconnect(hear)
    started = experiment_transition(experiment=experiment, user=people.owner, action="start")
    assert started.status == "running"
    assert SignoffRequest.objects.get().status == "used"
    assert heard == ["requested", "approved"]
    summaries = list(experiment.history.order_by("id").values_list("summary", flat=True))
    assert summaries[-3:] == [
        "Asked a team lead to sign off: start the test",
        "Signed off: start the test",
        "Start test",
    ]


def test_a_refusal_needs_a_reason_and_keeps_it(people, signing):
    experiment = experiment_make(people, ready=True)
    signoff = signoff_request(experiment=experiment, user=people.owner, kind="start")
    with pytest.raises(ValidationError, match="Say why"):
        signoff_refuse(signoff=signoff, user=people.lead, reason="  ")
    signoff_refuse(signoff=signoff, user=people.lead, reason="Overlaps the spring sale")
    with pytest.raises(ValidationError, match=r"refused the sign-off \(Overlaps the spring sale\)"):
        experiment_transition(experiment=experiment, user=people.owner, action="start")
    entry = experiment.history.first()
    assert entry.summary == "Refused the sign-off: start the test"
    assert entry.changes[0]["new"] == "Overlaps the spring sale"


def test_a_lead_starting_the_test_is_its_sign_off(people, signing):
    experiment = experiment_make(people, ready=True)
    started = experiment_transition(experiment=experiment, user=people.lead, action="start")
    assert started.status == "running"


def test_a_change_to_a_running_test_waits_for_the_lead_and_is_applied_on_approval(people, signing):
    experiment = experiment_make(people, ready=True)
    experiment_transition(experiment=experiment, user=people.lead, action="start")
    client = Client()
    client.force_login(people.owner)
    url = reverse("experiment:edit", args=[experiment.pk])
    data = {"title": experiment.title, "owner": people.owner.pk, "channel": "web"}
    response = client.post(url, {**data, "audience": "Returning customers"})
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert experiment.audience != "Returning customers"
    signoff = SignoffRequest.objects.get(kind="edit", status="pending")
    with pytest.raises(ValidationError, match="ask for sign-off"):
        experiment_update(experiment=experiment, user=people.owner, data={"audience": "x"})
    signoff_approve(signoff=signoff, user=people.lead)
    experiment.refresh_from_db()
    assert experiment.audience == "Returning customers"
    entry = experiment.history.filter(summary__startswith="Edited").get()
    assert entry.summary == "Edited the documentation (signed off by lead)"
    assert entry.user == people.owner
    assert SignoffRequest.objects.get().status == "used"


def test_the_checklist_is_ticked_before_the_start(people):
    experiment = experiment_make(people, ready=True)
    item = ChecklistItem.objects.create(experiment=experiment, text="QA on mobile")
    with pytest.raises(
        ValidationError, match="pre-launch checklist ticked \\(1 open: “QA on mobile”"
    ):
        experiment_transition(experiment=experiment, user=people.owner, action="start")
    checklist_tick(item=item, user=people.owner, done=True)
    assert experiment.history.first().summary == "Ticked the check “QA on mobile”"
    started = experiment_transition(experiment=experiment, user=people.owner, action="start")
    assert started.status == "running"


def test_the_page_shows_the_sign_off_waiting_and_the_lead_decides_there(people, signing):
    experiment = experiment_make(people, ready=True)
    client = Client()
    client.force_login(people.owner)
    client.post(reverse("experiment:signoff_ask", args=[experiment.pk]))
    response = client.post(reverse("experiment:move", args=[experiment.pk, "start"]))
    assert response.status_code == 409
    assert "still waiting for a team lead" in response.text
    client.force_login(people.lead)
    page = client.get(experiment.get_absolute_url()).text
    assert "Approve" in page and "Refuse" in page
    signoff = SignoffRequest.objects.get()
    url = reverse("experiment:signoff_refuse", args=[experiment.pk, signoff.pk])
    client.post(url, {"reason": ""})
    assert SignoffRequest.objects.get().status == "pending"
    client.post(reverse("experiment:signoff_approve", args=[experiment.pk, signoff.pk]))
    assert SignoffRequest.objects.get().status == "approved"
    assert "Approved" in client.get(experiment.get_absolute_url()).text
