"""Dimensions from every source beside per-user files: counts files, typed counts, pushes, SQL
sources and the command line, with the per-user file's rules and messages."""

import html
from collections import defaultdict
from datetime import date

import pytest
import sqlalchemy as sa
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from sqlalchemy.dialects import postgresql

from experiments.models import Experiment
from metrics.ingestion.counts import reduce_counts, reduce_counts_file
from metrics.ingestion.parse import Mapping, MetricColumns
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.segments import NONE_SEGMENT, OTHER_SEGMENT
from metrics.ingestion.sources import data_source_save
from metrics.ingestion.sql import pull, segment_pushdown
from metrics.ingestion.wording import note_text
from metrics.models import (
    DataLoad,
    DataSource,
    ExperimentQuery,
    OutcomeCohort,
    OutcomeSegment,
)
from tests.conftest import PASSWORD
from tests.ingestion.rows import HEADER, csv_bytes, user_rows
from tests.ingestion.test_command import MAPS
from tests.ingestion.test_command import run as run_command
from tests.ingestion.test_counts_upload import uploads
from tests.ingestion.test_pages import MAPPING_POST, signed_in, upload
from tests.ingestion.test_push import push
from tests.ingestion.test_sql import database_url

METRICS = {"orders": "binomial", "revenue": "mean"}
CANNOT = "a column cannot also be a dimension."


FINNISH_KIOSK_NOTE = (
    "device = ”kiosk”: versiossa {variant} on alle kaksi käyttäjää, joten segmentti jätetään pois."
)


def assert_note_read_in_finnish(load: DataLoad, variant: str) -> None:
    """A counts or SQL load keeps its note as a file load does: the English text with its
    words and parameters, so a Finnish reader reads it in Finnish."""
    (note,) = load.notes
    assert note["message"] == (
        f"device = “kiosk”: fewer than two users in {variant}; this segment is left out."
    )
    assert note["params"] == {"dimension": "device", "segment": "kiosk", "variant": variant}
    with translation.override("fi"):
        assert note_text(note) == FINNISH_KIOSK_NOTE.format(variant=variant)


def command_args(experiment, path, *extra) -> list[str]:
    args = [str(experiment.pk), str(path)]
    for pair in MAPS:
        args += ["--map", pair]
    return [*args, *extra]


def cell(variant, users, conversions, day="2024-03-01", **segments):
    row = {"metric": "orders", "variant": variant, "date": day, "users": users}
    return {**row, "conversions": conversions, "segments": segments}


def summed_by(segments, dimension):
    totals = defaultdict(lambda: [0, 0.0])
    for s in segments:
        if s.dimension == dimension:
            key = (s.metric, s.variant, s.exposure_date)
            totals[key][0] += s.n
            totals[key][1] += s.sum
    return dict(totals)


def overall_of(cohorts):
    return {(c.metric, c.variant, c.exposure_date): [c.n, c.sum] for c in cohorts}


# Counts: each row one cell of the dimensions; the overall is the sum of the cells.


def test_counts_cells_sum_to_the_overall_and_each_dimension_adds_up_to_it():
    rows = [
        cell("A", 300, 30, device="mobile", customer="new"),
        cell("A", 200, 10, device="desktop", customer="new"),
        cell("A", 100, 5, device="mobile", customer="returning"),
        cell("B", 310, 40, device="mobile", customer="new"),
        cell("B", 190, 12, device="desktop", customer="returning"),
        cell("B", 90, 8, device="", customer="returning"),
    ]
    reduction = reduce_counts(rows, metrics=METRICS, known_variants=["A", "B"])
    overall = [c for c in reduction.cohorts if not hasattr(c, "segment")]
    segments = [c for c in reduction.cohorts if hasattr(c, "segment")]
    day = date(2024, 3, 1)
    assert overall_of(overall) == {
        ("orders", "A", day): [600, 45.0],
        ("orders", "B", day): [590, 60.0],
    }
    assert summed_by(segments, "customer") == overall_of(overall)
    # B's 90 users without a device are left out of the device segments only.
    assert summed_by(segments, "device") == {
        ("orders", "A", day): [600, 45.0],
        ("orders", "B", day): [500, 52.0],
    }
    # The empty device is its own segment, named; A has no user there, so it is left out.
    assert {(s.dimension, s.segment) for s in segments} == {
        ("device", "mobile"),
        ("device", "desktop"),
        ("customer", "new"),
        ("customer", "returning"),
    }
    assert reduction.notes == [
        f"device = “{NONE_SEGMENT}”: fewer than two users in A; this segment is left out."
    ]


