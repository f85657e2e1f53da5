"""A corpus of outcome files as marketing teams export them, good and bad, built by a script.

Each entry holds the file's bytes, the columns a person maps, the dialect choices they make on
the page (or on the command line), and either the rows behind the file (their statistics are
computed with numpy in rows.expected_totals, never by GrowthLab) or the exact messages the file
must be refused with. `python -m tests.ingestion.corpus DIR` writes the files out to look at.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from metrics.ingestion.filetype import GZIP_DAMAGED, NOT_A_TABLE
from metrics.ingestion.mapping import DATE_ORDER_MISSING
from tests.ingestion.rows import HEADER

DAYS = (date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 14))
METRICS = ("Order conversion", "Revenue", "Revenue per order")


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes
    header: tuple[str, ...]  # the file's names for HEADER's columns, in that order
    rows: list[list] = field(default_factory=list)  # HEADER order, ISO dates: the truth
    choices: dict = field(default_factory=dict)  # dialect options the person picks
    problems: tuple[str, ...] = ()  # the exact messages, in order, of a refused file
    refused_before_mapping: bool = False  # the mapping page itself cannot read it

    @property
    def good(self) -> bool:
        return not self.problems

    def mapping(self) -> dict:
        user, variant, day, converted, revenue, orders, pre = self.header
        return {
            "user": user,
            "variant": variant,
            "date": day,
            "metrics": {
                "Order conversion": {"column": converted},
                "Revenue": {"column": revenue, "pre": pre},
                "Revenue per order": {"column": revenue, "denominator": orders},
            },
        }

    def form_post(self) -> dict:
        """The mapping page's POST: the columns, then the dialect choices."""
        user, variant, day, converted, revenue, orders, pre = self.header
        post = {
            "user": user,
            "variant": variant,
            "date": day,
            "m0_column": converted,
            "m1_column": revenue,
            "m1_pre": pre,
            "m2_column": revenue,
            "m2_denominator": orders,
        }
        return {**post, **self.choices}

    def cli_args(self) -> list[str]:
        mapping = self.mapping()
        args = [f"--map={role}={mapping[role]}" for role in ("user", "variant", "date")]
        _user, _variant, _day, converted, revenue, orders, pre = self.header
        args += [
            f"--map=Order conversion={converted}",
            f"--map=Revenue={revenue}",
            f"--map=Revenue.pre={pre}",
            f"--map=Revenue per order={revenue}",
            f"--map=Revenue per order.denominator={orders}",
        ]
        options = {"date_order": "--date-order", "header_line": "--header-line"}
        for name, value in self.choices.items():
            args.append(f"{options.get(name, '--' + name)}={value}")
        return args


def base_rows(count: int = 60) -> list[list]:
    """Users with a few revenue figures above 1,000 (thousands separators show)."""
    rows = []
    for i in range(count):
        converted = int(i % 3 == 0)
        revenue = round((i * 37 % 90) + 0.25 * (i % 4), 2) * converted
        if i % 11 == 0:
            revenue = 1234.5 + i
        rows.append(
            [
                f"u{i:04d}",
                "AB"[i % 2 if i % 7 else 0],
                DAYS[i % 3].isoformat(),
                converted,
                revenue,
                1 + i % 4,
                round(10 + i * 1.5, 2),
            ]
        )
    return rows


def text_file(
    rows,
    header,
    *,
    separator=",",
    decimal=".",
    date_format="%Y-%m-%d",
    thousands="",
    line_end="\n",
    quote_all=False,
    bom=False,
    title="",
) -> bytes:
    out = io.StringIO()
    if title:
        out.write(title + line_end)
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(out, delimiter=separator, lineterminator=line_end, quoting=quoting)
    writer.writerow(header)
    for row in rows:
        day = datetime.strptime(row[2], "%Y-%m-%d")
        shown_day = day.strftime(date_format).replace("%-d", "")
        if date_format == "%d.%m.%Y":  # Excel in Finland writes days and months unpadded
            shown_day = f"{day.day}.{day.month}.{day.year}"
        cells = [row[0], row[1], shown_day, row[3]]
        cells += [number(value, decimal, thousands) for value in row[4:]]
        writer.writerow(cells)
    text = out.getvalue()
    return ("\ufeff" + text if bom else text).encode("utf-8")


def number(value, decimal: str, thousands: str) -> str:
    text = f"{value:,.2f}" if isinstance(value, float) else str(value)
    if not isinstance(value, float):
        return text
    whole, _, fraction = text.partition(".")
    return whole.replace(",", thousands) + decimal + fraction


