"""Did the win hold: read a shipped test's long-term metric back on the days its team chose.

A plan names the metric and the days (30, 60, 90 by default) and keeps a snapshot of the test
as it was shipped: its control, the shipped variant, its users per variant and day, and the
lift it was shipped on. Beat's sweep queues each read-back as it comes due; the worker pulls
the test's SQL source again (a test whose data was uploaded or pushed waits for a new load
and its owner is reminded), checks that the users are still the test's own, and records
held, faded or reversed (`metrics.stats.readback`). A read-back never changes the test, its
results or an earlier read-back; a failure says what is wrong and may be tried again.
"""

from dataclasses import replace
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.selectors import outputs_by_experiment
from experiments.models import Decision, Experiment, MetricRole
from jobs.attempt import Attempt, Delivery
from jobs.services import job_execute, job_send
from learnings.jobs import READBACKS
from learnings.models import ReadBack, ReadBackPlan, ReadBackStatus
from learnings.signals import readback_needs_data, readback_reversed, readback_signal_send
from metrics.ingestion.columns import MetricColumns
from metrics.ingestion.mapping import mapping_from_json
from metrics.ingestion.problems import RejectedData
from metrics.ingestion.sql import pull
from metrics.ingestion.vault import url_decrypt
from metrics.models import DataLoad, ExperimentQuery, Metric, MetricKind, OutcomeCohort
from metrics.stats.errors import StatsInputError
from metrics.stats.readback import Outcome, readback_compare, readback_outcome
from metrics.stats.sufficient import BinomialStats, MeanStats
from metrics.stats.verdict import best_treatment, decision_interval

DEFAULT_DAYS = (30, 60, 90)
MAX_DAYS = 730

NOT_SHIPPED = _("Only a test concluded with “ship” is read back.")
NO_DAYS = _("Pick at least one day to read the test back on.")
BAD_DAYS = _("Read-back days lie between 1 and {most} days after the ship.")
RATIO_METRIC = _("“{metric}” is a ratio metric; pick a conversion or per-user metric.")
NO_COLUMN = _(
    "Name the column of the SQL query that holds “{metric}”: the source's mapping does not map it."
)
NOT_MEASURED = _(
    "“{metric}” is not one of this test's metrics, so no upload or push can carry it; pick one"
    " of its metrics."
)
NO_COHORTS = _("The test has no stored users per variant, so there is nothing to compare with.")
NO_TREATMENT = _("The test has no variant beside its control.")
NOT_RETRIABLE = _("Only a failed read-back can be tried again.")
POSTMORTEM_NOT_ASKED = _("A post-mortem is asked for only once a read-back reversed.")
POSTMORTEM_EMPTY = _("Write what happened.")

SOURCE_GONE = _(
    "The SQL source this test was read from is no longer attached, so it cannot be read again."
    " Attach it again, then try again."
)
SOURCE_FAILED = _("“{source}” could not be read again: {reason} Fix the source, then try again.")
NO_NEW_LOAD = _(
    "No load since {day} holds “{metric}”. Upload or push it for the test's users, and the"
    " read-back runs."
)
COHORTS_CHANGED = _(
    "The users are no longer the test's: {differences}. Check that the source still returns"
    " the users who were in the test, then try again."
)
VARIANT_MISSING = _("“{variant}” is missing")
VARIANT_NEW = _("“{variant}” was not in the test")
USERS_CHANGED = _("“{variant}” had {then:,} users in the test and has {now:,}")
DAYS_CHANGED = _("“{variant}” has its users on other exposure days")
NOT_COMPARABLE = _("“{metric}” cannot be compared: {reason}.")


class ReadBackFailed(Exception):
    """A read-back that cannot be made; its message is for the marketer."""


# --- The plan ---------------------------------------------------------------------------------


def days_check(days) -> list[int]:
    chosen = sorted({int(day) for day in days})
    if not chosen:
        raise ValidationError({"days": str(NO_DAYS)})
    if chosen[0] < 1 or chosen[-1] > MAX_DAYS:
        raise ValidationError({"days": str(BAD_DAYS).format(most=MAX_DAYS)})
    return chosen


def metric_check(experiment: Experiment, metric: Metric, column: str) -> bool:
    """True when the test reads from SQL; raise ValidationError when it cannot read `metric`."""
    if metric.kind == MetricKind.RATIO:
        raise ValidationError({"metric": str(RATIO_METRIC).format(metric=metric)})
    attached = ExperimentQuery.objects.filter(experiment=experiment).first()
    if attached is None:
        if not experiment.experiment_metrics.filter(metric=metric).exists():
            raise ValidationError({"metric": str(NOT_MEASURED).format(metric=metric)})
        return False
    mapped = ((attached.mapping.get("metrics") or {}).get(metric.name) or {}).get("column")
    if not column and not mapped:
        raise ValidationError({"column": str(NO_COLUMN).format(metric=metric)})
    return True


