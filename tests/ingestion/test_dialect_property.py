"""Property: any table pandas or polars writes in a supported dialect reads back, through the
dialect GrowthLab detects, to the sufficient statistics numpy computes from the table itself."""

import io
from datetime import date, timedelta

import numpy as np
import pandas as pd
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.ingestion.dialect import DATE_ORDERS
from metrics.ingestion.parse import Mapping, MetricColumns, preview, reduce_file

MAPPING = Mapping(
    user="user",
    variant="variant",
    date="day",
    metrics=(
        MetricColumns(key="conv", kind="binomial", column="converted"),
        MetricColumns(key="rev", kind="mean", column="revenue", pre="pre"),
    ),
)
# (separator, decimal mark, date order) as spreadsheets in our users' locales write them.
DIALECTS = [
    (",", ".", "iso"),
    (";", ",", "dmy_dots"),
    (";", ",", "iso"),
    ("\t", ".", "iso"),
    ("|", ".", "iso"),
    (",", ".", "mdy_slashes"),
    (";", ",", "dmy_slashes"),
    (";", ",", "dmy_dashes"),
]
FIRST_DAY = date(2026, 11, 28)

users = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.integers(min_value=0, max_value=20),  # days after FIRST_DAY
        st.booleans(),
        st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False),
        st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False),
    ),
    min_size=1,
    max_size=40,
)


def columns(rows) -> dict[str, list]:
    return {
        "user": [f"user-{i}" for i in range(len(rows))],
        "variant": [r[0] for r in rows],
        "day": [FIRST_DAY + timedelta(days=r[1]) for r in rows],
        "converted": [int(r[2]) for r in rows],
        "revenue": [float(r[3]) for r in rows],
        "pre": [float(r[4]) for r in rows],
    }


def table(rows) -> pd.DataFrame:
    return pd.DataFrame(columns(rows))


def written(rows, writer: str, separator: str, decimal: str, order: str) -> bytes:
    date_format = DATE_ORDERS[order][0]
    if writer == "pandas":
        frame = table(rows)
        frame["day"] = pd.to_datetime(frame["day"])
        text = frame.to_csv(index=False, sep=separator, decimal=decimal, date_format=date_format)
        return text.encode("utf-8-sig" if decimal == "," else "utf-8")
    out = io.BytesIO()
    pl.DataFrame(columns(rows)).write_csv(
        out, separator=separator, date_format=date_format, decimal_comma=decimal == ","
    )
    return out.getvalue()


def expected(frame: pd.DataFrame) -> dict:
    totals = {}
    for (variant, day), group in frame.groupby(["variant", "day"]):
        revenue, pre = group["revenue"].to_numpy(), group["pre"].to_numpy()
        totals[(variant, day)] = (
            len(group),
            group["converted"].sum(),
            revenue.sum(),
            np.dot(revenue, revenue),
            np.dot(revenue, pre),
        )
    return totals


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=users, writer=st.sampled_from(["pandas", "polars"]), dialect=st.sampled_from(DIALECTS))
def test_a_table_written_in_any_supported_dialect_reads_back_to_the_same_statistics(
    tmp_path, rows, writer, dialect
):
    separator, decimal, order = dialect
    frame = table(rows)
    path = tmp_path / "written.upload"
    path.write_bytes(written(rows, writer, separator, decimal, order))
    shown = preview(path)
    if shown.sniffed.ambiguous_dates:  # every day fits both orders: the person picks it
        shown = preview(path, {"date_order": order})
    assert (shown.dialect.separator, shown.dialect.decimal) == (separator, decimal)
    reduction = reduce_file(path, MAPPING, ["A", "B"], dialect=shown.dialect)
    conv = {(c.variant, c.exposure_date): c for c in reduction.cohorts if c.metric == "conv"}
    rev = {(c.variant, c.exposure_date): c for c in reduction.cohorts if c.metric == "rev"}
    want = expected(frame)
    assert set(rev) == set(want)
    for key, (n, conversions, total, squares, cross) in want.items():
        assert (rev[key].n, conv[key].sum) == (n, conversions)
        assert rev[key].sum == np.float64(total) or abs(rev[key].sum - total) < 1e-6
        assert abs(rev[key].sum_squares - squares) <= 1e-9 * max(1.0, squares)
        assert abs(rev[key].post_pre_sum_products - cross) <= 1e-9 * max(1.0, abs(cross)) + 1e-6
