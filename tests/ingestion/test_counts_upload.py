"""The counts-file page: a counts export stored, checked, loaded by the task; bad files named."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics.models import DataLoad, OutcomeCohort
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CONVERSIONS = b"variant,date,users,conversions\nA,2024-03-01,500,40\nB,2024-03-01,510,55\n"
REVENUE = b"variant,users,sum,sum_squares\nA,400,1200.5,9100.25\nB,410,1300,9900\n"


def post_counts(client, user, experiment, data: bytes, metric="Order conversion"):
    client.login(username=user.username, password=PASSWORD)
    url = reverse("experiment:outcome_counts_file", args=[experiment.pk])
    return client.post(url, {"metric": metric, "file": SimpleUploadedFile("export.csv", data)})


def shown_problems(response) -> list[str]:
    return [html.unescape(text) for text in re.findall(r"<p>(data row .*?)</p>", response.text)]


def uploads(media) -> list:
    return list((media / "uploads").glob("*")) if (media / "uploads").exists() else []


def test_a_conversions_export_is_stored_through_the_task(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_counts(client, people.owner, outcome_experiment, CONVERSIONS)
    load = DataLoad.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("metrics:load_detail", args=[load.pk])
    assert (load.kind, load.status, load.original_name) == ("counts", "succeeded", "export.csv")
    cohorts = OutcomeCohort.objects.filter(load=load, metric__name="Order conversion")
    assert sorted(cohorts.values_list("variant__name", "exposure_date__day", "n", "sum")) == [
        ("A", 1, 500, 40.0),
        ("B", 1, 510, 55.0),
    ]


def test_a_mean_export_stores_sum_and_squares(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_counts(client, people.owner, outcome_experiment, REVENUE, metric="Revenue")
    cohorts = OutcomeCohort.objects.filter(metric__name="Revenue", exposure_date__isnull=True)
    assert sorted(cohorts.values_list("variant__name", "n", "sum", "sum_squares")) == [
        ("A", 400, 1200.5, 9100.25),
        ("B", 410, 1300.0, 9900.0),
    ]


def test_a_bad_file_is_a_400_naming_row_and_column_and_nothing_is_written(
    client, people, outcome_experiment, media, django_capture_on_commit_callbacks
):
    data = b"variant,users,conversions\nA,500,forty\nC,510,55\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = post_counts(client, people.owner, outcome_experiment, data)
    assert response.status_code == 400
    assert shown_problems(response) == [
        "data row 1, column `conversions`: 'forty' is not a whole number of at least 0",
        "data row 2, column `variant`: unknown variant 'C' (1 rows, first in data row 2); "
        "the experiment's variants are 'A', 'B'",
    ]
    assert not DataLoad.objects.exists()
    assert not OutcomeCohort.objects.exists()
    assert uploads(media) == []


def test_a_missing_column_is_named(client, people, outcome_experiment, media):
    response = post_counts(client, people.owner, outcome_experiment, b"variant,users\nA,5\n")
    assert response.status_code == 400
    assert (
        "no column for conversions was found or picked; the file&#x27;s columns are "
        "`variant`, `users`. Pick the column that holds conversions" in response.content.decode()
    )
    assert not DataLoad.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_only_the_team_s_editors_upload_counts(client, people, outcome_experiment, who):
    response = post_counts(client, getattr(people, who), outcome_experiment, CONVERSIONS)
    assert response.status_code == 403
    assert not DataLoad.objects.exists()


def test_the_outcome_page_links_to_the_counts_file_page(client, people, outcome_experiment):
    client.login(username=people.owner.username, password=PASSWORD)
    page = client.get(reverse("experiment:outcome_upload", args=[outcome_experiment.pk]))
    url = reverse("experiment:outcome_counts_file", args=[outcome_experiment.pk])
    assert url in page.content.decode()
    form = client.get(url)
    assert form.status_code == 200
    assert "variant, date (optional), users, conversions" in form.content.decode()