def shipped_snapshot(experiment: Experiment) -> dict:
    """The test as it was shipped: control, shipped variant, users per variant and day, lift."""
    variants = list(experiment.variants.order_by("-is_control", "name"))
    if len(variants) < 2:
        raise ValidationError(str(NO_TREATMENT))
    primary = experiment.experiment_metrics.filter(role=MetricRole.PRIMARY).first()
    rows = OutcomeCohort.objects.filter(experiment=experiment)
    rows = rows.filter(metric_id=primary.metric_id) if primary else rows.none()
    cohorts = cohort_counts(rows.values_list("variant__name", "exposure_date", "n"))
    if not cohorts:
        raise ValidationError(str(NO_COHORTS))
    stored = outputs_by_experiment([experiment.pk]).get(experiment.pk, [])
    result = next((r for r in stored if r.role == MetricRole.PRIMARY), None)
    won = best_treatment(result) if result is not None else None
    snapshot = {
        "control": variants[0].name,
        "shipped_variant": won.variant if won else variants[1].name,
        "cohorts": cohorts,
    }
    if won is not None:
        interval = decision_interval(result.settings, won)
        snapshot.update(
            original_metric=result.metric_name,
            original_estimate=interval.estimate,
            original_lower=interval.ci_lower,
            original_upper=interval.ci_upper,
        )
    return snapshot


@transaction.atomic
def readback_plan_save(
    *, experiment: Experiment, user, metric: Metric, column: str = "", days=DEFAULT_DAYS
) -> ReadBackPlan:
    """Choose (or change) the long-term metric and the days a shipped test is read back on.

    The snapshot of the shipped test is taken the first time only. Read-backs already made
    are kept as they are; chosen days not yet read are added, and those no longer chosen are
    dropped unless they ran.
    """
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.decision != Decision.SHIP or experiment.concluded_at is None:
        raise ValidationError(str(NOT_SHIPPED))
    chosen = days_check(days)
    from_sql = metric_check(experiment, metric, column.strip())
    plan = ReadBackPlan.objects.filter(experiment=experiment).first()
    if plan is None:
        plan = ReadBackPlan(experiment=experiment, **shipped_snapshot(experiment))
    plan.metric, plan.column, plan.from_sql, plan.chosen_by = metric, column.strip(), from_sql, user
    plan.save()
    readbacks_schedule(plan, chosen, experiment.concluded_at.date())
    return plan


def readbacks_schedule(plan: ReadBackPlan, days: list[int], shipped_on) -> None:
    not_run = plan.readbacks.filter(status__in=[ReadBackStatus.SCHEDULED, ReadBackStatus.WAITING])
    not_run.exclude(days__in=days).delete()
    for day in days:
        readback, created = ReadBack.objects.get_or_create(
            plan=plan, days=day, defaults={"due_on": shipped_on + timedelta(days=day)}
        )
        if not created and readback.status == ReadBackStatus.SCHEDULED:
            readback.due_on = shipped_on + timedelta(days=day)
            readback.save(update_fields=["due_on"])


# --- Coming due -------------------------------------------------------------------------------


def readback_sweep(*, today=None) -> int:
    """Queue each scheduled read-back that is due (or set it waiting for data); return how many.

    Each row moves on with a conditional UPDATE, so two sweeps never queue it twice.
    """
    today = today or timezone.localdate()
    due = ReadBack.objects.filter(status=ReadBackStatus.SCHEDULED, due_on__lte=today)
    moved = 0
    for readback in due.select_related("plan"):
        with transaction.atomic():
            moved += readback_come_due(readback)
    return moved


def readback_come_due(readback: ReadBack) -> int:
    still = ReadBack.objects.filter(id=readback.id, status=ReadBackStatus.SCHEDULED)
    if readback.plan.from_sql:
        if not still.update(status=ReadBackStatus.QUEUED, sent_at=timezone.now()):
            return 0
        job_send(READBACKS, [readback.id])
        return 1
    if not still.update(status=ReadBackStatus.WAITING):
        return 0
    readback_signal_send(readback_needs_data, ReadBack.objects.get(id=readback.id))
    return 1


