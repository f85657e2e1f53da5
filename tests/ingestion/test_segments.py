"""Results by segment, stored: per-user files with dimension columns, the overall row unchanged."""

from collections import defaultdict
from datetime import date

import polars as pl
import pytest
from django.core.exceptions import ValidationError

from metrics.ingestion.columns import Mapping, MetricColumns
from metrics.ingestion.mapping import mapping_from_json
from metrics.ingestion.segments import NONE_SEGMENT, OTHER_SEGMENT, segment_reduction
from metrics.models import OutcomeCohort, OutcomeSegment
from tests.ingestion.conftest import FULL_MAPPING
from tests.ingestion.rows import HEADER, csv_bytes, user_rows
from tests.ingestion.test_load import load_csv

MEAN = Mapping("user", "variant", "date", (MetricColumns("Revenue", "mean", "revenue"),))


def typed(rows) -> pl.LazyFrame:
    return pl.LazyFrame(
        rows, schema=["user", "variant", "date", "num:revenue", "device"], orient="row"
    )


def test_a_user_whose_device_changes_counts_in_the_device_of_the_first_exposure():
    rows = [
        ("u1", "A", date(2024, 3, 2), 5.0, "desktop"),
        ("u1", "A", date(2024, 3, 1), 3.0, "mobile"),  # the first exposure, though later in file
        ("u2", "A", date(2024, 3, 1), 1.0, "mobile"),
        ("u3", "B", date(2024, 3, 1), 2.0, "mobile"),
        ("u4", "B", date(2024, 3, 1), 4.0, "mobile"),
    ]
    reduction = segment_reduction(typed(rows), MEAN, ("device",))
    by_segment = defaultdict(float)
    for s in reduction.segments:
        by_segment[(s.segment, s.variant)] += s.sum
    assert by_segment == {("mobile", "A"): 9.0, ("mobile", "B"): 6.0}
    assert all(s.dimension == "device" for s in reduction.segments)


def test_empty_values_are_their_own_named_segment_and_a_one_user_segment_is_left_out_by_name():
    rows = [
        ("u1", "A", date(2024, 3, 1), 1.0, ""),
        ("u2", "A", date(2024, 3, 1), 2.0, None),
        ("u3", "B", date(2024, 3, 1), 3.0, " "),
        ("u4", "B", date(2024, 3, 1), 4.0, None),
        ("u5", "A", date(2024, 3, 1), 4.0, "tablet"),
        ("u6", "B", date(2024, 3, 1), 4.0, "tablet"),
        ("u7", "B", date(2024, 3, 1), 4.0, "tablet"),
    ]
    reduction = segment_reduction(typed(rows), MEAN, ("device",))
    assert {s.segment for s in reduction.segments} == {NONE_SEGMENT}
    assert {(s.variant, s.n) for s in reduction.segments} == {("A", 2), ("B", 2)}
    assert reduction.notes == [
        "device = “tablet”: fewer than two users in A; this segment is left out."
    ]


def test_ten_thousand_values_are_folded_beyond_the_fifty_largest_with_a_note():
    rows = [
        (f"u{i}", "AB"[i % 2], date(2024, 3, 1), 1.0, f"c{i // 4 if i < 400 else i}")
        for i in range(10_000)
    ]
    reduction = segment_reduction(typed(rows), MEAN, ("device",))
    names = {s.segment for s in reduction.segments}
    assert len(names) == 51 and OTHER_SEGMENT in names
    assert sum(s.n for s in reduction.segments) == 10_000
    assert reduction.notes == [
        "device: 9650 values beyond the 50 largest are shown together as “other”."
    ]


@pytest.mark.django_db
def test_a_dimension_also_mapped_as_a_metric_is_refused_by_name(outcome_experiment):
    with pytest.raises(ValidationError, match="“revenue” is mapped as “Revenue”"):
        mapping_from_json(outcome_experiment, {**FULL_MAPPING, "dimensions": ["revenue"]})
    with pytest.raises(ValidationError, match="“group” is the variant"):
        mapping_from_json(outcome_experiment, {**FULL_MAPPING, "dimensions": ["group"]})


