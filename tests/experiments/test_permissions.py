"""Who may write what, through every write URL of the pages.

The table WRITES lists each write route with a valid POST and the kind of object it changes;
`test_every_route_is_classified` walks the URL configuration so that a new route fails the
suite until it is added here, either as a write (and then tested for every persona) or as a
read page. A refused write must leave every row of the database as it was.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import PIL.Image
import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve, reverse

import accounts.urls
import experiments.experiment_urls
import experiments.urls
import metrics.experiment_urls
import metrics.urls
from accounts.models import Membership, Team
from experiments.models import (
    ChecklistItem,
    CustomField,
    CustomFieldValue,
    Decision,
    Experiment,
    ExperimentMetric,
    ExperimentTemplate,
    HistoryEntry,
    Idea,
    MetricRole,
    SignoffPolicy,
    SignoffRequest,
    Tag,
    TemplateMetric,
    Variant,
)
from experiments.services.lifecycle import TRANSITIONS, experiment_transition
from experiments.services.signoff import signoff_request
from experiments.services.templates import template_save
from metrics.models import DataLoad, Metric, MetricKind
from sprints.models import Sprint
from tests.factories import experiment_make, idea_make, metric_make

# Personas allowed to write each kind of object; everyone else signed in gets a 403.
ALLOWED = {
    "documentation": {"owner", "teammate", "lead", "analyst", "admin"},
    "conclusion": {"lead", "admin"},
    "metric": {"analyst", "admin"},
    "team": {"lead", "admin"},
    "template": {"lead", "admin"},
    "signoff": {"lead", "admin"},
    "custom_field": {"admin"},
}
PERSONAS = ("owner", "teammate", "lead", "analyst", "viewer", "outsider", "outside_lead", "admin")


@dataclass(frozen=True)
class Write:
    name: str  # "experiment:edit"
    kind: str  # a key of ALLOWED
    prepare: Callable  # people -> (url, data)
    creates_in_team: bool = False  # a create form whose team field lists only the user's teams
    action: str = ""  # the lifecycle action, for experiment_move
    # Personas who may write this kind in their own team, so our team is refused as a choice.
    choice_refused: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.name.split(":")[1] + (f"-{self.action}" if self.action else "")


def ready_experiment(people, status: str = "draft") -> Experiment:
    experiment = experiment_make(people, ready=True)
    if status in ("planned", "running", "analysing"):
        start = datetime.date(2025, 3, 3)
        sprint = Sprint.objects.create(
            team=people.team, number=1, starts_on=start, ends_on=start + datetime.timedelta(21)
        )
        Experiment.objects.filter(pk=experiment.pk).update(sprint=sprint)
    if status == "planned":
        experiment = experiment_transition(experiment=experiment, user=people.owner, action="plan")
    if status in ("running", "analysing"):
        experiment = experiment_transition(experiment=experiment, user=people.owner, action="start")
    if status == "analysing":
        experiment = experiment_transition(experiment=experiment, user=people.owner, action="stop")
    return experiment


def idea_create(people):
    data = {"team": people.team.pk, "title": "Exit-intent coupon", "channel": "web", "impact": 6}
    return reverse("experiments:idea_create"), data


def idea_edit(people):
    idea = idea_make(people)
    data = {"title": "Sharper title", "channel": "web", "status": "new", "impact": 9}
    return reverse("experiments:idea_edit", args=[idea.pk]), data


def idea_to_experiment(people):
    return reverse("experiments:idea_to_experiment", args=[idea_make(people).pk]), {}


def experiment_create(people):
    data = {"team": people.team.pk, "title": "Sticky add-to-cart", "channel": "web"}
    return reverse("experiments:experiment_create"), data


def experiment_edit(people):
    experiment = experiment_make(people)
    data = {"title": "A clearer title", "owner": people.owner.pk, "channel": "email"}
    return reverse("experiment:edit", args=[experiment.pk]), data


def experiment_plan(people):
    experiment = ready_experiment(people)
    data = {
        "plan_baseline": "4",
        "mde_relative": "10",
        "plan_daily_traffic": "3000",
        "plan_alpha": "0.05",
        "plan_power": "0.8",
    }
    return reverse("experiment:plan", args=[experiment.pk]), data


def variant_create(people):
    experiment = experiment_make(people)
    data = {"name": "C", "description": "Green button", "traffic_share": "20"}
    return reverse("experiment:variant_create", args=[experiment.pk]), data


def variant_edit(people):
    experiment = experiment_make(people)
    variant = experiment.variants.get(name="B")
    data = {"name": "B", "description": "Free shipping banner", "traffic_share": "50"}
    return reverse("experiment:variant_edit", args=[experiment.pk, variant.pk]), data


def variant_delete(people):
    experiment = experiment_make(people)
    variant = experiment.variants.get(name="B")
    return reverse("experiment:variant_delete", args=[experiment.pk, variant.pk]), {}


def metric_attach(people):
    experiment = experiment_make(people)
    metric = metric_make("Bounce rate", good_direction="decrease")
    data = {"metric": metric.pk, "role": MetricRole.GUARDRAIL}
    return reverse("experiment:metric_attach", args=[experiment.pk]), data


def metric_detach(people):
    link = experiment_make(people, ready=True).experiment_metrics.get()
    return reverse("experiment:metric_detach", args=[link.experiment_id, link.pk]), {}


def experiment_conclude(people):
    experiment = ready_experiment(people, "analysing")
    data = {"decision": Decision.ITERATE, "learning": "Banner fatigue sets in after a week."}
    return reverse("experiment:conclude", args=[experiment.pk]), data


def experiment_move(action: str, status: str) -> Write:
    def prepare(people):
        experiment = ready_experiment(people, status)
        if action == "plan":  # planning pulls the test into a sprint
            start = datetime.date(2025, 3, 3)
            sprint = Sprint.objects.create(
                team=people.team, number=9, starts_on=start, ends_on=start + datetime.timedelta(21)
            )
            Experiment.objects.filter(pk=experiment.pk).update(sprint=sprint)
        return reverse("experiment:move", args=[experiment.pk, action]), {}

    return Write("experiment:move", "documentation", prepare, action=action)


METRIC_DATA = {"kind": MetricKind.BINOMIAL, "good_direction": "increase", "unit": "%"}


def metric_create(people):
    data = {"name": "Newsletter sign-up rate", "team": people.team.pk, **METRIC_DATA}
    return reverse("metrics:create"), data


def metric_edit(people):
    metric = metric_make("Checkout conversion", team=people.team)
    data = {"name": "Checkout conversion", "team": people.team.pk, "description": "Orders / visits"}
    return reverse("metrics:edit", args=[metric.pk]), {**METRIC_DATA, **data}


def outcome_counts(people):
    experiment = ready_experiment(people)
    data = {
        "metric": "Order conversion",
        "v0_users": 500,
        "v0_conversions": 40,
        "v1_users": 510,
        "v1_conversions": 55,
    }
    return reverse("experiment:outcome_counts", args=[experiment.pk]), data


def team_template(people) -> ExperimentTemplate:
    metric = metric_make("Add-to-cart rate")
    return template_save(
        template=ExperimentTemplate(team=people.team),
        user=people.lead,
        data={
            "name": "Checkout copy test",
            "hypothesis_insight": "Checkout drop-off",
            "variants": list(TWO_VARIANTS),
            "checklist": ["QA on mobile"],
        },
        metrics=[(metric, MetricRole.PRIMARY)],
    )


TWO_VARIANTS = (
    {"name": "A", "is_control": True, "traffic_share": 50},
    {"name": "B", "is_control": False, "traffic_share": 50},
)
TEMPLATE_POST = {
    "name": "Price test",
    "channel": "web",
    "plan_alpha": "0.05",
    "plan_power": "0.8",
    "variants_text": "A | control | 50 |\nB | treatment | 50 | Lower price",
    "checklist_text": "Legal has seen the prices",
}


def template_create(people):
    return reverse("experiments:template_create"), {**TEMPLATE_POST, "team": people.team.pk}


def template_edit(people):
    template = team_template(people)
    data = {**TEMPLATE_POST, "team": people.team.pk, "name": "Sharper name"}
    return reverse("experiments:template_edit", args=[template.pk]), data


def template_use(people):
    template = team_template(people)
    data = {"title": "Checkout copy, round 2", "team": people.team.pk}
    return reverse("experiments:template_use", args=[template.pk]), data


def experiment_duplicate(people):
    return reverse("experiment:duplicate", args=[experiment_make(people).pk]), {}


def experiment_save_as_template(people):
    experiment = experiment_make(people, ready=True)
    url = reverse("experiment:save_as_template", args=[experiment.pk])
    return url, {"name": "Like this one"}


def checklist_toggle(people):
    experiment = experiment_make(people)
    item = ChecklistItem.objects.create(experiment=experiment, text="QA on mobile")
    url = reverse("experiment:checklist_toggle", args=[experiment.pk, item.pk])
    return url, {"done": "1"}


def signing_team(people) -> None:
    SignoffPolicy.objects.create(team=people.team, before_start=True, before_running_edit=True)


def signoff_ask(people):
    signing_team(people)
    experiment = ready_experiment(people)
    return reverse("experiment:signoff_ask", args=[experiment.pk]), {}


def pending_signoff(people) -> SignoffRequest:
    signing_team(people)
    experiment = ready_experiment(people)
    return signoff_request(experiment=experiment, user=people.owner, kind="start")


def signoff_approve(people):
    signoff = pending_signoff(people)
    url = reverse("experiment:signoff_approve", args=[signoff.experiment_id, signoff.pk])
    return url, {}


def signoff_refuse(people):
    signoff = pending_signoff(people)
    url = reverse("experiment:signoff_refuse", args=[signoff.experiment_id, signoff.pk])
    return url, {"reason": "The audience overlaps the spring sale."}


def team_signoff_policy(people):
    url = reverse("experiments:team_signoff_policy", args=[people.team.slug])
    return url, {"before_start": "on"}


CUSTOM_FIELD_POST = {"label": "Business unit", "key": "unit", "kind": "text", "position": 0}


def custom_field_create(people):
    return reverse("experiments:custom_field_create"), CUSTOM_FIELD_POST


def custom_field_edit(people):
    field = CustomField.objects.create(label="Budget", key="budget", kind="number")
    data = {**CUSTOM_FIELD_POST, "label": "Budget (EUR)", "key": "budget", "kind": "number"}
    return reverse("experiments:custom_field_edit", args=[field.pk]), data


def team_edit(people):
    data = {"name": "Web Growth", "mission": "Grow web orders", "scoring_model": "rice"}
    data["sprint_length_days"] = 14
    data |= {"time_zone": "Europe/Helsinki", "currency": "EUR", "digest_empty_week": "skip"}
    return reverse("experiments:team_edit", args=[people.team.slug]), data


WRITES = [
    Write("experiments:idea_create", "documentation", idea_create, creates_in_team=True),
    Write("experiments:idea_edit", "documentation", idea_edit),
    Write("experiments:idea_to_experiment", "documentation", idea_to_experiment),
    Write(
        "experiments:experiment_create", "documentation", experiment_create, creates_in_team=True
    ),
    Write("experiment:edit", "documentation", experiment_edit),
    Write("experiment:plan", "documentation", experiment_plan),
    Write("experiment:variant_create", "documentation", variant_create),
    Write("experiment:variant_edit", "documentation", variant_edit),
    Write("experiment:variant_delete", "documentation", variant_delete),
    Write("experiment:metric_attach", "documentation", metric_attach),
    Write("experiment:metric_detach", "documentation", metric_detach),
    Write("experiment:conclude", "conclusion", experiment_conclude),
    experiment_move("plan", "draft"),
    experiment_move("unplan", "planned"),
    experiment_move("start", "draft"),
    experiment_move("stop", "running"),
    experiment_move("archive", "draft"),
    Write("metrics:create", "metric", metric_create),
    Write("metrics:edit", "metric", metric_edit),
    Write("experiment:outcome_counts", "documentation", outcome_counts),
    Write("experiments:team_edit", "team", team_edit),
    Write(
        "experiments:template_create",
        "template",
        template_create,
        choice_refused=("outside_lead",),
    ),
    Write("experiments:template_edit", "template", template_edit),
    Write("experiments:template_use", "documentation", template_use, creates_in_team=True),
    Write("experiment:duplicate", "documentation", experiment_duplicate),
    Write("experiment:save_as_template", "template", experiment_save_as_template),
    Write("experiment:checklist_toggle", "documentation", checklist_toggle),
    Write("experiment:signoff_ask", "documentation", signoff_ask),
    Write("experiment:signoff_approve", "signoff", signoff_approve),
    Write("experiment:signoff_refuse", "signoff", signoff_refuse),
    Write("experiments:team_signoff_policy", "team", team_signoff_policy),
    Write("experiments:custom_field_create", "custom_field", custom_field_create),
    Write("experiments:custom_field_edit", "custom_field", custom_field_edit),
]

# Pages that only read (GET); every signed-in persona sees them.
READS = {
    "experiments:home",
    "experiments:backlog",
    "experiments:idea_detail",
    "experiments:experiment_list",
    "experiments:experiment_list_csv",
    "experiment:detail",
    "experiment:variant_screenshot",
    "metrics:catalogue",
    "metrics:detail",
    "metrics:load_detail",
    "metrics:load_status",
    "metrics:source_list",
    "accounts:profile",
    "experiments:team_list",
    "experiments:team_detail",
    "experiments:template_list",
    "experiments:template_detail",
    "experiments:custom_field_list",
    "experiments:audit",
    "experiments:history_export",
    "experiment:history_export",
}
# Writes whose first step stores a file, not a row; tests/ingestion/test_pages.py covers them.
FILE_UPLOADS = {
    "experiment:outcome_upload",
    "experiment:outcome_map",
    "experiment:outcome_counts_file",
}
# SQL data source pages (analyst-only, refresh by experiment editors); personas in
# tests/ingestion/test_sql.py.
SQL_SOURCES = {
    "metrics:source_create",
    "metrics:source_edit",
    "experiment:outcome_sql",
    "experiment:outcome_sql_refresh",
}
# Routes that act only on the signed-in person themselves, not on shared documentation.
SELF_SERVICE = {
    "accounts:login",
    "accounts:logout",
    "accounts:token_create",
    "accounts:token_revoke",
    "accounts:language",  # tests/i18n/test_language.py: the switch, its CSRF, the profile
}


def route_names() -> set[str]:
    names = set()
    modules = {
        experiments.urls: "experiments",
        metrics.urls: "metrics",
        accounts.urls: "accounts",
        experiments.experiment_urls: "experiment",
        metrics.experiment_urls: "experiment",
    }
    for module, namespace in modules.items():
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), f"nested include in {module.__name__}"
            assert not isinstance(pattern, URLResolver)
            names.add(f"{namespace}:{pattern.name}")
    return names


def test_every_route_is_classified_as_a_tested_write_or_a_read():
    routes = route_names()
    writes = {write.name for write in WRITES}
    unclassified = routes - writes - READS - SELF_SERVICE - FILE_UPLOADS - SQL_SOURCES
    assert not unclassified, f"add these routes to WRITES or READS: {sorted(unclassified)}"
    assert writes <= routes and routes >= READS
    assert not writes & READS


def test_every_lifecycle_action_but_conclude_has_a_write_case():
    covered = {write.action for write in WRITES if write.action}
    assert covered == set(TRANSITIONS) - {"conclude"}


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_lifecycle_button_reaches_the_lifecycle_view(action):
    """No other route may shadow a lifecycle action ('.../plan/' once opened a form)."""
    url = reverse("experiment:move", args=[1, action])
    expected = "conclude" if action == "conclude" else "move"
    assert resolve(url).url_name == expected


def database_rows() -> dict:
    """Everything a write could touch, to prove a refused write touched nothing."""
    models = (
        Experiment,
        Variant,
        ExperimentMetric,
        Idea,
        HistoryEntry,
        Metric,
        Tag,
        Team,
        DataLoad,
        ExperimentTemplate,
        TemplateMetric,
        ChecklistItem,
        CustomField,
        CustomFieldValue,
        SignoffPolicy,
        SignoffRequest,
    )
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["Membership"] = list(Membership.objects.order_by("pk").values("user", "team", "role"))
    rows["idea_tags"] = list(Idea.tags.through.objects.order_by("pk").values())
    return rows


@pytest.mark.parametrize("write", WRITES, ids=[write.id for write in WRITES])
def test_write_route_by_persona(people, write):
    url, data = write.prepare(people)
    before = database_rows()
    client = Client()

    anonymous = client.post(url, data)
    assert anonymous.status_code == 302
    assert anonymous.url == f"{reverse('accounts:login')}?next={url}"
    assert database_rows() == before

    for persona in PERSONAS:
        client.force_login(getattr(people, persona))
        if persona in ALLOWED[write.kind]:
            with transaction.atomic():
                response = client.post(url, data)
                assert response.status_code == 302, (persona, response.status_code)
                assert database_rows() != before, f"{persona}: nothing was written"
                transaction.set_rollback(True)
        else:
            response = client.post(url, data)
            foreign = write.creates_in_team and persona in ("outsider", "outside_lead")
            if foreign or persona in write.choice_refused:
                # They may create in their own team; ours is not a choice they are offered.
                assert response.status_code == 400, persona
                assert "Select a valid choice" in response.text
            else:
                assert response.status_code == 403, (persona, response.status_code)
                assert "Your role does not allow this change" in response.text
        assert database_rows() == before, f"{persona} changed the database"


@pytest.mark.parametrize(
    "name",
    [
        "experiments:idea_edit",
        "experiment:edit",
        "experiment:plan",
        "experiment:variant_create",
        "experiment:conclude",
        "metrics:edit",
        "experiments:team_edit",
        "experiments:template_edit",
        "experiments:team_signoff_policy",
        "experiments:custom_field_edit",
    ],
)
def test_edit_forms_are_not_even_shown_to_a_viewer_or_outsider(people, name):
    write = next(write for write in WRITES if write.name == name)
    url, _ = write.prepare(people)
    client = Client()
    for persona in ("viewer", "outsider"):
        client.force_login(getattr(people, persona))
        assert client.get(url).status_code == 403
    client.force_login(people.admin)
    assert client.get(url).status_code == 200


def test_an_unknown_lifecycle_action_is_not_found(people):
    experiment = ready_experiment(people, "running")
    client = Client()
    client.force_login(people.lead)
    url = reverse("experiment:move", args=[experiment.pk, "explode"])
    assert client.post(url).status_code == 404
    experiment.refresh_from_db()
    assert experiment.status == "running"


def test_outsider_may_write_in_their_own_team(people):
    client = Client()
    client.force_login(people.outsider)
    response = client.post(
        reverse("experiments:idea_create"),
        {"team": people.other_team.pk, "title": "Win-back e-mail", "channel": "email"},
    )
    assert response.status_code == 302
    assert Idea.objects.get().team == people.other_team


# --- Reading: full transparency -----------------------------------------------------------


@pytest.fixture
def read_urls(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    experiment = ready_experiment(people, "running")
    variant = experiment.variants.get(name="B")
    variant.screenshot.save("b.png", png_file(), save=True)
    idea = idea_make(people)
    metric = experiment.experiment_metrics.get().metric
    load = DataLoad.objects.create(experiment=experiment, kind=DataLoad.Kind.COUNTS)
    return {
        "experiments:home": reverse("experiments:home"),
        "experiments:backlog": reverse("experiments:backlog"),
        "experiments:idea_detail": reverse("experiments:idea_detail", args=[idea.pk]),
        "experiments:experiment_list": reverse("experiments:experiment_list"),
        "experiments:experiment_list_csv": reverse("experiments:experiment_list_csv"),
        "experiment:detail": experiment.get_absolute_url(),
        "experiment:variant_screenshot": reverse(
            "experiment:variant_screenshot", args=[experiment.pk, variant.pk]
        ),
        "metrics:catalogue": reverse("metrics:catalogue"),
        "metrics:detail": reverse("metrics:detail", args=[metric.pk]),
        "metrics:load_detail": reverse("metrics:load_detail", args=[load.pk]),
        "metrics:load_status": reverse("metrics:load_status", args=[load.pk]),
        "metrics:source_list": reverse("metrics:source_list"),
        "accounts:profile": reverse("accounts:profile"),
        "experiments:team_list": reverse("experiments:team_list"),
        "experiments:team_detail": reverse("experiments:team_detail", args=[people.team.slug]),
        "experiments:template_list": reverse("experiments:template_list"),
        "experiments:template_detail": team_template(people).get_absolute_url(),
        "experiments:custom_field_list": reverse("experiments:custom_field_list"),
        "experiments:audit": reverse("experiments:audit"),
        "experiments:history_export": reverse("experiments:history_export") + "?format=json",
        "experiment:history_export": reverse("experiment:history_export", args=[experiment.pk]),
    }


def png_file() -> ContentFile:
    image = io.BytesIO()
    PIL.Image.new("RGB", (4, 3), "teal").save(image, "PNG")
    return ContentFile(image.getvalue())


def test_every_signed_in_persona_reads_every_page(people, read_urls):
    assert set(read_urls) == READS
    client = Client()
    for persona in PERSONAS:
        client.force_login(getattr(people, persona))
        for name, url in read_urls.items():
            response = client.get(url)
            assert response.status_code == 200, (persona, name, response.status_code)


def test_anonymous_reads_nothing_but_the_sign_in_page(people, read_urls):
    client = Client()
    for url in read_urls.values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login") + "?next=")
    assert client.get(reverse("accounts:login")).status_code == 200


def test_a_viewer_sees_no_edit_controls_and_the_owner_does(people):
    experiment = ready_experiment(people)
    client = Client()
    client.force_login(people.viewer)
    page = client.get(experiment.get_absolute_url()).text
    for control in ("Edit documentation", "Start test", "Add variant", "Attach metric"):
        assert control not in page
    client.force_login(people.owner)
    page = client.get(experiment.get_absolute_url()).text
    for control in ("Edit documentation", "Start test", "Add variant", "Attach metric"):
        assert control in page