def readbacks_after_load(*, load_id: int) -> int:
    """A load of a test with waiting (or failed) read-backs landed: queue those that are due."""
    load = DataLoad.objects.get(id=load_id)
    rows = ReadBack.objects.filter(
        plan__experiment_id=load.experiment_id,
        plan__from_sql=False,
        status__in=[ReadBackStatus.WAITING, ReadBackStatus.FAILED],
        due_on__lte=timezone.localdate(),
    )
    return readbacks_queue(rows)


def readbacks_queue(rows) -> int:
    ids = list(rows.values_list("id", flat=True))
    queued = rows.filter(id__in=ids).update(
        status=ReadBackStatus.QUEUED, sent_at=timezone.now(), attempts=0, claim=""
    )
    job_send(READBACKS, ids)
    return queued


@transaction.atomic
def readback_retry(*, readback: ReadBack, user) -> ReadBack:
    """Try a failed read-back again, now that its source was fixed."""
    rows = ReadBack.objects.filter(id=readback.id, status=ReadBackStatus.FAILED)
    if not readbacks_queue(rows):
        raise ValidationError(str(NOT_RETRIABLE))
    readback.refresh_from_db()
    return readback


# --- Running one ------------------------------------------------------------------------------


def readback_execute(*, readback_id: int, delivery: Delivery | None = None) -> None:
    job_execute(READBACKS, job_id=readback_id, delivery=delivery, work=readback_run)


def readback_run(attempt: Attempt) -> None:
    readback = ReadBack.objects.select_related("plan__experiment", "plan__metric").get(
        id=attempt.job_id
    )
    plan = readback.plan
    try:
        rows = readback_rows(readback)
        cohorts_match(plan.cohorts, cohort_counts((v, d, n) for v, d, n, _s, _q in rows))
        control, treatment = arm_stats(plan, rows)
        result = readback_compare(control, treatment, plan.experiment.plan_alpha)
    except ReadBackFailed as failed:
        attempt.fail(str(failed))
        return
    outcome = readback_outcome(
        result.ci_lower, result.ci_upper, higher_is_better=not plan.metric.lower_is_better
    )
    with transaction.atomic():
        attempt.finish(
            outcome=outcome,
            estimate=result.estimate,
            ci_lower=result.ci_lower,
            ci_upper=result.ci_upper,
            users={plan.control: control.n, plan.shipped_variant: treatment.n},
            metric_name=plan.metric.name,
            error="",
        )
        if outcome == Outcome.REVERSED and readback_reopen(plan):
            readback_signal_send(readback_reversed, ReadBack.objects.get(id=readback.id))


def readback_reopen(plan: ReadBackPlan) -> bool:
    """Ask for the post-mortem of a reversal; False when one was already asked for."""
    unasked = ReadBackPlan.objects.filter(id=plan.id, postmortem_asked_at__isnull=True)
    return bool(unasked.update(postmortem_asked_at=timezone.now()))


def readback_rows(readback: ReadBack) -> list[tuple]:
    """(variant, exposure day, users, sum, sum of squares) of the long-term metric, read again."""
    plan = readback.plan
    if plan.from_sql:
        cohorts = sql_cohorts(plan)
        return [(c.variant, c.exposure_date, c.n, c.sum, c.sum_squares) for c in cohorts]
    rows = OutcomeCohort.objects.filter(
        experiment=plan.experiment,
        metric=plan.metric,
        load__status=DataLoad.Status.SUCCEEDED,
        load__finished_at__date__gte=readback.due_on,
    )
    found = list(rows.values_list("variant__name", "exposure_date", "n", "sum", "sum_squares"))
    if not found:
        day = readback.due_on.isoformat()
        raise ReadBackFailed(str(NO_NEW_LOAD).format(day=day, metric=plan.metric))
    return found


def sql_cohorts(plan: ReadBackPlan):
    experiment = plan.experiment
    attached = ExperimentQuery.objects.filter(experiment=experiment).select_related("source")
    attached = attached.first()
    if attached is None:
        raise ReadBackFailed(str(SOURCE_GONE))
    try:
        mapping = mapping_from_json(experiment, attached.mapping)
        url = url_decrypt(attached.source.url_encrypted)
    except ValidationError as error:
        raise ReadBackFailed(source_failed(attached, " ".join(error.messages))) from None
    mapped = next((m for m in mapping.metrics if m.key == plan.metric.name), None)
    column = plan.column or (mapped.column if mapped else "")
    only = MetricColumns(key=plan.metric.name, kind=plan.metric.kind, column=column)
    mapping = replace(mapping, metrics=(only,), dimensions=())
    variants = list(experiment.variants.values_list("name", flat=True))
    try:
        return pull(url, attached.query, mapping, variants).cohorts
    except RejectedData as rejected:
        reason = " ".join(problem.message for problem in rejected.problems)
        raise ReadBackFailed(source_failed(attached, reason)) from None


