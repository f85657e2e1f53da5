"""Every file of the corpus through the upload page and the command line: read right, or
refused with its exact messages, nothing written and no copy left. A real worker takes the
same corpus in tests/integration/test_corpus_worker.py.
"""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from metrics.models import DataLoad, OutcomeCohort
from tests.conftest import PASSWORD
from tests.ingestion.corpus import bad_entries, entries, good_entries
from tests.ingestion.rows import expected_cohorts
from tests.integration.conftest import assert_stored

pytestmark = pytest.mark.django_db

BY_NAME = {entry.name: entry for entry in entries()}


def uploads_left(media) -> list:
    folder = media / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload(client, experiment, entry):
    client.login(username=experiment.owner.username, password=PASSWORD)
    url = reverse("experiment:outcome_upload", args=[experiment.pk])
    response = client.post(url, {"file": SimpleUploadedFile(entry.name, entry.data)})
    assert response.status_code == 302
    return response.url


def shown_problems(page: str) -> list[str]:
    block = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', page, re.S)
    return [html.unescape(text) for text in re.findall(r"<p>(.*?)</p>", block.group(1))]


def load_through_the_page(client, experiment, entry, capture):
    mapping_url = upload(client, experiment, entry)
    mapping_page = client.get(mapping_url)
    if entry.refused_before_mapping:
        return mapping_page
    assert mapping_page.status_code == 200
    with capture(execute=True):
        return client.post(mapping_url, entry.form_post())


@pytest.mark.parametrize("name", [entry.name for entry in good_entries()])
def test_each_good_file_loads_its_exact_statistics_through_the_page(
    client, outcome_experiment, media, django_capture_on_commit_callbacks, name
):
    entry = BY_NAME[name]
    response = load_through_the_page(
        client, outcome_experiment, entry, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    load = DataLoad.objects.get()
    assert (load.status, load.rows_read) == ("succeeded", len(entry.rows)), load.errors
    assert_stored(outcome_experiment, expected_cohorts(entry.rows), source="file")
    page = client.get(response.url).content.decode()
    assert f"{len(entry.rows)} users read, 2 variants, 3 exposure days" in page


@pytest.mark.parametrize("name", [entry.name for entry in bad_entries()])
def test_each_bad_file_is_refused_on_the_page_with_its_messages_and_leaves_nothing(
    client, outcome_experiment, media, django_capture_on_commit_callbacks, name
):
    entry = BY_NAME[name]
    response = load_through_the_page(
        client, outcome_experiment, entry, django_capture_on_commit_callbacks
    )
    if response.status_code == 302:  # read by the worker, which refused it
        load = DataLoad.objects.get()
        assert load.status == "failed"
        assert tuple(error["text"] for error in load.errors) == entry.problems
        page = client.get(response.url).content.decode()
        assert shown_problems(page)[1:] == list(entry.problems)
    else:
        assert response.status_code == 400
        page = response.content.decode()
        assert list(entry.problems) <= shown_problems(page) or all(
            html.escape(problem) in page for problem in entry.problems
        )
    assert not OutcomeCohort.objects.exists()
    if entry.refused_before_mapping or response.status_code == 302:
        assert uploads_left(media) == []


@pytest.mark.django_db(transaction=True)  # the command commits, like in production
@pytest.mark.parametrize("name", [entry.name for entry in good_entries()])
def test_each_good_file_loads_its_exact_statistics_from_the_command_line(
    outcome_experiment, media, tmp_path, capsys, name
):
    entry = BY_NAME[name]
    path = tmp_path / entry.name
    path.write_bytes(entry.data)
    call_command("load_outcomes", str(outcome_experiment.pk), str(path), *entry.cli_args())
    load = DataLoad.objects.get()
    assert (load.status, load.rows_read) == ("succeeded", len(entry.rows)), load.errors
    assert_stored(outcome_experiment, expected_cohorts(entry.rows), source="file")
    out = capsys.readouterr().out
    assert f"{len(entry.rows)} users read, 2 variants, 3 exposure days" in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", [entry.name for entry in bad_entries()])
def test_each_bad_file_is_refused_by_the_command_line_with_the_same_messages(
    outcome_experiment, media, tmp_path, capsys, name
):
    entry = BY_NAME[name]
    path = tmp_path / entry.name
    path.write_bytes(entry.data)
    with pytest.raises(CommandError) as caught:
        call_command("load_outcomes", str(outcome_experiment.pk), str(path), *entry.cli_args())
    said = [*capsys.readouterr().err.splitlines(), str(caught.value)]
    assert [line for line in said if line in entry.problems] == list(entry.problems)
    assert not OutcomeCohort.objects.exists()
    assert uploads_left(media) == []


def test_the_mapping_page_says_how_a_finnish_file_is_written_and_maps_finnish_names(
    client, outcome_experiment, media
):
    page = client.get(upload(client, outcome_experiment, BY_NAME["finnish-excel.csv"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        "Finnish, German or Nordic Excel: semicolons, decimal commas, dates day first with "
        "points (6.12.2026), UTF-8 with a byte-order mark" in text
    )
    for role, column in (("user", "käyttäjä"), ("variant", "ryhmä"), ("date", "päivä")):
        select = re.search(rf'<select name="{role}".*?</select>', text, re.S).group(0)
        assert f'<option value="{column}" selected>' in select


def test_dates_of_unclear_order_are_asked_for_and_never_guessed(
    client, outcome_experiment, media, django_capture_on_commit_callbacks
):
    entry = BY_NAME["dates-of-unclear-order.csv"]
    mapping_url = upload(client, outcome_experiment, entry)
    page = client.get(mapping_url).content.decode()
    assert "fit both day-first and month-first" in page
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(mapping_url, entry.form_post())
    assert refused.status_code == 400
    assert not DataLoad.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        chosen = client.post(mapping_url, {**entry.form_post(), "date_order": "dmy_slashes"})
    assert chosen.status_code == 302
    assert DataLoad.objects.get().status == "succeeded"


def test_the_mapping_page_lists_the_earlier_loads_with_their_status(
    client, outcome_experiment, media, django_capture_on_commit_callbacks
):
    load_through_the_page(
        client, outcome_experiment, BY_NAME["bad-cells.csv"], django_capture_on_commit_callbacks
    )
    load_through_the_page(
        client, outcome_experiment, BY_NAME["plain.csv"], django_capture_on_commit_callbacks
    )
    page = client.get(upload(client, outcome_experiment, BY_NAME["tabs.tsv"])).content.decode()
    listed = re.search(r'<div class="card" id="past-loads">(.*?)</div>', page, re.S).group(1)
    rows = [html.unescape(re.sub(r"<[^>]+>", " ", row)) for row in listed.split("<tr>")[2:]]
    assert "plain.csv" in rows[0] and "Succeeded" in rows[0]
    assert "60 users read, 2 variants, 3 days" in " ".join(rows[0].split())
    assert "bad-cells.csv" in rows[1] and "Failed" in rows[1] and "nothing saved" in rows[1]
