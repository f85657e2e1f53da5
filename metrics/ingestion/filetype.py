"""What a file really is, read from its first bytes, never from its name; XLSX bomb checks.

Pure: no Django import.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import zipfile
import zlib
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from metrics.ingestion.problems import gettext_noop, reject

XLSX_MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # Excel's 1,048,576-row limit fits well below this
XLSX_MAX_ENTRIES = 1_000  # a workbook has a few dozen parts; thousands means a crafted file
# 10 million rows of a dozen columns unpack to about 1 GiB; more is a crafted file or a mistake.
GZIP_MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
SNIFF_BYTES = 8192
PREVIEW_ROWS = 200  # what the mapping page reads of a workbook: its first rows, never all

EMPTY_FILE = gettext_noop("The file is empty.")
NOT_A_TABLE = gettext_noop(
    "This file is not a CSV, gzipped CSV, Parquet or XLSX file (its content looks like {what}), "
    "whatever its name says."
)
XLSX_TOO_LARGE = gettext_noop(
    "The workbook unpacks to {size:,} bytes, over the limit of {limit:,}; export it as CSV instead."
)
XLSX_TOO_MANY_PARTS = gettext_noop(
    "The workbook holds {count:,} parts, over the limit of {limit:,}."
)
GZIP_TOO_LARGE = gettext_noop(
    "The gzipped file unpacks to more than {limit:,} bytes, the limit; reading stopped there. "
    "Split it, or upload it unpacked."
)
GZIP_DAMAGED = gettext_noop(
    "The gzipped file is damaged or cut short and cannot be unpacked; export it again."
)
NO_SUCH_SHEET = gettext_noop("The workbook has no sheet named “{sheet}”; its sheets are {sheets}.")
NOT_A_WORKBOOK = gettext_noop("The file is a zip archive but not an Excel workbook (.xlsx).")

BINARY_DATA = gettext_noop("binary data")
KNOWN_SIGNATURES = {
    b"%PDF": gettext_noop("a PDF document"),
    b"\x89PNG": gettext_noop("a PNG image"),
    b"\xff\xd8\xff": gettext_noop("a JPEG image"),
    b"GIF8": gettext_noop("a GIF image"),
    b"\xd0\xcf\x11\xe0": gettext_noop("an old Excel (.xls) or Word file"),
    b"MZ": gettext_noop("a Windows program"),
    b"\x7fELF": gettext_noop("a program"),
}


class FileKind(StrEnum):
    CSV = "csv"
    WINDOWS_CSV = "csv (Windows-1252)"  # Excel's "CSV" on Windows; read as UTF-8 after a copy
    GZIP_CSV = "csv.gz"
    PARQUET = "parquet"
    XLSX = "xlsx"


# Bytes that never occur in text: control characters other than tab, line feed, carriage return.
NOT_IN_TEXT = bytes(set(range(32)) - {9, 10, 13}) + b"\x7f"


def detect_kind(path: Path) -> FileKind:
    """Return the file's kind from its content; raise RejectedData for anything else."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise reject(EMPTY_FILE)
    if head.startswith(b"\x1f\x8b"):
        return FileKind.GZIP_CSV
    if head.startswith(b"PAR1"):
        return FileKind.PARQUET
    if head.startswith(b"PK\x03\x04"):
        return FileKind.XLSX
    if looks_like_text(head):
        return FileKind.CSV
    if looks_like_single_byte_text(head):
        return FileKind.WINDOWS_CSV
    what = next((name for sig, name in KNOWN_SIGNATURES.items() if head.startswith(sig)), None)
    raise reject(NOT_A_TABLE.format(what=what or BINARY_DATA))


def looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sniffed block may end inside a multi-byte character.
        return error.start >= len(head) - 3
    return True


def looks_like_single_byte_text(head: bytes) -> bool:
    """Text in a one-byte encoding: not UTF-8, but no byte that text never holds."""
    return head.translate(None, NOT_IN_TEXT) == head


def as_latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start : error.end].decode("latin-1"), error.end


# Windows-1252 leaves five bytes unassigned; read them as Latin-1, so that every byte keeps a
# character of its own and no two user ids can merge into one.
codecs.register_error("growthlab-latin1", as_latin1)