def overall(experiment) -> dict:
    fields = ("n", "sum", "sum_squares", "den_sum", "pre_sum", "post_pre_sum_products")
    return {
        (c.metric.name, c.variant.name, c.exposure_date): tuple(getattr(c, f) for f in fields)
        for c in OutcomeCohort.objects.filter(experiment=experiment).select_related(
            "metric", "variant"
        )
    }


@pytest.mark.django_db
def test_an_upload_with_dimensions_stores_segments_that_add_up_to_the_unchanged_overall(
    outcome_experiment, people, django_capture_on_commit_callbacks
):
    rows = user_rows()
    plain = load_csv(
        outcome_experiment, people.owner, csv_bytes(rows), django_capture_on_commit_callbacks
    )
    assert plain.status == "succeeded"
    before = overall(outcome_experiment)
    devices = ["mobile", "desktop", "", "tablet", "mobile"]
    devices_of = [devices[i % 5] if i else "kiosk" for i in range(len(rows))]
    with_device = [
        [*row, devices_of[i], "new" if i % 3 else "returning"] for i, row in enumerate(rows)
    ]
    load = load_csv(
        outcome_experiment,
        people.owner,
        csv_bytes(with_device, header=[*HEADER, "device", "customer"]),
        django_capture_on_commit_callbacks,
        mapping={**FULL_MAPPING, "dimensions": ["device", "customer"]},
    )
    assert load.status == "succeeded", load.errors
    after = overall(outcome_experiment)
    assert after.keys() == before.keys()
    for key, want in before.items():
        assert after[key] == pytest.approx(want)
    segments = OutcomeSegment.objects.filter(experiment=outcome_experiment, load=load)
    assert {(s.dimension, s.segment) for s in segments} == {
        ("device", "mobile"),
        ("device", "desktop"),
        ("device", "tablet"),
        ("device", NONE_SEGMENT),
        ("customer", "new"),
        ("customer", "returning"),
    }
    for dimension in ("device", "customer"):
        summed = defaultdict(lambda: [0, 0.0, 0.0])
        for s in segments.filter(dimension=dimension).select_related("metric", "variant"):
            total = summed[(s.metric.name, s.variant.name, s.exposure_date)]
            total[0] += s.n
            total[1] += s.sum
            total[2] += s.sum_squares
        assert summed.keys() == after.keys()
        for key, (n, total, squares) in summed.items():
            want = list(after[key][:3])
            kiosk = rows[0]
            if dimension == "device" and key[1:] == (kiosk[1], date.fromisoformat(kiosk[2])):
                # the one kiosk user, left out of the device segments only
                value = {"Revenue": kiosk[4], "Order conversion": kiosk[3]}.get(key[0])
                if value is None:
                    continue  # the ratio's sums are the revenue's; checked through Revenue
                want = [want[0] - 1, want[1] - value, want[2] - value**2]
            assert [n, total, squares] == pytest.approx(want)
    assert [note["message"] for note in load.notes] == [
        "device = “kiosk”: fewer than two users in A; this segment is left out."
    ]
    # A later load of the same days without dimensions leaves no stale segment behind.
    load_csv(outcome_experiment, people.owner, csv_bytes(rows), django_capture_on_commit_callbacks)
    assert not OutcomeSegment.objects.filter(experiment=outcome_experiment).exists()


def segments_of_file(tmp_path, lines: list[str], dimensions=("device",)):
    from metrics.ingestion.parse import reduce_file

    path = tmp_path / "outcomes.csv"
    path.write_text("user,variant,date,revenue,device,tier\n" + "\n".join(lines) + "\n")
    mapping = Mapping(
        "user",
        "variant",
        "date",
        (MetricColumns("Revenue", "mean", "revenue"),),
        dimensions=dimensions,
    )
    reduction = reduce_file(path, mapping, ["A", "B"])
    found = defaultdict(lambda: [0, 0.0])
    for s in reduction.cohorts:
        if getattr(s, "dimension", ""):
            found[(s.dimension, s.segment, s.variant)][0] += s.n
            found[(s.dimension, s.segment, s.variant)][1] += s.sum
    return {k: tuple(v) for k, v in found.items()}