def test_counts_without_dimensions_are_unchanged():
    rows = [cell("A", 100, 5), cell("B", 90, 7)]
    for row in rows:
        del row["segments"]
    reduction = reduce_counts(rows, metrics=METRICS, known_variants=["A", "B"])
    assert [(c.variant, c.n, c.sum) for c in reduction.cohorts] == [("A", 100, 5), ("B", 90, 7)]
    assert reduction.notes == [] and reduction.rows == 2


def test_a_one_user_counts_segment_is_refused_in_that_segment_only_by_name():
    rows = [
        cell("A", 50, 5, device="mobile"),
        cell("A", 1, 1, device="kiosk"),
        cell("B", 60, 6, device="mobile"),
        cell("B", 9, 2, device="kiosk"),
    ]
    reduction = reduce_counts(rows, metrics=METRICS, known_variants=["A", "B"])
    segments = [c for c in reduction.cohorts if hasattr(c, "segment")]
    assert {s.segment for s in segments} == {"mobile"}
    overall = [c for c in reduction.cohorts if not hasattr(c, "segment")]
    assert sorted((c.variant, c.n) for c in overall) == [("A", 51), ("B", 69)]
    assert reduction.notes == [
        "device = “kiosk”: fewer than two users in A; this segment is left out."
    ]


def test_ten_thousand_counts_segments_are_folded_into_other_with_the_message():
    rows = [cell("AB"[i % 2], 10 + (i < 100) * 100, 1, country=f"c{i // 2}") for i in range(20_000)]
    reduction = reduce_counts(rows, metrics=METRICS, known_variants=["A", "B"])
    segments = [c for c in reduction.cohorts if hasattr(c, "segment")]
    names = {s.segment for s in segments}
    assert len(names) == 51 and OTHER_SEGMENT in names
    assert sum(s.n for s in segments) == sum(r["users"] for r in rows)
    assert reduction.notes == [
        "country: 9950 values beyond the 50 largest are shown together as “other”."
    ]


@pytest.mark.parametrize(
    ("segments", "message"),
    [
        (
            {"revenue": "x"},
            "“revenue” is mapped as “revenue”; a column cannot also be a dimension.",
        ),
        (
            {"users": "x"},
            "“users” is mapped as the field users; a column cannot also be a dimension.",
        ),
        ({"": "x"}, "a dimension needs a name"),
        ({"d" * 65: "x"}, f"the dimension name “{'d' * 65}” is longer than 64 characters"),
        ({"device": ["a"]}, "the value of device is not text"),
    ],
)
def test_a_bad_dimension_in_counts_is_named_with_its_row(segments, message):
    rows = [cell("A", 10, 1, device="mobile"), {**cell("B", 10, 1), "segments": segments}]
    with pytest.raises(RejectedData) as caught:
        reduce_counts(rows, metrics=METRICS, known_variants=["A", "B"])
    assert str(caught.value) == f"data row 2, column `segments`: {message}"


def test_a_cell_given_twice_is_named():
    rows = [cell("A", 10, 1, device="mobile"), cell("A", 12, 1, device=" mobile ")]
    with pytest.raises(RejectedData) as caught:
        reduce_counts(rows, metrics=METRICS, known_variants=["A", "B"])
    assert str(caught.value) == (
        "data row 2, column `variant`: variant 'A' on 2024-03-01 for this metric and "
        "device = “mobile” already appeared in data row 1"
    )


COUNTS_FILE = (
    "variant,date,device,users,conversions\n"
    "A,2024-03-01,mobile,300,30\n"
    "A,2024-03-01,desktop,200,10\n"
    "A,2024-03-01,,40,2\n"
    "B,2024-03-01,mobile,310,40\n"
    "B,2024-03-01,desktop,190,12\n"
    "B,2024-03-01,,30,3\n"
)


