"""The documentation history: who changed what and when, shown as a timeline."""

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from experiments.models import Experiment, HistoryEntry, MetricRole, Variant
from experiments.services.experiments import (
    experiment_metric_attach,
    experiment_metric_detach,
    experiment_update,
    variant_remove,
    variant_save,
)
from experiments.services.ideas import idea_update
from tests.factories import experiment_make, idea_make, metric_make


def test_editing_an_idea_records_who_when_and_each_changed_field(people):
    idea = idea_make(people, insight="Visitors ask support for delivery dates")
    before = timezone.now()
    idea_update(
        idea=idea,
        user=people.teammate,
        data={"title": "Delivery date under the price", "impact": 9, "ease": 8},
        tags=["delivery"],
    )
    entry = idea.history.first()
    assert entry.user == people.teammate
    assert before <= entry.created_at <= timezone.now()
    assert entry.summary == "Edited the idea"
    assert entry.changes == [
        {
            "field": "title",
            "label": "Title",
            "old": "Show delivery date on product page",
            "new": "Delivery date under the price",
        },
        {"field": "impact", "label": "Impact", "old": "7", "new": "9"},
        {"field": "tags", "label": "Tags", "old": "", "new": "delivery"},
    ]


def test_a_save_that_changes_nothing_records_nothing(people):
    idea = idea_make(people)
    idea_update(idea=idea, user=people.owner, data={"title": idea.title, "impact": 7}, tags=[])
    assert idea.history.count() == 1  # "Created the idea"

    experiment = experiment_make(people, ready=True)
    count = experiment.history.count()
    experiment_update(
        experiment=experiment,
        user=people.owner,
        data={"title": experiment.title, "mde_relative": 5.0},
        tags=[],
    )
    assert experiment.history.count() == count


def test_saving_an_unchanged_form_records_nothing(people):
    idea = idea_make(people)
    client = Client()
    client.force_login(people.owner)
    data = {"title": idea.title, "channel": "web", "status": "new", "impact": 7}
    data |= {"confidence": 5, "ease": 8}
    response = client.post(reverse("experiments:idea_edit", args=[idea.pk]), data)
    assert response.status_code == 302
    assert idea.history.count() == 1


def test_editing_an_experiment_records_readable_labels_and_values(people):
    experiment = experiment_make(people)
    experiment_update(
        experiment=experiment,
        user=people.teammate,
        data={
            "owner": people.teammate,
            "channel": "email",
            "hypothesis_insight": "half of carts are abandoned at shipping",
            "planned_start": datetime.date(2025, 4, 1),
        },
    )
    entry = experiment.history.first()
    assert entry.user == people.teammate
    assert entry.summary == "Edited the documentation"
    assert entry.changes == [
        {"field": "owner", "label": "Owner", "old": "owner", "new": "teammate"},
        {"field": "channel", "label": "Channel", "old": "Website", "new": "E-mail"},
        {
            "field": "hypothesis_insight",
            "label": "Because we saw …",
            "old": "",
            "new": "half of carts are abandoned at shipping",
        },
        {"field": "planned_start", "label": "Planned start", "old": "", "new": "2025-04-01"},
    ]


def test_variant_and_metric_changes_are_recorded(people):
    experiment = experiment_make(people)
    variant_save(
        variant=Variant(experiment=experiment, name="C", traffic_share=20), user=people.owner
    )
    b = experiment.variants.get(name="B")
    b.traffic_share = 30
    variant_save(variant=b, user=people.teammate)
    variant_remove(variant=experiment.variants.get(name="C"), user=people.owner)
    metric = metric_make("Bounce rate")
    link = experiment_metric_attach(
        experiment=experiment, metric=metric, role=MetricRole.GUARDRAIL, user=people.owner
    )
    experiment_metric_detach(link=link, user=people.lead)

    entries = list(experiment.history.values_list("summary", "user__username"))
    assert entries == [
        ("Detached Bounce rate (Guardrail)", "lead"),
        ("Attached Bounce rate as Guardrail", "owner"),
        ("Removed variant C (treatment, 20%)", "owner"),
        ("Changed variant B (treatment, 30%)", "teammate"),
        ("Added variant C (treatment, 20%)", "owner"),
        ("Created the test", "owner"),
    ]


def test_a_refused_edit_records_nothing(people):
    experiment = experiment_make(people)
    client = Client()
    client.force_login(people.owner)
    response = client.post(
        reverse("experiment:edit", args=[experiment.pk]),
        {"title": "", "owner": people.owner.pk, "channel": "web"},
    )
    assert response.status_code == 400
    assert HistoryEntry.objects.filter(experiment=experiment).count() == 1


def test_the_experiment_page_shows_the_timeline_with_changed_fields(people):
    experiment = experiment_make(people)
    client = Client()
    client.force_login(people.teammate)
    response = client.post(
        reverse("experiment:edit", args=[experiment.pk]),
        {
            "title": "Free shipping above 499 SEK",
            "owner": people.owner.pk,
            "channel": "web",
            "hypothesis_effect": "raise completed orders",
        },
    )
    assert response.status_code == 302

    client.force_login(people.viewer)
    page = client.get(experiment.get_absolute_url()).text
    timeline = page[page.index('aria-label="History"') :]
    assert "<strong>Edited the documentation</strong>" in timeline
    assert "by teammate" in timeline
    assert "Title:" in timeline
    assert "<del>A test still being written</del>" in timeline
    assert "<ins>Free shipping above 499 SEK</ins>" in timeline
    effect_label = str(Experiment._meta.get_field("hypothesis_effect").verbose_name)
    assert f"{effect_label.capitalize()}:" in timeline
    assert "<ins>raise completed orders</ins>" in timeline
    assert "<strong>Created the test</strong>" in timeline
    assert timeline.index("Edited the documentation") < timeline.index("Created the test")


def test_the_idea_page_shows_its_timeline(people):
    idea = idea_make(people)
    idea_update(idea=idea, user=people.lead, data={"ease": 3})
    client = Client()
    client.force_login(people.outsider)
    page = client.get(idea.get_absolute_url()).text
    timeline = page[page.index('aria-label="History"') :]
    assert "<strong>Edited the idea</strong>" in timeline
    assert "by lead" in timeline
    assert "Ease:" in timeline
    assert "<del>8</del>" in timeline
    assert "<ins>3</ins>" in timeline
