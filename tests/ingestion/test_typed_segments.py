"""Typed counts by segment: the counts page's dimension and its rows' segment values, stored
as a counts file with a dimension column stores them, refused by row and field otherwise."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.services.inputs import segment_totals
from experiments.services.lifecycle import experiment_transition
from metrics.ingestion.segments import NONE_SEGMENT, OTHER_SEGMENT
from metrics.models import DataLoad, OutcomeCohort, OutcomeSegment
from tests.api.analysed import analyse
from tests.api.conftest import token_client
from tests.ingestion.test_pages import signed_in
from tests.ingestion.test_segment_sources import COUNTS_FILE, post_counts_file

pytestmark = pytest.mark.django_db

# COUNTS_FILE's rows, typed in: (variant, device, users, conversions).
DEVICE_ROWS = [
    ("A", "mobile", 300, 30),
    ("A", "desktop", 200, 10),
    ("A", "", 40, 2),
    ("B", "mobile", 310, 40),
    ("B", "desktop", 190, 12),
    ("B", "", 30, 3),
]


def typed_form(rows, dimension="device", metric="Order conversion", day="2024-03-01") -> dict:
    data = {"metric": metric, "date": day, "dimension": dimension}
    for i, (variant, segment, users, conversions) in enumerate(rows):
        data |= {f"v{i}_variant": variant, f"v{i}_segment": segment, f"v{i}_users": users}
        data[f"v{i}_conversions"] = conversions
    return data


def post_typed(client, user, experiment, data, capture):
    signed_in(client, user)
    url = reverse("experiment:outcome_counts", args=[experiment.pk])
    with capture(execute=True):
        return client.post(url, data)


def stored_statistics(load):
    overall = OutcomeCohort.objects.filter(load=load).values_list(
        "metric__name", "variant__name", "exposure_date", "n", "sum", "sum_squares"
    )
    segments = OutcomeSegment.objects.filter(load=load).values_list(
        "dimension", "segment", "metric__name", "variant__name", "exposure_date", "n", "sum"
    )
    return sorted(overall), sorted(segments)


def errors_of(response) -> str:
    return html.unescape(response.content.decode())


def test_typed_segments_are_stored_as_the_same_counts_file_stores_them(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        from_file = post_counts_file(
            client, people.owner, outcome_experiment, COUNTS_FILE.encode(), "device"
        )
    assert from_file.status_code == 302
    file_load = DataLoad.objects.get()
    file_statistics = stored_statistics(file_load)

    response = post_typed(
        client,
        people.owner,
        outcome_experiment,
        typed_form(DEVICE_ROWS),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    load = DataLoad.objects.exclude(pk=file_load.pk).get()
    assert (load.kind, load.status, load.notes) == ("counts", "succeeded", [])
    assert load.payload[0]["segments"] == {"device": "mobile"}
    # The typed load replaced the file's statistics with the very same ones.
    assert stored_statistics(load) == file_statistics
    assert not OutcomeSegment.objects.filter(load=file_load).exists()
    overall = dict(OutcomeCohort.objects.filter(load=load).values_list("variant__name", "n"))
    assert overall == {"A": 540, "B": 530}
    stored = OutcomeSegment.objects.filter(load=load, dimension="device")
    assert sorted(stored.values_list("segment", "variant__name", "n", "sum")) == [
        (NONE_SEGMENT, "A", 40, 2.0),
        (NONE_SEGMENT, "B", 30, 3.0),
        ("desktop", "A", 200, 10.0),
        ("desktop", "B", 190, 12.0),
        ("mobile", "A", 300, 30.0),
        ("mobile", "B", 310, 40.0),
    ]
    # The results reader reads each segment from these rows.
    variant_ids = dict(outcome_experiment.variants.values_list("id", "name"))
    mobile = segment_totals(outcome_experiment.id, None, "device", "mobile")
    assert sorted((variant_ids[v], totals[0]) for (_, v, _), totals in mobile.items()) == [
        ("A", 300),
        ("B", 310),
    ]


def test_the_results_api_answers_per_typed_segment(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = [
        ("A", "mobile", 3000, 150),
        ("A", "desktop", 2000, 100),
        ("B", "mobile", 3000, 225),
        ("B", "desktop", 2000, 75),
    ]
    experiment = experiment_transition(
        experiment=outcome_experiment, user=people.owner, action="start"
    )
    # Counts of the first day: the analysis reads exposure days from the start on.
    data = typed_form(rows, day=timezone.localdate().isoformat())
    response = post_typed(
        client, people.owner, experiment, data, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    analyse(experiment, people.owner)
    answer = token_client(people.viewer).get("/api/v1/results/", {"dimension": "device"})
    assert answer.status_code == 200, answer.json()
    by = {
        (r["segment"], r["variant"]): r
        for r in answer.json()["results"]
        if r["metric"] == "Order conversion"
    }
    assert (by[("mobile", "B")]["n"], by[("mobile", "B")]["value"]) == (3000, pytest.approx(0.075))
    assert by[("mobile", "B")]["relative_effect"] == pytest.approx(0.5)
    assert by[("desktop", "B")]["relative_effect"] == pytest.approx(-0.25)


def test_a_segment_value_without_a_dimension_is_refused_naming_its_row(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    data = typed_form(DEVICE_ROWS[:2] + DEVICE_ROWS[3:5], dimension="")
    response = post_typed(
        client, people.owner, outcome_experiment, data, django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    page = errors_of(response)
    assert (
        '<p class="field-error" id="id_v2_segment_error">Row 3 has a segment value; name its '
        "dimension above.</p>"
    ) in page
    assert not DataLoad.objects.exists() and not OutcomeCohort.objects.exists()


def test_a_dimension_without_any_segment_value_is_refused(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = [(variant, "", users, conversions) for variant, _, users, conversions in DEVICE_ROWS]
    response = post_typed(
        client,
        people.owner,
        outcome_experiment,
        typed_form(rows),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert (
        '<p class="field-error" id="id_dimension_error">No row has a segment value of device: '
        "type each row&#x27;s segment, or leave the dimension empty.</p>"
    ) in response.content.decode()
    assert not DataLoad.objects.exists()


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        ("Revenue", "“Revenue” is mapped as “Revenue”; a column cannot also be a dimension."),
        ("users", "“users” is mapped as the field users; a column cannot also be a dimension."),
    ],
)
def test_a_dimension_that_is_a_metric_or_a_field_is_refused_and_nothing_is_saved(
    client, people, outcome_experiment, django_capture_on_commit_callbacks, dimension, message
):
    response = post_typed(
        client,
        people.owner,
        outcome_experiment,
        typed_form(DEVICE_ROWS, dimension=dimension),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert f'<p class="field-error" id="id_dimension_error">{message}</p>' in errors_of(response)
    assert not DataLoad.objects.exists()
    assert not OutcomeCohort.objects.exists() and not OutcomeSegment.objects.exists()


def test_a_cell_typed_twice_is_refused_on_the_row_that_repeats_it(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = [*DEVICE_ROWS[:3], ("A", " mobile ", 12, 1), *DEVICE_ROWS[3:]]
    response = post_typed(
        client,
        people.owner,
        outcome_experiment,
        typed_form(rows),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert (
        '<p class="field-error" id="id_v3_variant_error">data row 4, column `variant`: variant '
        "'A' on 2024-03-01 for this metric and device = “mobile” already appeared in data row 1"
    ) in errors_of(response)
    assert not DataLoad.objects.exists()


def test_empty_rows_are_skipped_and_keep_the_page_s_row_numbers(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    data = typed_form(DEVICE_ROWS)
    data |= {"v6_variant": "A", "v7_variant": "B", "v7_users": 5, "v7_conversions": 9}
    response = post_typed(
        client, people.owner, outcome_experiment, data, django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    assert (
        '<p class="field-error" id="id_v7_conversions_error">data row 8, column `conversions`: '
        "9 conversions is more than the 5 users</p>"
    ) in errors_of(response)
    del data["v7_users"], data["v7_conversions"]
    response = post_typed(
        client, people.owner, outcome_experiment, data, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert DataLoad.objects.get().rows_read == 6


def test_more_than_fifty_typed_values_are_folded_into_other_with_the_note(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = [(variant, f"country {i:02}", 100 - i, 5) for i in range(53) for variant in ("A", "B")]
    response = post_typed(
        client,
        people.owner,
        outcome_experiment,
        typed_form(rows, dimension="country"),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    load = DataLoad.objects.get()
    assert load.status == "succeeded", load.errors
    assert [note["message"] for note in load.notes] == [
        "country: 3 values beyond the 50 largest are shown together as “other”."
    ]
    stored = OutcomeSegment.objects.filter(load=load, dimension="country")
    names = set(stored.values_list("segment", flat=True))
    assert len(names) == 51 and OTHER_SEGMENT in names
    assert {"country 50", "country 51", "country 52"}.isdisjoint(names)
    other = dict(stored.filter(segment=OTHER_SEGMENT).values_list("variant__name", "n"))
    assert other == {"A": 50 + 49 + 48, "B": 50 + 49 + 48}
    overall = dict(OutcomeCohort.objects.filter(load=load).values_list("variant__name", "n"))
    assert overall == {v: sum(users for r, _, users, _ in rows if r == v) for v in "AB"}
    assert sum(stored.values_list("n", flat=True)) == sum(overall.values())
    page = client.get(reverse("metrics:load_detail", args=[load.pk])).content.decode()
    assert "country: 3 values beyond the 50 largest are shown together as “other”." in page


def test_a_one_user_typed_segment_is_left_out_by_name_and_counted_in_the_overall(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = [
        ("A", "mobile", 50, 5),
        ("A", "kiosk", 1, 1),
        ("B", "mobile", 60, 6),
        ("B", "kiosk", 9, 2),
    ]
    response = post_typed(
        client,
        people.owner,
        outcome_experiment,
        typed_form(rows),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    load = DataLoad.objects.get()
    assert [note["message"] for note in load.notes] == [
        "device = “kiosk”: fewer than two users in A; this segment is left out."
    ]
    assert set(OutcomeSegment.objects.values_list("segment", flat=True)) == {"mobile"}
    overall = dict(OutcomeCohort.objects.values_list("variant__name", "n"))
    assert overall == {"A": 51, "B": 69}


def test_counts_typed_without_a_dimension_store_no_segments(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    rows = [("A", "", 500, 40), ("B", "", 510, 55)]
    response = post_typed(
        client,
        people.owner,
        outcome_experiment,
        typed_form(rows, dimension=""),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert "segments" not in DataLoad.objects.get().payload[0]
    assert sorted(OutcomeCohort.objects.values_list("variant__name", "n")) == [
        ("A", 500),
        ("B", 510),
    ]
    assert not OutcomeSegment.objects.exists()


def test_the_page_offers_a_row_per_variant_and_segment_and_more_rows_on_asking(
    client, people, outcome_experiment
):
    signed_in(client, people.owner)
    url = reverse("experiment:outcome_counts", args=[outcome_experiment.pk])
    page = client.get(url).content.decode()
    assert 'name="dimension"' in page and 'name="v3_segment"' in page
    assert 'name="v4_segment"' not in page
    more = client.get(url, {"rows": 30}).content.decode()
    assert 'name="v29_users"' in more and 'name="v30_users"' not in more


def test_more_rows_keeps_what_was_typed_and_saves_nothing(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    data = typed_form(DEVICE_ROWS[:2]) | {"more_rows": "14"}
    response = post_typed(
        client, people.owner, outcome_experiment, data, django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.rows == 14 and not form.is_bound
    page = response.content.decode()
    assert 'name="v13_users"' in page and 'name="v14_users"' not in page
    for name in ("dimension", "v0_segment", "v0_users", "v1_segment", "v1_conversions"):
        assert f'value="{data[name]}"' in page.split(f'name="{name}"', 1)[1].split(">", 1)[0]
    assert 'class="field-error"' not in page
    assert not DataLoad.objects.exists()


def test_a_finnish_analyst_reads_the_refusal_in_finnish(
    client, people, outcome_experiment, django_capture_on_commit_callbacks
):
    people.owner.language = "fi"
    people.owner.save(update_fields=["language"])
    data = typed_form(DEVICE_ROWS[:2] + DEVICE_ROWS[3:5], dimension="")
    response = post_typed(
        client, people.owner, outcome_experiment, data, django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    page = errors_of(response)
    assert "Rivillä 1 on segmentin arvo; anna sen ulottuvuuden nimi yllä." in page
    assert "Rivi 1: segmentti" in page and "Lisää rivejä" in page