def test_a_counts_file_with_a_dimension_column(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(COUNTS_FILE)
    reduction = reduce_counts_file(
        path,
        metric="orders",
        kind="binomial",
        known_variants=["A", "B"],
        work_dir=tmp_path,
        dimensions=["device"],
    )
    overall = [c for c in reduction.cohorts if not hasattr(c, "segment")]
    segments = [c for c in reduction.cohorts if hasattr(c, "segment")]
    assert sorted((c.variant, c.n, c.sum) for c in overall) == [("A", 540, 42), ("B", 530, 55)]
    assert summed_by(segments, "device") == overall_of(overall)
    assert {s.segment for s in segments} == {"mobile", "desktop", NONE_SEGMENT}


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        (
            "users",
            "column `users`: “users” is mapped as users; a column cannot also be a dimension.",
        ),
        ("date", "column `date`: “date” is mapped as date; a column cannot also be a dimension."),
        (
            "country",
            "the picked column `country` for a dimension is not in the file; its columns are "
            "`variant`, `date`, `device`, `users`, `conversions`",
        ),
    ],
)
def test_a_counts_file_dimension_that_has_another_role_is_refused(tmp_path, dimension, message):
    path = tmp_path / "counts.csv"
    path.write_text(COUNTS_FILE)
    with pytest.raises(RejectedData) as caught:
        reduce_counts_file(
            path,
            metric="orders",
            kind="binomial",
            known_variants=["A", "B"],
            work_dir=tmp_path,
            dimensions=[dimension],
        )
    assert str(caught.value) == message


# The counts-file page, through the task.


def post_counts_file(client, user, experiment, data: bytes, dimensions: str):
    client.login(username=user.username, password=PASSWORD)
    url = reverse("experiment:outcome_counts_file", args=[experiment.pk])
    upload = SimpleUploadedFile("export.csv", data)
    form = {"metric": "Order conversion", "file": upload, "dimensions": dimensions}
    return client.post(url, form)


