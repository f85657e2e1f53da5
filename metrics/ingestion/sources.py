"""SQL data sources: credentials encrypted at rest, queries attached to experiments, refreshes.

The connection URL holds the warehouse password, so it is stored as a Fernet token under
settings.DATA_SOURCE_KEY and decrypted only where a query runs; pages show it with the user
name and password replaced by ***.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from experiments.models import Experiment
from metrics.ingestion.mapping import mapping_from_json
from metrics.ingestion.services import data_load_create
from metrics.ingestion.vault import url_decrypt, url_encrypt
from metrics.models import DataLoad, DataSource, ExperimentQuery

BAD_URL = _("This is not a connection URL (dialect://user:password@host:port/database).")
NOT_RUNNING = _("Only a running experiment pulls its data.")
NO_QUERY = _("This experiment has no SQL source attached.")
QUERY_NOT_SELECT = _("The query must be a single SELECT (or WITH … SELECT) statement.")
SOURCE_IN_USE = _("These experiments pull their data from this source: {titles}.")


def url_shown(source: DataSource) -> str:
    """The connection as a page may show it: dialect, host and database, no credentials."""
    try:
        url = make_url(url_decrypt(source.url_encrypted))
    except (ValidationError, ArgumentError):
        return "—"
    bare = URL.create(url.drivername, host=url.host, port=url.port, database=url.database)
    bare = bare.render_as_string()
    return bare.replace("://", "://***@", 1) if url.username else bare


def url_check(url: str) -> str:
    try:
        make_url(url)
    except (ArgumentError, ValueError) as error:
        raise ValidationError(BAD_URL) from error
    return url


def data_source_save(*, source: DataSource, url: str | None, user) -> DataSource:
    """Create or update a source; an empty `url` on an update keeps the saved connection."""
    if url:
        source.url_encrypted = url_encrypt(url_check(url))
    elif not source.url_encrypted:
        raise ValidationError(BAD_URL)
    if source.pk is None:
        source.created_by = user
    source.full_clean()
    source.save()
    return source


def data_source_delete(*, source: DataSource) -> None:
    """Delete a source; raise ValidationError naming the experiments that still pull from it."""
    try:
        source.delete()
    except ProtectedError as error:
        titles = sorted(query.experiment.title for query in error.protected_objects)
        raise ValidationError(SOURCE_IN_USE.format(titles="; ".join(titles))) from error


def query_check(query: str) -> str:
    text = query.strip().rstrip(";").strip()
    first = text.split(None, 1)[0].lower() if text else ""
    if first not in ("select", "with") or ";" in text:
        raise ValidationError(QUERY_NOT_SELECT)
    return text


def experiment_query_save(
    *, experiment: Experiment, source: DataSource, query: str, mapping: dict, user
) -> ExperimentQuery:
    """Attach (or change) the experiment's SQL source; the mapping is checked like an upload's."""
    mapping_from_json(experiment, mapping)
    attached, _ = ExperimentQuery.objects.update_or_create(
        experiment=experiment,
        defaults={
            "source": source,
            "query": query_check(query),
            "mapping": mapping,
            "updated_by": user,
        },
    )
    return attached


def sql_refresh(*, experiment: Experiment, user) -> DataLoad:
    """Enqueue a pull of the experiment's SQL source; one already waiting is returned instead."""
    if experiment.status != Experiment.Status.RUNNING:
        raise ValidationError(NOT_RUNNING)
    if not ExperimentQuery.objects.filter(experiment=experiment).exists():
        raise ValidationError(NO_QUERY)
    return data_load_create(experiment=experiment, user=user, kind=DataLoad.Kind.SQL)


def sql_refresh_all() -> int:
    """Enqueue a pull for every running experiment with a SQL source; return how many."""
    running = Experiment.objects.filter(
        status=Experiment.Status.RUNNING, outcome_query__isnull=False
    )
    count = 0
    for experiment in running:
        with transaction.atomic():
            sql_refresh(experiment=experiment, user=None)
        count += 1
    return count