SINGLE_BYTE_ENCODINGS = ("cp1252", "latin-1")


def single_byte_text_to_utf8(path: Path, target: Path, encoding: str = "cp1252") -> Path:
    """Copy one-byte text (Windows-1252 or Latin-1) as UTF-8, 1 MiB at a time."""
    with open(path, "rb") as source, open(target, "w", encoding="utf-8", newline="") as sink:
        while block := source.read(1024 * 1024):
            sink.write(block.decode(encoding, errors="growthlab-latin1"))
    return target


def gunzip_to(path: Path, target: Path, limit: int | None = None) -> Path:
    """Unpack in 1 MiB blocks to `target`, stopping at `limit`: never the whole file in memory.

    Run by the worker only; the mapping page reads gunzip_head(), a bounded prefix.
    """
    limit = GZIP_MAX_UNPACKED_BYTES if limit is None else limit
    written = 0
    with gzip.open(path, "rb") as source, open(target, "wb") as sink:
        while block := read_block(source):
            written += len(block)
            if written > limit:
                raise reject(GZIP_TOO_LARGE.format(limit=limit))
            sink.write(block)
    if written == 0:
        raise reject(EMPTY_FILE)
    return target


def gunzip_head(path: Path, limit: int) -> bytes:
    """The first `limit` unpacked bytes: a preview never unpacks the whole file."""
    with gzip.open(path, "rb") as source:
        return read_block(source, limit)


def read_block(source, size: int = 1024 * 1024) -> bytes:
    try:
        return source.read(size)
    except (OSError, EOFError, zlib.error):  # a damaged or truncated archive
        raise reject(GZIP_DAMAGED) from None


def check_workbook(path: Path) -> None:
    """Refuse a zip bomb from the archive's directory alone, before anything is unpacked."""
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        if len(entries) > XLSX_MAX_ENTRIES:
            raise reject(XLSX_TOO_MANY_PARTS.format(count=len(entries), limit=XLSX_MAX_ENTRIES))
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > XLSX_MAX_UNPACKED_BYTES:
            raise reject(XLSX_TOO_LARGE.format(size=unpacked, limit=XLSX_MAX_UNPACKED_BYTES))
        if "[Content_Types].xml" not in archive.namelist():
            raise reject(NOT_A_WORKBOOK)


def open_workbook(handle):
    """The workbook in read-only mode (openpyxl streams the XML of one sheet at a time).

    Given an open file, not a path: openpyxl refuses paths whose name does not end in .xlsx,
    and stored uploads have a name of the server's.
    """
    from openpyxl import load_workbook

    return load_workbook(handle, read_only=True, data_only=True)


def workbook_sheets(path: Path) -> list[str]:
    check_workbook(path)
    with open(path, "rb") as handle:
        book = open_workbook(handle)
        try:
            return list(book.sheetnames)
        finally:
            book.close()


def workbook_rows(path: Path, sheet: str = "", limit: int | None = None) -> list[list[str]]:
    """The first `limit` rows of a sheet (the first one unless named) as text."""
    return list(_sheet_rows(path, sheet, limit))


def _sheet_rows(path: Path, sheet: str, limit: int | None):
    check_workbook(path)
    with open(path, "rb") as handle:
        book = open_workbook(handle)
        try:
            if sheet and sheet not in book.sheetnames:
                shown = ", ".join(f"“{name}”" for name in book.sheetnames)
                raise reject(NO_SUCH_SHEET.format(sheet=sheet, sheets=shown))
            rows = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
            for number, row in enumerate(rows):
                if limit is not None and number >= limit:
                    return
                yield ["" if cell is None else cell_text(cell) for cell in row]
        finally:
            book.close()


def workbook_to_csv(path: Path, target: Path, sheet: str = "") -> Path:
    """Write one sheet as CSV, row by row, with numbers and dates as their native values."""
    with open(target, "w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        for row in _sheet_rows(path, sheet, None):
            writer.writerow(row)
    return target


def cell_text(cell) -> str:
    if isinstance(cell, bool):  # before numbers: a bool is an int in Python
        return "1" if cell else "0"
    if isinstance(cell, datetime):  # Excel stores days as datetimes: keep the day
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