@pytest.mark.django_db
def test_the_counts_page_stores_segments_that_add_up_to_the_overall(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_counts_file(
            client, people.owner, outcome_experiment, COUNTS_FILE.encode(), "device"
        )
    assert response.status_code == 302
    load = DataLoad.objects.get()
    assert (load.status, load.mapping["dimensions"]) == ("succeeded", ["device"])
    overall = {
        c.variant.name: c.n
        for c in OutcomeCohort.objects.filter(load=load).select_related("variant")
    }
    assert overall == {"A": 540, "B": 530}
    stored = OutcomeSegment.objects.filter(load=load, dimension="device")
    assert sorted(stored.values_list("segment", "variant__name", "n")) == [
        (NONE_SEGMENT, "A", 40),
        (NONE_SEGMENT, "B", 30),
        ("desktop", "A", 200),
        ("desktop", "B", 190),
        ("mobile", "A", 300),
        ("mobile", "B", 310),
    ]


@pytest.mark.django_db
def test_the_counts_page_refuses_a_dimension_that_is_a_count_and_keeps_nothing(
    client, people, outcome_experiment, media
):
    response = post_counts_file(
        client, people.owner, outcome_experiment, COUNTS_FILE.encode(), "device, conversions"
    )
    assert response.status_code == 400
    assert (
        "<p>column `conversions`: “conversions” is mapped as conversions; a column cannot also "
        "be a dimension.</p>"
    ) in html.unescape(response.text)
    assert not DataLoad.objects.exists() and uploads(media) == []


# The pipeline push.


def pushed(variant, users, conversions, **segments):
    item = {"date": "2024-03-01", "variant": variant, "metric": "Order conversion"}
    return {**item, "users": users, "conversions": conversions, "segments": segments}


@pytest.mark.django_db
def test_a_push_with_segments_stores_them_and_their_sum_as_the_overall(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    items = [
        pushed("A", 300, 30, device="mobile"),
        pushed("A", 200, 10, device="desktop"),
        pushed("B", 310, 40, device="mobile"),
        pushed("B", 190, 12, device="desktop"),
        pushed("B", 1, 1, device="kiosk"),
        pushed("A", 5, 1, device="kiosk"),
    ]
    response = push(
        client, outcome_experiment, items, django_capture_on_commit_callbacks, people.owner
    )
    assert response.status_code == 202, response.json()
    load = DataLoad.objects.get()
    assert load.status == "succeeded"
    assert sorted(OutcomeCohort.objects.values_list("variant__name", "n", "sum")) == [
        ("A", 505, 41.0),
        ("B", 501, 53.0),
    ]
    assert sorted(OutcomeSegment.objects.values_list("segment", "variant__name", "n")) == [
        ("desktop", "A", 200),
        ("desktop", "B", 190),
        ("mobile", "A", 300),
        ("mobile", "B", 310),
    ]
    assert_note_read_in_finnish(load, "B")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("segments", "error"),
    [
        (
            {"Order conversion": "x"},
            {
                "errors": [
                    {
                        "row": 2,
                        "column": "segments",
                        "message": "“Order conversion” is mapped as “Order conversion”; "
                        "a column cannot also be a dimension.",
                        "text": "data row 2, column `segments`: “Order conversion” is mapped as "
                        "“Order conversion”; a column cannot also be a dimension.",
                    }
                ],
                "more": 0,
            },
        ),
        ({"device": "x" * 121}, "segments"),
        ({"d" * 65: "x"}, "segments"),
        ({"device": {"a": 1}}, "segments"),
    ],
)
def test_a_bad_pushed_segment_is_a_400_naming_the_field_and_nothing_is_saved(
    client, people, outcome_experiment, django_capture_on_commit_callbacks, segments, error
):
    items = [pushed("A", 300, 30, device="mobile"), {**pushed("B", 310, 40), "segments": segments}]
    response = push(
        client, outcome_experiment, items, django_capture_on_commit_callbacks, people.owner
    )
    assert response.status_code == 400
    body = response.json()
    if isinstance(error, dict):
        assert body == error
    else:
        assert error in str(body) and "aggregates" in str(body)
    assert not DataLoad.objects.exists()
    assert not OutcomeCohort.objects.exists() and not OutcomeSegment.objects.exists()


# SQL sources: the warehouse groups by the dimension.

SQL_MAPPING = Mapping(
    user="user_id",
    variant="grp",
    date="day",
    metrics=(MetricColumns(key="rev", kind="mean", column="revenue"),),
    dimensions=("device",),
)
SQL_QUERY = "SELECT user_id, grp, day, revenue, device FROM sql_segments"


@pytest.fixture
def segment_warehouse(db):
    """Per-user rows with a device: some empty, one user whose device changes, one kiosk."""
    rows = []
    devices = ["mobile", "desktop", "", None, " mobile "]
    for i, row in enumerate(user_rows(200)):
        rows.append((row[0], row[1], row[2], row[4], devices[i % 5]))
    rows.append(("u0", rows[0][1], "2024-03-05", 7.0, "tablet"))  # later: u0 stays as first seen
    rows.append(("kiosk-user", "A", "2024-03-01", 3.0, "kiosk"))
    engine = sa.create_engine(database_url())
    with engine.begin() as db_:
        db_.execute(sa.text("DROP TABLE IF EXISTS sql_segments"))
        db_.execute(
            sa.text(
                "CREATE TABLE sql_segments (user_id text, grp text, day date, revenue float, "
                "device text)"
            )
        )
        db_.execute(
            sa.text("INSERT INTO sql_segments VALUES (:u, :g, :d, :r, :v)"),
            [dict(zip("ugdrv", row, strict=True)) for row in rows],
        )
    yield rows
    with engine.begin() as db_:
        db_.execute(sa.text("DROP TABLE IF EXISTS sql_segments"))
    engine.dispose()


@pytest.mark.django_db
def test_a_sql_source_groups_by_the_dimension_in_the_warehouse(segment_warehouse):
    reduction = pull(database_url(), SQL_QUERY, SQL_MAPPING, ["A", "B"])
    overall = [c for c in reduction.cohorts if not hasattr(c, "segment")]
    segments = [c for c in reduction.cohorts if hasattr(c, "segment")]
    assert {s.segment for s in segments} == {"mobile", "desktop", NONE_SEGMENT}
    assert reduction.notes == [
        "device = “kiosk”: fewer than two users in A; this segment is left out."
    ]
    # Every row of a user counts in the segment of the first exposure; the kiosk user only
    # in the overall.
    by_segment = defaultdict(lambda: [0, 0.0])
    for row in segment_warehouse:
        if row[0] == "kiosk-user":
            continue
        first = next(r for r in segment_warehouse if r[0] == row[0])
        device = (first[4] or "").strip() or NONE_SEGMENT
        key = (device, row[1], date.fromisoformat(row[2]))
        by_segment[key][0] += 1
        by_segment[key][1] += row[3]
    got = {(s.segment, s.variant, s.exposure_date): [s.n, s.sum] for s in segments}
    assert got.keys() == by_segment.keys()
    for key, (n, total) in by_segment.items():
        assert got[key][0] == n and got[key][1] == pytest.approx(total)
    kiosk_day = ("rev", "A", date(2024, 3, 1))
    want = overall_of(overall)
    want[kiosk_day] = [want[kiosk_day][0] - 1, want[kiosk_day][1] - 3.0]
    summed = summed_by(segments, "device")
    assert summed.keys() == want.keys()
    for key, (n, total) in want.items():
        assert summed[key][0] == n and summed[key][1] == pytest.approx(total)


@pytest.mark.django_db
def test_a_sql_dimension_with_many_values_is_folded_with_the_message(segment_warehouse):
    query = "SELECT user_id, grp, day, revenue, 'c' || user_id AS device FROM sql_segments"
    reduction = pull(database_url(), query, SQL_MAPPING, ["A", "B"])
    segments = [c for c in reduction.cohorts if hasattr(c, "segment")]
    assert OTHER_SEGMENT in {s.segment for s in segments}
    assert reduction.notes[0] == (
        "device: 151 values beyond the 50 largest are shown together as “other”."
    )


def test_the_segment_query_groups_by_the_segment_inside_the_warehouse():
    sql = str(
        segment_pushdown(SQL_QUERY, SQL_MAPPING, "device").compile(dialect=postgresql.dialect())
    )
    assert "first_value(coalesce(nullif(substr(trim(CAST(per_user.device AS VARCHAR))" in sql
    assert "OVER (PARTITION BY per_user.user_id ORDER BY CAST(per_user.day AS DATE)" in sql
    assert sql.endswith("GROUP BY segmented.grp, CAST(segmented.day AS DATE), segmented.segment")


# The command line.


@pytest.mark.django_db(transaction=True)
def test_the_command_loads_dimensions_and_prints_the_notes(outcome_experiment, tmp_path, capsys):
    rows = user_rows(60)
    devices = [("mobile", "desktop", "")[i % 3] if i else "kiosk" for i in range(len(rows))]
    path = tmp_path / "outcomes.csv"
    path.write_bytes(
        csv_bytes([[*r, d] for r, d in zip(rows, devices, strict=True)], header=[*HEADER, "device"])
    )
    run_command(outcome_experiment, path, [*MAPS])
    assert not OutcomeSegment.objects.exists()  # no dimension picked, none remembered
    call_command("load_outcomes", *command_args(outcome_experiment, path, "--dimension", "device"))
    load = DataLoad.objects.latest("id")
    out = capsys.readouterr().out
    # The one kiosk user is in B: A, with none, is the variant named.
    assert rows[0][1] == "B"
    assert out.endswith("device = “kiosk”: fewer than two users in A; this segment is left out.\n")
    assert set(OutcomeSegment.objects.filter(load=load).values_list("segment", flat=True)) == {
        "mobile",
        "desktop",
        NONE_SEGMENT,
    }


@pytest.mark.django_db(transaction=True)
def test_the_command_refuses_a_dimension_that_is_a_metric_and_saves_nothing(
    outcome_experiment, tmp_path, media
):
    path = tmp_path / "outcomes.csv"
    path.write_bytes(csv_bytes(user_rows(20)))
    with pytest.raises(CommandError) as caught:
        call_command(
            "load_outcomes", *command_args(outcome_experiment, path, "--dimension", "revenue")
        )
    assert str(caught.value) == (
        "“revenue” is mapped as “Revenue”; a column cannot also be a dimension."
    )
    assert not DataLoad.objects.exists() and uploads(media) == []


@pytest.fixture
def segment_source(people, outcome_experiment, segment_warehouse):
    Experiment.objects.filter(pk=outcome_experiment.pk).update(
        status=Experiment.Status.RUNNING, started_at=timezone.now()
    )
    outcome_experiment.refresh_from_db()
    return data_source_save(
        source=DataSource(name="Warehouse", team=people.team),
        url=database_url(),
        user=people.analyst,
    )


def attach(client, people, experiment, source, dimensions: str):
    data = {
        "source": source.pk,
        "query": SQL_QUERY,
        "user": "user_id",
        "variant": "grp",
        "date": "day",
        "m1_column": "revenue",
        "dimensions": dimensions,
    }
    url = reverse("experiment:outcome_sql", args=[experiment.pk])
    return signed_in(client, people.analyst).post(url, data)


@pytest.mark.django_db
def test_the_sql_page_names_the_dimension_and_a_refresh_stores_its_segments(
    client,
    people,
    outcome_experiment,
    segment_source,
    segment_warehouse,
    django_capture_on_commit_callbacks,
):
    response = attach(client, people, outcome_experiment, segment_source, "device, device")
    assert response.status_code == 302
    attached = ExperimentQuery.objects.get(experiment=outcome_experiment)
    assert attached.mapping["dimensions"] == ["device"]
    page = client.get(reverse("experiment:outcome_sql", args=[outcome_experiment.pk]))
    assert 'name="dimensions" value="device"' in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("experiment:outcome_sql_refresh", args=[outcome_experiment.pk]))
    load = DataLoad.objects.get(experiment=outcome_experiment)
    assert load.status == "succeeded", load.errors
    assert_note_read_in_finnish(load, "A")
    stored = OutcomeSegment.objects.filter(load=load, source="sql", metric__name="Revenue")
    assert set(stored.values_list("segment", flat=True)) == {"mobile", "desktop", NONE_SEGMENT}
    assert sum(stored.values_list("n", flat=True)) == len(segment_warehouse) - 1