ONE_ROW_EACH = [
    "u1,A,2024-03-01,1, Mobile ,gold",
    "u2,a,2024-03-01,2,,",
    "u3,A,2024-03-02,3, Mobile ,",
    "u4,A,2024-03-02,4,,silver",
    "u5,B,2024-03-01,5, Mobile ,gold",
    "u6,B,2024-03-01,6, Mobile ,silver",
    "u7,B,2024-03-02,7,,",
    "u8,B,2024-03-02,8,,",
]


def test_one_row_per_user_is_segmented_in_the_quick_pass_as_the_row_by_row_rule_does(tmp_path):
    found = segments_of_file(tmp_path, ONE_ROW_EACH, ("device", "tier"))
    assert found[("device", "Mobile", "A")] == (2, 4.0)  # trimmed, the variant's own name
    assert found[("device", NONE_SEGMENT, "B")] == (2, 15.0)
    assert found[("tier", NONE_SEGMENT, "B")] == (2, 15.0)
    # The same rows through the first-exposure rule row by row: the same segments.
    frame = pl.LazyFrame(
        [
            (u, v.upper(), date.fromisoformat(d), float(r), dev, tier or None)
            for u, v, d, r, dev, tier in (line.split(",") for line in ONE_ROW_EACH)
        ],
        schema=["user", "variant", "date", "num:revenue", "device", "tier"],
        orient="row",
    )
    slow = segment_reduction(frame, MEAN, ("device", "tier"))
    by_hand = defaultdict(lambda: [0, 0.0])
    for s in slow.segments:
        by_hand[(s.dimension, s.segment, s.variant)][0] += s.n
        by_hand[(s.dimension, s.segment, s.variant)][1] += s.sum
    assert found == {k: tuple(v) for k, v in by_hand.items()}


def test_repeated_users_keep_one_segment_whether_their_value_repeats_or_changes(tmp_path):
    same = [*ONE_ROW_EACH, "u1,A,2024-03-02,10, Mobile ,gold"]
    assert segments_of_file(tmp_path, same)[("device", "Mobile", "A")] == (3, 14.0)
    # u1 on desktop the day after its first exposure on mobile: still mobile.
    changed = [*ONE_ROW_EACH, "u1,A,2024-03-02,10,desktop,gold"]
    found = segments_of_file(tmp_path, changed)
    assert found[("device", "Mobile", "A")] == (3, 14.0)
    assert ("device", "desktop", "A") not in found


def test_a_parquet_dimension_of_whole_numbers_is_segmented_by_its_written_values(tmp_path):
    from metrics.ingestion.parse import reduce_file

    # Parquet keeps the column's own type: the customer tier arrives as 1 and 2, not as text.
    path = tmp_path / "outcomes.parquet"
    pl.DataFrame(
        {
            "user": [f"u{i}" for i in range(8)],
            "variant": ["A", "A", "A", "A", "B", "B", "B", "B"],
            "date": ["2024-03-01"] * 8,
            "revenue": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "tier": [1, 1, 2, 2, 1, 1, 2, None],
        }
    ).write_parquet(path)
    revenue = (MetricColumns("Revenue", "mean", "revenue"),)
    mapping = Mapping("user", "variant", "date", revenue, dimensions=("tier",))
    reduction = reduce_file(path, mapping, ["A", "B"])
    found = {
        (s.segment, s.variant): (s.n, s.sum)
        for s in reduction.cohorts
        if getattr(s, "dimension", "") == "tier"
    }
    # Tier 2 and no tier have one user each in B: left out, by name, in every variant.
    assert found == {("1", "A"): (2, 3.0), ("1", "B"): (2, 11.0)}
    assert sorted(note.split(":")[0] for note in reduction.notes) == [
        "tier = “(none)”",
        "tier = “2”",
    ]
