"""Sprint planning checks: can each test reach its sample size in the days the sprint has left,
and which tests compete for the same people.

The numbers come from the statistics engine (`metrics.stats.plan_power`), fed the same payload
as the test's own sample-size plan, with the days left in the sprint as the sprint length.
"""

import re
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from experiments.models import Experiment
from experiments.selectors import primary_metric
from experiments.services.planning import NEEDS_PRIMARY_METRIC, power_payload
from growthlab.web import numbers
from metrics import stats
from sprints.models import Sprint

FITS = gettext_lazy(
    "Reaches {n} users per variant in {days} days; {left} days are left in the sprint."
)
FITS_AFTER_START = gettext_lazy(
    "Reaches {n} users per variant in {days} more days; {left} days are left in the sprint."
)
REACHED = gettext_lazy(
    "Has run the {total} days it needs for {n} users per variant: it can be read now."
)
TOO_LONG = gettext_lazy(
    "Cannot reach its sample size in this sprint: it needs {days} days for {n} users per "
    "variant, and only {left} days are left."
)
NO_TRAFFIC = gettext_lazy(
    "Needs {n} users per variant; add the daily traffic to know whether it fits."
)
CANNOT_CHECK = gettext_lazy("The sample size cannot be checked yet: {reason}")
COMPETE = gettext_lazy(
    "“{first}” and “{second}” compete for the same people: both run on {channel} for "
    "overlapping audiences ({audience}). Split the audience or run them one after the other."
)
# Words that say nothing about who is in an audience, so sharing them is no overlap.
GENERIC_WORDS = frozenset(
    {
        "users",
        "visitors",
        "customers",
        "people",
        "members",
        "with",
        "from",
        "that",
        "have",
        "their",
        "who",
        "all",
        "and",
        "the",
        "for",
        "new",
        "in",
    }
)
CONCURRENT = frozenset(
    {Experiment.Status.DRAFT, Experiment.Status.PLANNED, Experiment.Status.RUNNING}
)


@dataclass(frozen=True)
class FitCheck:
    experiment: Experiment
    fits: bool | None  # None: the engine could not say
    message: str
    n_per_variant: int | None = None
    days_needed: int | None = None
    days_left: int = 0


def days_left(sprint: Sprint, today: date) -> int:
    """Days of the sprint still to come, today included; the whole sprint before it starts."""
    first = max(today, sprint.starts_on)
    return max((sprint.ends_on - first).days + 1, 0)


def days_already_run(experiment: Experiment, today: date) -> int:
    if experiment.started_at is None:
        return 0
    return max((today - experiment.started_at.date()).days, 0)


def fit_check(experiment: Experiment, sprint: Sprint, today: date) -> FitCheck:
    """Ask the engine whether the test reaches its sample size in the days left."""
    left = days_left(sprint, today)
    metric = primary_metric(experiment)
    try:
        if metric is None:
            raise ValidationError(NEEDS_PRIMARY_METRIC)
        payload = power_payload(experiment, metric.kind)
        plan = stats.plan_power(payload | {"sprint_days": max(left, 1)})
    except (ValidationError, stats.StatsInputError, TypeError) as error:
        message = CANNOT_CHECK.format(reason=reason_of(error))
        return FitCheck(experiment, None, message, days_left=left)
    n = max(plan["n_per_variant"])
    if plan["days"] is None:
        return FitCheck(experiment, None, NO_TRAFFIC.format(n=numbers.integer(n)), n, None, left)
    already_run = days_already_run(experiment, today)
    needed = max(plan["days"] - already_run, 0)
    fits = stats.fits_in_sprint(needed, left)
    if not fits:
        template = TOO_LONG
    elif needed == 0:
        template = REACHED
    else:
        template = FITS_AFTER_START if already_run else FITS
    message = template.format(n=numbers.integer(n), days=needed, left=left, total=plan["days"])
    return FitCheck(experiment, fits, message, n, needed, left)


def reason_of(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, TypeError):
        # power_payload meets a missing number (no baseline, no MDE) as None arithmetic.
        return "the test needs a baseline, a minimum detectable effect and its variants."
    return str(error)


def audience_words(audience: str) -> set[str]:
    words = set(re.findall(r"[a-zåäöæøü0-9]+", audience.lower()))
    return {w for w in words if len(w) >= 3 and w not in GENERIC_WORDS}


def audiences_overlap(first: Experiment, second: Experiment) -> bool:
    """Same channel, and either audience is everyone (blank) or they share a telling word."""
    if first.channel != second.channel:
        return False
    if not first.audience.strip() or not second.audience.strip():
        return True
    return bool(audience_words(first.audience) & audience_words(second.audience))


def competition_warnings(experiments: list[Experiment]) -> list[str]:
    """One warning per pair of tests in the sprint that would share their audience."""
    live = [e for e in experiments if e.status in CONCURRENT]
    warnings = []
    for first, second in combinations(live, 2):
        if audiences_overlap(first, second):
            audience = " / ".join(a or "everyone" for a in (first.audience, second.audience))
            warnings.append(
                COMPETE.format(
                    first=first.title,
                    second=second.title,
                    channel=first.get_channel_display(),
                    audience=audience,
                )
            )
    return warnings
