"""Problems with outcome data in the reader's language, with numbers written their way.

A load's problems are stored in English with their parameters (``problems.Problem.as_dict``);
here they are put into the words of the language active for this request.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from metrics.ingestion.problems import Problem, message_text, problem_text


def local_number(value) -> str:
    return number_format(value, force_grouping=True)


def problem_shown(problem: Problem | dict) -> dict:
    """A stored problem as a reader gets it: where, what, and both in one sentence."""
    stored = problem.as_dict() if isinstance(problem, Problem) else problem
    return {
        "row": stored.get("row"),
        "column": stored.get("column"),
        "message": message_text(stored, gettext, local_number),
        "text": problem_text(stored, gettext, local_number),
    }


def problem_lines(problems: list, more: int) -> list[str]:
    """Each problem in one sentence, then how many more there are."""
    lines = [problem_shown(problem)["text"] for problem in problems]
    if more:
        lines.append(more_problems(more))
    return lines


def more_problems(count: int) -> str:
    text = ngettext("… and {count} more problem.", "… and {count} more problems.", count)
    return text.format(count=local_number(count))


def note_text(note: str | dict) -> str:
    """A load's note (``problems.message_stored``, or an older load's plain text), translated."""
    if isinstance(note, str):
        return gettext(note)
    return message_text(note, gettext, local_number)
