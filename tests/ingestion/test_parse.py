"""Per-user files reduced to sufficient statistics, and every kind of bad file refused."""

import gzip
import io
import zipfile

import polars as pl
import pytest
from openpyxl import Workbook

from metrics.ingestion.filetype import XLSX_MAX_ENTRIES, check_workbook
from metrics.ingestion.parse import Mapping, MetricColumns, preview, reduce_file
from metrics.ingestion.problems import RejectedData
from tests.ingestion.rows import HEADER, csv_bytes, expected_totals, user_rows

MAPPING = Mapping(
    user="user_id",
    variant="group",
    date="day",
    metrics=(
        MetricColumns(key="conv", kind="binomial", column="converted"),
        MetricColumns(key="rev", kind="mean", column="revenue", pre="pre_revenue"),
        MetricColumns(key="rpo", kind="ratio", column="revenue", denominator="orders"),
    ),
)


def write(tmp_path, data: bytes, name: str = "outcomes.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def by_key(reduction, metric):
    return {(c.variant, c.exposure_date): c for c in reduction.cohorts if c.metric == metric}


def assert_matches(reduction, rows):
    expected = expected_totals(rows)
    conv, rev, rpo = (by_key(reduction, key) for key in ("conv", "rev", "rpo"))
    assert set(rev) == set(expected)
    for key, want in expected.items():
        assert rev[key].n == want["n"]
        assert conv[key].sum == pytest.approx(want["conv_sum"])
        assert rev[key].sum == pytest.approx(want["rev_sum"])
        assert rev[key].sum_squares == pytest.approx(want["rev_sum_squares"])
        assert rev[key].pre_sum == pytest.approx(want["pre_sum"])
        assert rev[key].pre_sum_squares == pytest.approx(want["pre_sum_squares"])
        assert rev[key].post_pre_sum_products == pytest.approx(want["post_pre"])
        assert rpo[key].den_sum == pytest.approx(want["orders_sum"])
        assert rpo[key].den_sum_squares == pytest.approx(want["orders_sum_squares"])
        assert rpo[key].num_den_sum_products == pytest.approx(want["rev_orders"])


def test_csv_is_reduced_to_the_statistics_of_its_rows(tmp_path):
    rows = user_rows()
    reduction = reduce_file(write(tmp_path, csv_bytes(rows)), MAPPING, ["A", "B"])
    assert reduction.rows == len(rows)
    assert_matches(reduction, rows)


def test_gzipped_csv_named_anything_gives_the_same_statistics(tmp_path):
    rows = user_rows()
    path = write(tmp_path, gzip.compress(csv_bytes(rows)), name="export.txt")
    assert_matches(reduce_file(path, MAPPING, ["A", "B"]), rows)


def test_a_windows_1252_csv_gives_the_same_statistics_and_keeps_its_user_ids(tmp_path):
    rows = user_rows()
    for index, row in enumerate(rows):
        # "användare" and "€": one byte each in Windows-1252, so the file is not UTF-8.
        row[0] = f"anv\u00e4ndare-{row[0]}" if index % 2 else f"\u20ac{row[0]}"
    rows[1][0] = rows[0][0]
    rows[1][1] = "B" if rows[0][1] == "A" else "A"  # one user in both variants, with a "€"
    data = csv_bytes(rows).decode().encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode()
    with pytest.raises(RejectedData) as caught:
        reduce_file(write(tmp_path, data), MAPPING, ["A", "B"])
    assert caught.value.problems[0].message.startswith(f"user `{rows[0][0]}` appears in more")
    del rows[1]
    data = csv_bytes(rows).decode().encode("cp1252")
    assert_matches(reduce_file(write(tmp_path, data), MAPPING, ["A", "B"]), rows)


def test_parquet_gives_the_same_statistics(tmp_path):
    rows = user_rows()
    frame = pl.read_csv(io.BytesIO(csv_bytes(rows)), try_parse_dates=True)
    path = tmp_path / "outcomes.parquet"
    frame.write_parquet(path)
    assert_matches(reduce_file(path, MAPPING, ["A", "B"]), rows)


def test_xlsx_gives_the_same_statistics(tmp_path):
    rows = user_rows(60)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "outcomes.xlsx"
    book.save(path)
    assert_matches(reduce_file(path, MAPPING, ["A", "B"]), rows)


def rejected(tmp_path, data: bytes, known=("A", "B"), mapping=MAPPING) -> RejectedData:
    with pytest.raises(RejectedData) as caught:
        reduce_file(write(tmp_path, data), mapping, list(known))
    return caught.value


def test_bad_cells_are_named_by_row_and_column(tmp_path):
    rows = user_rows(10)
    rows[2][4] = "N/A"  # file row 4
    rows[5][3] = "2"  # file row 7
    rows[6][2] = "yesterday"
    error = rejected(tmp_path, csv_bytes(rows))
    assert [str(p) for p in error.problems] == [
        "data row 3, column `revenue`: 'N/A' is not a number",
        "data row 6, column `converted`: '2' is not 0 or 1",
        "data row 7, column `day`: 'yesterday' is not a date (YYYY-MM-DD)",
    ]
    assert error.more == 0


def test_row_numbers_use_thousands_separators(tmp_path):
    rows = user_rows(1300)
    rows[1202][4] = "N/A"
    error = rejected(tmp_path, csv_bytes(rows))
    assert str(error.problems[0]) == "data row 1,203, column `revenue`: 'N/A' is not a number"


def test_only_the_first_twenty_problems_are_listed_with_a_count_of_the_rest(tmp_path):
    rows = user_rows(50)
    for row in rows[:30]:
        row[4] = "x"
    error = rejected(tmp_path, csv_bytes(rows))
    assert len(error.problems) == 20
    assert error.problems[0].row == 1 and error.problems[-1].row == 20
    assert error.more == 10
    assert error.summary().endswith("… and 10 more problems.")


def test_empty_and_non_finite_cells_are_problems(tmp_path):
    rows = user_rows(5)
    rows[0][6] = ""
    rows[1][4] = "inf"
    error = rejected(tmp_path, csv_bytes(rows))
    assert [str(p) for p in error.problems] == [
        "data row 1, column `pre_revenue`: is empty",
        "data row 2, column `revenue`: 'inf' is not a number",
    ]


def test_nan_and_infinity_in_any_summed_column_are_named(tmp_path):
    # The quick pass tests no cell for finiteness, only each column's sums: a NaN or an
    # infinity in the denominator or the pre-period must still reach the cell-by-cell pass.
    rows = user_rows(6)
    rows[1][5] = "nan"
    rows[3][6] = "-inf"
    error = rejected(tmp_path, csv_bytes(rows))
    assert [str(p) for p in error.problems] == [
        "data row 2, column `orders`: 'nan' is not a number",
        "data row 4, column `pre_revenue`: '-inf' is not a number",
    ]


def test_a_user_with_two_rows_in_one_variant_is_reduced_with_both(tmp_path):
    # A repeated user id is no problem in itself: only one seen in two variants is.
    rows = user_rows(50)
    rows[7][:2] = ["u3", rows[3][1]]
    reduction = reduce_file(write(tmp_path, csv_bytes(rows)), MAPPING, ["A", "B"])
    assert reduction.rows == 50
    assert_matches(reduction, rows)


def test_a_user_in_two_variants_far_apart_in_a_long_file_is_reported(tmp_path):
    # Far enough apart that the rows are read in different batches of the streaming scan.
    rows = user_rows(150_000)
    rows[0][1], rows[-1][0], rows[-1][1] = "A", "u0", "B"
    error = rejected(tmp_path, csv_bytes(rows))
    assert [str(p) for p in error.problems] == [
        "column `user_id`: user `u0` appears in more than one variant: "
        "A (data row 1), B (data row 150,000)"
    ]


def test_unknown_variant_is_listed_with_the_known_names(tmp_path):
    rows = user_rows(10)
    rows[3][1] = "C"
    error = rejected(tmp_path, csv_bytes(rows))
    assert [str(p) for p in error.problems] == [
        "column `group`: unknown variant 'C' (1 rows, first in data row 4); "
        "the experiment's variants are 'A', 'B'"
    ]


def test_user_in_two_variants_is_reported(tmp_path):
    rows = user_rows(10)
    rows[4][0] = "u1"
    rows[4][1] = "B" if rows[1][1] == "A" else "A"
    error = rejected(tmp_path, csv_bytes(rows))
    assert [str(p) for p in error.problems] == [
        "column `user_id`: user `u1` appears in more than one variant: "
        "A (data row 2), B (data row 5)"
    ]


def test_missing_mapped_column_is_named(tmp_path):
    header = [name if name != "orders" else "order_count" for name in HEADER]
    error = rejected(tmp_path, csv_bytes(user_rows(3), header=header))
    assert str(error.problems[0]).startswith(
        "the mapped column `orders` is not in the file; its columns are `user_id`, `group`"
    )


def test_empty_file_and_header_only_file(tmp_path):
    assert str(rejected(tmp_path, b"")) == "The file is empty."
    assert str(rejected(tmp_path, csv_bytes([]))) == "The file has a header but no rows."


def test_wrong_file_type_is_found_by_content_not_name(tmp_path):
    error = rejected(tmp_path, b"%PDF-1.7 binary\x00\x01")
    assert "looks like a PDF document" in str(error)


def test_zip_that_is_not_a_workbook(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    error = rejected(tmp_path, buffer.getvalue())
    assert str(error) == "The file is a zip archive but not an Excel workbook (.xlsx)."


def test_workbook_bomb_is_refused_before_unpacking(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (301 * 1024 * 1024))
    error = rejected(tmp_path, buffer.getvalue())
    assert str(error).startswith("The workbook unpacks to 315,621,")
    assert "over the limit of 314,572,800" in str(error)


def test_workbook_with_too_many_parts_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(XLSX_MAX_ENTRIES + 1):
            archive.writestr(f"part{i}.xml", "")
    path = write(tmp_path, buffer.getvalue(), "many.xlsx")
    with pytest.raises(RejectedData, match="holds 1,001 parts, over the limit of 1,000"):
        check_workbook(path)


def test_preview_shows_header_and_first_rows(tmp_path):
    rows = user_rows(8)
    shown = preview(write(tmp_path, csv_bytes(rows)))
    assert shown.columns == HEADER
    assert shown.rows == [[str(value) for value in row] for row in rows]


def test_padded_numbers_and_dates_give_the_same_statistics(tmp_path):
    # The quick pass reads " 12.5" as no number; the cell-by-cell pass strips it and accepts.
    rows = user_rows(30)
    padded = [[f" {value} " if i >= 2 else value for i, value in enumerate(row)] for row in rows]
    reduction = reduce_file(write(tmp_path, csv_bytes(padded)), MAPPING, ["A", "B"])
    assert reduction.rows == len(rows)
    assert_matches(reduction, rows)


def test_user_id_of_only_spaces_is_named_empty(tmp_path):
    rows = user_rows(10)
    rows[3][0] = "   "
    error = rejected(tmp_path, csv_bytes(rows))
    assert [str(p) for p in error.problems] == ["data row 4, column `user_id`: is empty"]


def test_user_id_of_unicode_spaces_is_named_empty(tmp_path):
    rows = user_rows(10)
    rows[3][0] = "\u3000\u00a0"
    error = rejected(tmp_path, csv_bytes(rows))
    assert [str(p) for p in error.problems] == ["data row 4, column `user_id`: is empty"]


def test_non_ascii_user_ids_are_reduced(tmp_path):
    rows = user_rows(20)
    for row in rows:
        row[0] = f"ü-{row[0]}"
    assert_matches(reduce_file(write(tmp_path, csv_bytes(rows)), MAPPING, ["A", "B"]), rows)


def test_parquet_with_timestamps_for_days_gives_the_same_statistics(tmp_path):
    rows = user_rows()
    frame = pl.read_csv(io.BytesIO(csv_bytes(rows)), try_parse_dates=True)
    path = tmp_path / "outcomes.parquet"
    frame.with_columns(pl.col("day").cast(pl.Datetime)).write_parquet(path)
    assert_matches(reduce_file(path, MAPPING, ["A", "B"]), rows)
