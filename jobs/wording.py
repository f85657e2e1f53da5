"""What a marketer reads when a job failed or its worker was lost: one set of sentences.

Each names the kind's work (`JobKind.work`, `JobKind.doing`), so an analysis and a data load
fail in the same words; the pages say beside them what was kept. Marked for translation here,
translated when written to the row.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jobs.kinds import JobKind

WORKER_LOST = gettext_noop("The worker {doing} stopped at {time:%H:%M:%S}; it was queued again.")
GAVE_UP = gettext_noop("The worker {doing} stopped {attempts} times, so {work} was given up.")
TOO_SLOW = gettext_noop("{work} took longer than its time limit and was stopped.")
FAILED_ON_OUR_SIDE = gettext_noop("{work} failed on our side ({error}).")
AGAIN = gettext_noop("Try again, or tell an admin if it happens again.")


def worker_lost(kind: JobKind, lost_at) -> str:
    return _(WORKER_LOST).format(doing=kind.doing, time=lost_at)


def gave_up(kind: JobKind, attempts: int) -> str:
    sentence = _(GAVE_UP).format(doing=kind.doing, attempts=attempts, work=kind.work)
    return f"{sentence} {_(AGAIN)}"


def too_slow(kind: JobKind) -> str:
    return f"{_(TOO_SLOW).format(work=capfirst(kind.work))} {_(AGAIN)}"


def failed_on_our_side(kind: JobKind, error: Exception) -> str:
    sentence = _(FAILED_ON_OUR_SIDE).format(work=capfirst(kind.work), error=type(error).__name__)
    return f"{sentence} {_(AGAIN)}"