@pytest.mark.django_db
def test_the_sql_page_refuses_a_dimension_that_is_a_metric_column(
    client, people, outcome_experiment, segment_source
):
    response = attach(client, people, outcome_experiment, segment_source, "device, revenue")
    assert response.status_code == 400
    assert "“revenue” is mapped as “Revenue”; a column cannot also be a dimension." in (
        html.unescape(response.text)
    )
    assert not ExperimentQuery.objects.exists()


# The mapping page of a per-user file.


@pytest.mark.django_db
def test_the_mapping_page_offers_the_file_s_columns_as_dimensions(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = [[*row, ("mobile", "desktop")[i % 2]] for i, row in enumerate(user_rows(40))]
    signed_in(client, people.owner)
    response = upload(client, outcome_experiment, csv_bytes(rows, header=[*HEADER, "device"]))
    page = client.get(response.url).content.decode()
    assert 'name="dimensions" value="device"' in page
    refused = client.post(response.url, {**MAPPING_POST, "dimensions": ["device", "orders"]})
    assert refused.status_code == 400
    assert (
        "“orders” is mapped as “Revenue per order”; a column cannot also be a dimension."
        in html.unescape(refused.content.decode())
    )
    assert not DataLoad.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {**MAPPING_POST, "dimensions": ["device"]})
    load = DataLoad.objects.get()
    assert (load.status, load.mapping["dimensions"]) == ("succeeded", ["device"])
    stored = OutcomeSegment.objects.filter(load=load, metric__name="Revenue")
    assert sum(stored.values_list("n", flat=True)) == 40
    assert set(stored.values_list("segment", flat=True)) == {"mobile", "desktop"}
