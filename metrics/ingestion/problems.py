"""Problems found in outcome data, each named by row and column, and the error that carries them.

Pure: no Django import, so the parsers stay testable with plain files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

MAX_LISTED_PROBLEMS = 20  # a person fixes the first few and re-uploads; more is noise


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data; ``row`` is the data row, from 1, the header not counted.

    Every source counts the same way (a CSV, a workbook, a Parquet file, a counts file, the
    items of a push) and every message says so: "data row 1,204".
    """

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"data row {self.row:,}")
        if self.column is not None:
            where.append(f"column `{self.column}`")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {**asdict(self), "text": str(self)}


class RejectedData(Exception):
    """The data cannot be loaded; nothing was written. Lists the first problems and a count."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        total = len(problems) if total is None else total
        self.problems = problems[:MAX_LISTED_PROBLEMS]
        self.more = max(total - len(self.problems), 0)
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(problem) for problem in self.problems]
        if self.more:
            lines.append(f"… and {self.more:,} more problems.")
        return "\n".join(lines)


def reject(message: str, *, row: int | None = None, column: str | None = None) -> RejectedData:
    return RejectedData([Problem(message=message, row=row, column=column)])