def workbook(rows, header) -> bytes:
    """A notes sheet first, then the data with real date, number and true/false cells."""
    book = Workbook()
    notes = book.active
    notes.title = "README"
    notes.append(["Campaign export, December 2026"])
    notes.append(["Revenue in euros, VAT excluded"])
    data = book.create_sheet("Data")
    data.append(list(header))
    for row in rows:
        data.append(
            [
                row[0],
                row[1],
                datetime.fromisoformat(row[2]),
                bool(row[3]),
                float(row[4]),
                int(row[5]),
                float(row[6]),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parquet(rows, header) -> bytes:
    frame = pl.DataFrame(
        {
            header[0]: [r[0] for r in rows],
            header[1]: [r[1] for r in rows],
            header[2]: [date.fromisoformat(r[2]) for r in rows],
            header[3]: [bool(r[3]) for r in rows],
            header[4]: [Decimal(f"{r[4]:.2f}") for r in rows],
            header[5]: [int(r[5]) for r in rows],
            header[6]: [float(r[6]) for r in rows],
        },
        schema_overrides={header[4]: pl.Decimal(12, 2), header[5]: pl.Int64},
    )
    out = io.BytesIO()
    frame.write_parquet(out)
    return out.getvalue()


FINNISH = ("käyttäjä", "ryhmä", "päivä", "konversio", "tulo", "tilaukset", "tulo_ennen")
SWEDISH = ("användare", "grupp", "datum", "konverterad", "intäkt", "ordrar", "intäkt_före")
DUTCH = ("gebruiker", "groep", "datum", "geconverteerd", "omzet", "bestellingen", "omzet_voor")
ENGLISH = tuple(HEADER)


def good_entries() -> list[Entry]:
    rows = base_rows()
    lower = [[r[0], r[1].lower(), *r[2:]] for r in rows]
    early = [[*r[:2], r[2].replace("-12-14", "-12-04"), *r[3:]] for r in rows]
    titled = text_file(rows, ENGLISH, title="Exported from the shop on 15.12.2026;;;")
    accented = [[f"é{r[0]}", *r[1:]] for r in rows]
    return [
        Entry("plain.csv", text_file(rows, ENGLISH), ENGLISH, rows),
        Entry(
            "finnish-excel.csv",
            text_file(
                rows,
                FINNISH,
                separator=";",
                decimal=",",
                date_format="%d.%m.%Y",
                line_end="\r\n",
                bom=True,
            ),
            FINNISH,
            rows,
        ),
        Entry(
            "swedish-excel.csv",
            text_file(
                rows,
                SWEDISH,
                separator=";",
                decimal=",",
                thousands="\u00a0",
                line_end="\r\n",
                bom=True,
            ),
            SWEDISH,
            rows,
        ),
        Entry(
            "dutch-excel.csv",
            text_file(
                rows, DUTCH, separator=";", decimal=",", date_format="%d-%m-%Y", thousands="."
            ),
            DUTCH,
            rows,
        ),
        Entry(
            "us-export.csv",
            text_file(rows, ENGLISH, date_format="%m/%d/%Y", thousands=","),
            ENGLISH,
            rows,
        ),
        Entry("tabs.tsv", text_file(rows, ENGLISH, separator="\t"), ENGLISH, rows),
        Entry("pipes.txt", text_file(rows, ENGLISH, separator="|"), ENGLISH, rows),
        Entry(
            "windows-1252.csv",
            text_file(accented, ENGLISH).decode().encode("cp1252"),
            ENGLISH,
            accented,
        ),
        Entry("gzipped.csv.gz", gzip.compress(text_file(rows, ENGLISH)), ENGLISH, rows),
        Entry("workbook.xlsx", workbook(rows, ENGLISH), ENGLISH, rows),
        Entry("typed.parquet", parquet(rows, ENGLISH), ENGLISH, rows),
        Entry("title-line.csv", titled, ENGLISH, rows),
        Entry("lower-case-variants.csv", text_file(lower, ENGLISH), ENGLISH, rows),
        Entry(
            "day-first-slashes.csv",
            text_file(early, ENGLISH, date_format="%d/%m/%Y"),
            ENGLISH,
            early,
            choices={"date_order": "dmy_slashes"},
        ),
        Entry(
            "one-latin-1-line-read-as-windows-1252.csv",
            latin1_line(rows)[0],
            ENGLISH,
            latin1_rows(rows),
            choices={"encoding": "cp1252"},
        ),
    ]


def latin1_line(rows) -> tuple[bytes, int]:
    """UTF-8 "é" in every id, but one id written in Latin-1; (the bytes, its data row)."""
    lines = text_file([[f"é{r[0]}", *r[1:]] for r in rows], ENGLISH).split(b"\n")
    bad_row = 17
    lines[bad_row] = lines[bad_row].replace("é".encode(), b"\xe9")
    return b"\n".join(lines), bad_row


def latin1_rows(rows) -> list[list]:
    """The rows as read by an explicit Windows-1252 choice: ids change, none merge."""
    return [[("é" if i == 16 else "Ã©") + r[0], *r[1:]] for i, r in enumerate(rows)]


def bad_entries() -> list[Entry]:
    rows = base_rows()
    latin, latin_row = latin1_line(rows)
    offset = latin.index(b"\xe9") + 1
    ragged = text_file(rows, ENGLISH).split(b"\n")
    ragged[7] = ragged[7] + b",5"  # a decimal comma left unquoted: one field too many
    shared = [list(r) for r in rows]
    shared[9][0], shared[9][1] = "u0002", "A" if rows[2][1] == "B" else "B"
    cells = [list(r) for r in rows]
    cells[4][4], cells[10][3] = "N/A", 2
    early = [[*r[:2], r[2].replace("-12-14", "-12-04"), *r[3:]] for r in rows]
    huge = [*rows, ["u9999", "A", "2026-12-20", 1, 1e200, 2, 10.0]]
    damaged = gzip.compress(text_file(rows, ENGLISH))[:300]
    return [
        Entry(
            "one-latin-1-line.csv",
            latin,
            ENGLISH,
            problems=(
                f"data row {latin_row:,}: byte {offset:,} of the file (0xE9) is not "
                "UTF-8, unlike the text before it; nothing was changed or loaded. Fix that line, "
                "or pick the file's encoding (e.g. Windows-1252) on the mapping page to read "
                "every byte that way",
            ),
        ),
        Entry(
            "ragged.csv",
            b"\n".join(ragged),
            ENGLISH,
            problems=(
                "data row 7: has 8 fields where the header has 7; a value holding the separator "
                "(“,”), such as a decimal comma, must be quoted",
            ),
        ),
        Entry(
            "user-in-two-variants.csv",
            text_file(shared, ENGLISH),
            ENGLISH,
            problems=(
                f"column `user_id`: user `u0002` appears in more than one variant: "
                f"{rows[2][1]} (data row 3), {shared[9][1]} (data row 10)",
            ),
        ),
        Entry(
            "bad-cells.csv",
            text_file(cells, ENGLISH),
            ENGLISH,
            problems=(
                "data row 5, column `revenue`: 'N/A' is not a number",
                "data row 11, column `converted`: '2' is not 0 or 1",
            ),
        ),
        Entry(
            "dates-of-unclear-order.csv",
            text_file(early, ENGLISH, date_format="%d/%m/%Y"),
            ENGLISH,
            problems=(DATE_ORDER_MISSING,),
        ),
        Entry(
            "picture-named.csv",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
            ENGLISH,
            problems=(NOT_A_TABLE.format(what="a PNG image"),),
            refused_before_mapping=True,
        ),
        Entry(
            "cut-short.csv.gz",
            damaged,
            ENGLISH,
            problems=(GZIP_DAMAGED,),
            refused_before_mapping=True,
        ),
        Entry(
            "revenue-out-of-range.csv",
            text_file(huge, ENGLISH),
            ENGLISH,
            problems=(
                "Revenue, variant 'A', 2026-12-20: 1e+200 is out of range: sum of values must be "
                "between -1e30 and 1e30",
                "Revenue, variant 'A', 2026-12-20: inf is out of range: sum of squared values "
                "must be between -1e30 and 1e30",
                "Revenue, variant 'A', 2026-12-20: 1e+201 is out of range: sum of value × "
                "pre-period value must be between -1e30 and 1e30",
                "Revenue per order, variant 'A', 2026-12-20: 1e+200 is out of range: sum of "
                "values must be between -1e30 and 1e30",
                "Revenue per order, variant 'A', 2026-12-20: inf is out of range: sum of squared "
                "values must be between -1e30 and 1e30",
                "Revenue per order, variant 'A', 2026-12-20: 2e+200 is out of range: sum of "
                "value × denominator must be between -1e30 and 1e30",
            ),
        ),
    ]


def entries() -> list[Entry]:
    return good_entries() + bad_entries()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    target.mkdir(parents=True, exist_ok=True)
    for entry in entries():
        (target / entry.name).write_bytes(entry.data)
        print(entry.name, len(entry.data), "bytes")
