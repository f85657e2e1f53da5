"""Uploads a web worker must survive and the disk must not keep: gzip bombs, files over the
limit, refused files, abandoned copies; and counts exports whose columns have their own names."""

import gzip
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from growthlab.celery import app
from metrics.ingestion import filetype
from metrics.ingestion.services import data_load_create, upload_store
from metrics.ingestion.sweep import uploads_sweep
from metrics.models import DataLoad, OutcomeCohort
from tests.conftest import PASSWORD
from tests.ingestion.corpus import ENGLISH, base_rows, text_file
from tests.ingestion.rows import expected_cohorts
from tests.ingestion.test_corpus import BY_NAME, load_through_the_page, uploads_left
from tests.integration.conftest import assert_stored

pytestmark = pytest.mark.django_db


def signed_in(client, people):
    client.login(username=people.owner.username, password=PASSWORD)
    return client


def upload(client, experiment, name: str, data: bytes):
    url = reverse("experiment:outcome_upload", args=[experiment.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_the_mapping_page_reads_only_the_start_of_a_gzip_file(
    client, people, outcome_experiment, media
):
    # A good start, then an archive that ends abruptly: unpacking it all would fail.
    head = text_file(base_rows(), ENGLISH)
    whole = gzip.compress(
        head + b"".join(text_file(base_rows(), ENGLISH)[60:] for _ in range(4000))
    )
    cut = whole[: len(whole) // 2]
    response = upload(signed_in(client, people), outcome_experiment, "export.csv.gz", cut)
    page = client.get(response.url)
    assert page.status_code == 200
    assert "<th>pre_revenue</th>" in page.content.decode()


def test_a_gzip_over_its_unpacked_limit_is_refused_by_the_worker_naming_the_limit(
    client, people, outcome_experiment, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(filetype, "GZIP_MAX_UNPACKED_BYTES", 10_000)
    entry = BY_NAME["gzipped.csv.gz"]
    bomb = gzip.compress(text_file(base_rows(), ENGLISH) + b"0" * 50_000)
    response = upload(signed_in(client, people), outcome_experiment, "bomb.csv.gz", bomb)
    assert client.get(response.url).status_code == 200  # the page reads a bounded prefix only
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, entry.form_post())
    load = DataLoad.objects.get()
    assert load.status == "failed"
    assert [error["text"] for error in load.errors] == [
        "The gzipped file unpacks to more than 10,000 bytes, the limit; reading stopped "
        "there. Split it, or upload it unpacked."
    ]
    assert uploads_left(media) == []


def test_the_over_limit_message_quotes_the_file_s_size(
    client, people, outcome_experiment, media, settings
):
    settings.UPLOAD_MAX_BYTES = 100_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000  # on disk, read in 64 KiB chunks as in production
    response = upload(signed_in(client, people), outcome_experiment, "big.csv", b"x" * 300_000)
    assert response.status_code == 400
    assert "The file is 300,000 bytes, over the limit of 100,000 bytes." in (
        response.content.decode()
    )
    assert uploads_left(media) == []


def test_a_file_the_mapping_page_refuses_is_deleted(client, people, outcome_experiment, media):
    picture = BY_NAME["picture-named.csv"].data
    response = upload(signed_in(client, people), outcome_experiment, "logo.csv", picture)
    assert client.get(response.url).status_code == 400
    assert uploads_left(media) == []
    assert client.get(response.url).status_code == 404  # the upload is no longer waiting


def test_the_sweep_deletes_old_uploads_no_load_owns_and_keeps_the_rest(
    people, outcome_experiment, media
):
    def stored(age_seconds: int) -> str:
        name, _digest = upload_store(chunks=[os.urandom(64)])
        path = media / "uploads" / name
        os.utime(path, (time.time() - age_seconds, time.time() - age_seconds))
        return name

    abandoned, recent = stored(2 * 86_400), stored(60)
    owned = stored(2 * 86_400)
    DataLoad.objects.create(
        experiment=outcome_experiment,
        kind="file",
        stored_name=owned,
        status=DataLoad.Status.SUCCEEDED,
    )
    refused = stored(2 * 86_400)
    DataLoad.objects.create(
        experiment=outcome_experiment,
        kind="file",
        stored_name=refused,
        status=DataLoad.Status.FAILED,
    )
    assert sorted(uploads_sweep()) == sorted([abandoned, refused])
    assert uploads_left(media) == sorted([recent, owned])


def test_beat_runs_the_sweep_with_a_task_the_worker_knows():
    entry = next(e for e in app.conf.beat_schedule.values() if "uploads_sweep" in e["task"])
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


COUNTS_EXPORT = (
    b'"variant","users","conversions","revenue_sum","revenue_sum_squares"\r\n'
    b'"A","1000","52","2600.5","91000.25"\r\n'
    b'"B","1010","61","3100","99000"\r\n'
)


def post_counts(client, people, experiment, data: bytes, metric: str, **columns):
    url = reverse("experiment:outcome_counts_file", args=[experiment.pk])
    fields = {"metric": metric, "file": SimpleUploadedFile("email.csv", data)}
    fields |= {f"column_{role}": column for role, column in columns.items()}
    return signed_in(client, people).post(url, fields)


def test_an_e_mail_tool_s_counts_export_maps_its_revenue_columns(
    client, people, outcome_experiment, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_counts(client, people, outcome_experiment, COUNTS_EXPORT, "Revenue")
    assert response.status_code == 302
    stored = OutcomeCohort.objects.filter(metric__name="Revenue").order_by("variant__name")
    assert list(stored.values_list("variant__name", "n", "sum", "sum_squares")) == [
        ("A", 1000, 2600.5, 91000.25),
        ("B", 1010, 3100.0, 99000.0),
    ]


def test_any_counts_column_can_be_picked_for_any_total(
    client, people, outcome_experiment, media, django_capture_on_commit_callbacks
):
    data = b"arm;sent;buyers\r\nA;1000;52\r\nB;1010;61\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = post_counts(
            client,
            people,
            outcome_experiment,
            data,
            "Order conversion",
            users="sent",
            conversions="buyers",
        )
    assert response.status_code == 302
    stored = OutcomeCohort.objects.filter(metric__name="Order conversion")
    assert sorted(stored.values_list("variant__name", "n", "sum")) == [
        ("A", 1000, 52.0),
        ("B", 1010, 61.0),
    ]


def test_a_count_out_of_range_in_a_counts_file_is_named_and_nothing_is_kept(
    client, people, outcome_experiment, media
):
    data = b"variant,users,conversions\nA,100000000000000000000,5\nB,10,1\n"
    response = post_counts(client, people, outcome_experiment, data, "Order conversion")
    assert response.status_code == 400
    assert (
        "data row 1, column `users`: 100,000,000,000,000,000,000 is out of range: users must "
        "be between 0 and 100,000,000,000" in response.content.decode()
    )
    assert not DataLoad.objects.exists()
    assert uploads_left(media) == []


def test_a_file_load_of_a_stored_copy_is_owned_once_it_succeeds(
    people, outcome_experiment, media, django_capture_on_commit_callbacks
):
    entry = BY_NAME["plain.csv"]
    name, digest = upload_store(chunks=[entry.data])
    with django_capture_on_commit_callbacks(execute=True):
        data_load_create(
            experiment=outcome_experiment,
            user=people.owner,
            kind="file",
            stored_name=name,
            content_sha256=digest,
            mapping=entry.mapping(),
        )
    assert DataLoad.objects.get().status == "succeeded"
    assert uploads_left(media) == [name]
    assert uploads_sweep(older_than_seconds=0) == []


def test_a_rejected_load_through_the_page_leaves_no_copy(
    client, people, outcome_experiment, media, django_capture_on_commit_callbacks
):
    signed_in(client, people)
    load_through_the_page(
        client, outcome_experiment, BY_NAME["ragged.csv"], django_capture_on_commit_callbacks
    )
    assert DataLoad.objects.get().status == "failed"
    assert uploads_left(media) == []


def odd_files() -> dict[str, bytes]:
    workbook = BY_NAME["workbook.xlsx"].data
    parquet = BY_NAME["typed.parquet"].data
    plain = BY_NAME["plain.csv"].data
    return {
        "empty.csv": b"",
        "header-only.csv": plain.split(b"\n")[0] + b"\n",
        "only-a-bom.csv": b"\xef\xbb\xbf",
        "noise.bin": bytes((i * 7919 + 13) % 256 for i in range(4096)),
        "cut-workbook.xlsx": workbook[: len(workbook) // 2],
        "cut-parquet.parquet": parquet[: len(parquet) // 2],
        "unclosed-quote.csv": plain.replace(b"\nu0003", b'\n"u0003', 1),
        "nul-bytes.csv": plain.replace(b"u0005", b"u\x0005", 1),
        "one-column.csv": b"hello\nworld\n",
        "mixed-line-ends.csv": plain.replace(b"\n", b"\r\n", 20),
    }


@pytest.mark.parametrize("name", list(odd_files()))
def test_no_odd_file_gets_an_error_of_ours_on_the_page_or_in_the_load(
    client, people, outcome_experiment, media, django_capture_on_commit_callbacks, name
):
    response = upload(signed_in(client, people), outcome_experiment, name, odd_files()[name])
    if response.status_code == 400:  # refused at the upload itself (an empty file)
        assert uploads_left(media) == []
        return
    page = client.get(response.url)
    assert page.status_code in (200, 400)
    if page.status_code == 200:
        with django_capture_on_commit_callbacks(execute=True):
            mapped = client.post(response.url, BY_NAME["plain.csv"].form_post())
        assert mapped.status_code in (302, 400)
    for load in DataLoad.objects.all():
        assert load.status in ("succeeded", "failed")
        assert "on our side" not in " ".join(error["text"] for error in load.errors)
    if not DataLoad.objects.filter(status="succeeded").exists():
        assert not OutcomeCohort.objects.exists()


def test_variant_values_of_another_spelling_load_through_the_value_map(
    client, people, outcome_experiment, media, django_capture_on_commit_callbacks
):
    rows = base_rows()
    spelt = [[r[0], {"A": "ctrl", "B": "Treatment-1"}[r[1]], *r[2:]] for r in rows]
    entry = BY_NAME["plain.csv"]
    response = upload(
        signed_in(client, people), outcome_experiment, "spelt.csv", text_file(spelt, ENGLISH)
    )
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(response.url, entry.form_post())
    assert DataLoad.objects.get().status == "failed"  # 'ctrl' is no variant without the map
    assert refused.status_code == 302
    assert "unknown variant 'ctrl'" in DataLoad.objects.get().errors[0]["text"]
    DataLoad.objects.all().delete()
    response = upload(client, outcome_experiment, "spelt.csv", text_file(spelt, ENGLISH))
    values = {"variant_values": "ctrl = A\ntreatment-1 = B"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {**entry.form_post(), **values})
    load = DataLoad.objects.get()
    assert load.status == "succeeded", load.errors
    assert_stored(outcome_experiment, expected_cohorts(rows), source="file")


def test_a_value_mapped_to_no_variant_is_refused_on_the_page(
    client, people, outcome_experiment, media
):
    response = upload(
        signed_in(client, people), outcome_experiment, "plain.csv", BY_NAME["plain.csv"].data
    )
    posted = {**BY_NAME["plain.csv"].form_post(), "variant_values": "ctrl = Control"}
    page = client.post(response.url, posted)
    assert page.status_code == 400
    assert "“ctrl” is mapped to “Control”, which is not a variant of this test: “A”, “B”." in (
        page.content.decode()
    )
    assert not DataLoad.objects.exists()
