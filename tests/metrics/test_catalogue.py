"""The metric catalogue: a KPI tree with owners, managed by analysts, read by everyone."""

import pytest
from django.test import Client
from django.urls import reverse

from metrics.models import Metric, MetricKind
from metrics.selectors import kpi_forest
from tests.factories import metric_make

FORM = {"kind": MetricKind.BINOMIAL, "good_direction": "increase", "unit": "%"}


@pytest.fixture
def tree(people):
    north_star = metric_make("Weekly orders", kind=MetricKind.MEAN, owner=people.lead)
    conversion = metric_make("Order conversion", parent=north_star, owner=people.analyst)
    cart = metric_make("Add to cart rate", parent=conversion, owner=people.owner)
    metric_make("Unsubscribe rate", good_direction="decrease")
    return north_star, conversion, cart


def test_the_catalogue_is_a_tree_with_owners(people, tree):
    _, conversion, cart = tree
    forest = kpi_forest()
    assert [node.metric.name for node in forest] == ["Unsubscribe rate", "Weekly orders"]
    weekly = forest[1]
    assert [node.metric for node in weekly.children] == [conversion]
    assert [node.metric for node in weekly.children[0].children] == [cart]

    client = Client()
    client.force_login(people.viewer)
    page = client.get(reverse("metrics:catalogue")).text
    assert (
        page.index("Weekly orders")
        < page.index("Order conversion")
        < page.index("Add to cart rate")
    )
    assert "owner lead" in page and "owner analyst" in page and "owner owner" in page
    assert "Lower is better" in page
    assert reverse("metrics:create") not in page  # a viewer is offered no "New metric"


def test_an_analyst_adds_a_metric_under_a_parent(people, tree):
    north_star, _, _ = tree
    client = Client()
    client.force_login(people.analyst)
    assert reverse("metrics:create") in client.get(reverse("metrics:catalogue")).text
    response = client.post(
        reverse("metrics:create"),
        {
            **FORM,
            "name": "Repeat purchase rate",
            "parent": north_star.pk,
            "owner": people.analyst.pk,
            "team": people.team.pk,
            "baseline_value": "0.3",
        },
    )
    assert response.status_code == 302
    metric = Metric.objects.get(name="Repeat purchase rate")
    assert (metric.parent, metric.owner, metric.team) == (north_star, people.analyst, people.team)
    assert response.url == reverse("metrics:detail", args=[metric.pk])


def test_a_parent_loop_is_refused_by_name(people, tree):
    north_star, _, cart = tree
    client = Client()
    client.force_login(people.admin)
    response = client.post(
        reverse("metrics:edit", args=[north_star.pk]),
        {**FORM, "kind": MetricKind.MEAN, "name": "Weekly orders", "parent": cart.pk},
    )
    assert response.status_code == 400
    assert (
        "Add to cart rate sits below Weekly orders in the KPI tree, so it cannot also be its "
        "parent." in response.text
    )
    assert 'id="id_parent_error"' in response.text
    north_star.refresh_from_db()
    assert north_star.parent is None


def test_a_metric_cannot_be_its_own_parent_in_the_form(people, tree):
    north_star, _, _ = tree
    client = Client()
    client.force_login(people.admin)
    response = client.post(
        reverse("metrics:edit", args=[north_star.pk]),
        {**FORM, "kind": MetricKind.MEAN, "name": "Weekly orders", "parent": north_star.pk},
    )
    assert response.status_code == 400
    assert 'id="id_parent_error"' in response.text


@pytest.mark.parametrize(
    ("change", "field_or_message"),
    [
        ({"name": ""}, 'id="id_name_error"'),
        ({"name": "Order conversion"}, 'id="id_name_error"'),  # names are unique
        ({"kind": "vibes"}, 'id="id_kind_error"'),
        ({"baseline_value": "1.5"}, "A conversion baseline is a rate between 0 and 1."),
        ({"baseline_sd": "0"}, "The baseline standard deviation must be above zero."),
    ],
    ids=["no-name", "duplicate-name", "unknown-kind", "rate-above-1", "sd-zero"],
)
def test_bad_metric_input_is_named_and_nothing_saved(people, tree, change, field_or_message):
    client = Client()
    client.force_login(people.analyst)
    before = list(Metric.objects.order_by("pk").values())
    response = client.post(
        reverse("metrics:create"),
        {**FORM, "name": "Newsletter sign-up rate", "team": people.team.pk, **change},
    )
    assert response.status_code == 400
    assert field_or_message in response.text
    assert list(Metric.objects.order_by("pk").values()) == before


def test_an_analyst_cannot_put_a_metric_in_another_team(people):
    client = Client()
    client.force_login(people.analyst)
    response = client.post(
        reverse("metrics:create"),
        {**FORM, "name": "CRM open rate", "team": people.other_team.pk},
    )
    assert response.status_code == 400
    assert 'id="id_team_error"' in response.text
    assert not Metric.objects.exists()


def test_a_metric_of_another_team_is_read_only_for_an_analyst(people):
    theirs = metric_make("CRM open rate", team=people.other_team)
    client = Client()
    client.force_login(people.analyst)
    assert client.get(reverse("metrics:detail", args=[theirs.pk])).status_code == 200
    response = client.post(
        reverse("metrics:edit", args=[theirs.pk]),
        {**FORM, "name": "Renamed", "team": people.other_team.pk},
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.name == "CRM open rate"


def test_the_metric_page_lists_the_tests_that_use_it(people):
    from tests.factories import experiment_make

    experiment = experiment_make(people, ready=True)
    metric = experiment.experiment_metrics.get().metric
    client = Client()
    client.force_login(people.outsider)
    page = client.get(reverse("metrics:detail", args=[metric.pk])).text
    assert experiment.title in page


def test_a_metric_is_owned_by_a_member_of_its_team(people):
    client = Client()
    client.force_login(people.analyst)
    response = client.post(
        reverse("metrics:create"),
        {
            **FORM,
            "name": "Repeat purchase rate",
            "team": people.team.pk,
            "owner": people.outsider.pk,
        },
    )
    assert response.status_code == 400
    assert "outsider is not a member of Web Growth" in response.text
    assert not Metric.objects.exists()