def source_failed(attached: ExperimentQuery, reason: str) -> str:
    reason = reason.strip()
    if reason and not reason.endswith("."):
        reason += "."
    return str(SOURCE_FAILED).format(source=attached.source.name, reason=reason)


def cohort_counts(rows) -> dict[str, dict[str, int]]:
    """{variant: {exposure day (ISO, "" for none): users}} from (variant, day, users) rows."""
    counts: dict[str, dict[str, int]] = {}
    for variant, day, n in rows:
        key = day.isoformat() if day else ""
        days = counts.setdefault(str(variant), {})
        days[key] = days.get(key, 0) + int(n)
    return counts


def cohort_differences(then: dict, now: dict) -> list[str]:
    """Each way the users read now differ from those in the test, in words."""
    differences = []
    for variant in sorted(set(then) | set(now)):
        if variant not in now:
            differences.append(str(VARIANT_MISSING).format(variant=variant))
        elif variant not in then:
            differences.append(str(VARIANT_NEW).format(variant=variant))
        elif (before := sum(then[variant].values())) != (after := sum(now[variant].values())):
            words = str(USERS_CHANGED).format(variant=variant, then=before, now=after)
            differences.append(words)
        elif then[variant] != now[variant]:
            differences.append(str(DAYS_CHANGED).format(variant=variant))
    return differences


def cohorts_match(then: dict, now: dict) -> None:
    if differences := cohort_differences(then, now):
        raise ReadBackFailed(str(COHORTS_CHANGED).format(differences="; ".join(differences)))


def arm_stats(plan: ReadBackPlan, rows: list[tuple]):
    """The engine's statistics of the control and the shipped variant, summed over days."""
    totals: dict[str, list[float]] = {}
    for variant, _day, n, total, squares in rows:
        arm = totals.setdefault(variant, [0, 0.0, 0.0])
        arm[0] += n
        arm[1] += total or 0.0
        arm[2] += squares or 0.0
    try:
        return tuple(
            stats_of(plan.metric.kind, *totals[name])
            for name in (plan.control, plan.shipped_variant)
        )
    except StatsInputError as error:
        reason = error.message
        raise ReadBackFailed(
            str(NOT_COMPARABLE).format(metric=plan.metric, reason=reason)
        ) from None


def stats_of(kind: str, n: int, total: float, squares: float):
    if kind == MetricKind.BINOMIAL:
        return BinomialStats(n=int(n), conversions=round(total))
    return MeanStats(n=int(n), sum=total, sum_squares=squares)


# --- The post-mortem a reversal asks for ------------------------------------------------------


@transaction.atomic
def readback_postmortem_write(
    *, plan: ReadBackPlan, user, what_happened: str, why: str = "", next_test: str = ""
) -> ReadBackPlan:
    """Record why the shipped win reversed; the test's own post-mortem is left as it was."""
    plan = ReadBackPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.postmortem_asked_at is None:
        raise ValidationError(str(POSTMORTEM_NOT_ASKED))
    if not what_happened.strip():
        raise ValidationError({"what_happened": str(POSTMORTEM_EMPTY)})
    plan.postmortem_what_happened = what_happened.strip()
    plan.postmortem_why = why.strip()
    plan.postmortem_next_test = next_test.strip()
    plan.postmortem_by, plan.postmortem_at = user, timezone.now()
    plan.save()
    return plan


def users_in_plan(plan: ReadBackPlan) -> dict[str, int]:
    return {variant: sum(days.values()) for variant, days in plan.cohorts.items()}


# --- Shown on the learning, in the API and in the programme view -------------------------------


def readbacks_prefetch() -> tuple[Prefetch, str]:
    """Each test's read-back plan (with its metric) and read-backs, for ``readbacks_of``."""
    plans = Prefetch("readback_plan", queryset=ReadBackPlan.objects.select_related("metric"))
    return plans, "readback_plan__readbacks"


def readbacks_of(experiment: Experiment) -> list[ReadBack]:
    """A test's read-backs, first day first; none without a plan."""
    try:
        plan = experiment.readback_plan
    except ReadBackPlan.DoesNotExist:
        return []
    return sorted(plan.readbacks.all(), key=lambda readback: readback.days)


def latest_readback(experiment: Experiment) -> ReadBack | None:
    """What the programme view shows of a shipped test: its latest read-back with an outcome,
    or, before the first one, its first read-back (pending or failed); None without a plan."""
    readbacks = readbacks_of(experiment)
    finished = [readback for readback in readbacks if readback.outcome]
    return finished[-1] if finished else next(iter(readbacks), None)
