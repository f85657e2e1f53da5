"""Problems found in outcome data, each named by row and column, and the error that carries them.

Pure: no Django import, so the parsers stay testable with plain files. A message is marked for
the catalogues where it is written (``gettext_noop``, a name ``makemessages`` finds) and keeps its
parameters apart from its words, so a page shows it in the reader's language
(``metrics.ingestion.wording``) long after a worker stored it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

MAX_LISTED_PROBLEMS = 20  # a person fixes the first few and re-uploads; more is noise


class Template(str):
    """An English sentence with ``{name}`` fields; ``format`` remembers what filled them."""

    def format(self, *args, **params) -> Message:
        return Message(self, params)


class Message(str):
    """A filled-in ``Template``: reads as English text, and knows its words and parameters."""

    template: str
    params: dict

    def __new__(cls, template: Template, params: dict) -> Message:
        text = super().__new__(cls, str.format(template, **params))
        text.template, text.params = str(template), params
        return text


def gettext_noop(text: str) -> Template:
    """Marks ``text`` for translation without translating it here (see the module's note)."""
    return Template(text)


ROW_AND_COLUMN = gettext_noop("data row {row:,}, column `{column}`: {message}")
ROW_ONLY = gettext_noop("data row {row:,}: {message}")
COLUMN_ONLY = gettext_noop("column `{column}`: {message}")
MORE = gettext_noop("… and {count:,} more problems.")


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
        return self.as_dict()["text"]

    def as_dict(self) -> dict:
        """As stored on a load: the English text, and the words and parameters to translate."""
        stored = {"row": self.row, "column": self.column, "message": str(self.message)}
        if isinstance(self.message, Message):
            stored |= message_parts(self.message)
        return {**stored, "text": problem_text(stored)}


def message_stored(message: str) -> dict:
    """A note as a load keeps it: its English text, and its words and parameters if marked."""
    stored = {"message": str(message)}
    return stored | message_parts(message) if isinstance(message, Message) else stored


def message_parts(message: Message) -> dict:
    """The words and parameters of ``message``; a parameter that is a message itself nests."""
    params = message.params.items()
    return {
        "template": message.template,
        "params": {key: stored_value(value) for key, value in params},
        "marked": [key for key, value in params if is_marked(value)],
    }


def is_marked(value) -> bool:
    return isinstance(value, Template) and not isinstance(value, Message)


def stored_value(value):
    """A parameter as JSON keeps it: numbers stay numbers, a date is ISO, the rest text."""
    if isinstance(value, Message):
        return message_parts(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no infinity
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value.isoformat() if isinstance(value, date) else str(value)
    return value if isinstance(value, (int, float)) else str(value)


SPEC = re.compile(r"\{(\w+):([^{}]*)\}")


def filled(template: str, params: dict, number) -> str:
    """``template`` with its fields filled; a field grouped by ``,`` is written by ``number``."""

    def local(match: re.Match) -> str:
        name, spec = match.groups()
        if "," in spec and isinstance(params.get(name), (int, float)):
            return number(params[name]).replace("{", "{{").replace("}", "}}")
        return match.group(0)

    return SPEC.sub(local, template).format(**params)


def english_number(value) -> str:
    return f"{value:,}"


def problem_text(stored: dict, translate=lambda text: text, number=english_number) -> str:
    """ "data row 1,204, column `revenue`: 'N/A' is not a number", in the words of ``translate``.

    ``stored`` is ``Problem.as_dict`` (or an older load's dict without a template); ``number``
    writes a grouped number the reader's way.
    """
    return locate(stored, message_text(stored, translate, number), translate, number)


def message_text(stored: dict, translate=lambda text: text, number=english_number) -> str:
    """The problem itself, without where it is."""
    template = stored.get("template")
    if not template:
        return translate(stored["message"])
    params = dict(stored.get("params") or {})
    for name, value in params.items():
        if isinstance(value, dict):
            params[name] = message_text(value, translate, number)
    for name in stored.get("marked") or ():
        params[name] = translate(params[name])
    return filled(translate(template), params, number)


def locate(stored: dict, message: str, translate=lambda text: text, number=english_number) -> str:
    row, column = stored.get("row"), stored.get("column")
    if row is None and column is None:
        return message
    where = ROW_AND_COLUMN if row is not None and column is not None else ROW_ONLY
    if row is None:
        where = COLUMN_ONLY
    return filled(translate(where), {"row": row, "column": column, "message": message}, number)


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
            lines.append(MORE.format(count=self.more))
        return "\n".join(lines)


def reject(message: str, *, row: int | None = None, column: str | None = None) -> RejectedData:
    return RejectedData([Problem(message=message, row=row, column=column)])
