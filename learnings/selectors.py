"""Finding learnings: full-text search with ranking and highlighted snippets, filters, related.

PostgreSQL ranks with weighted search vectors (title and learning first, post-mortem next,
hypothesis and audience last); SQLite, the demo's database, falls back to plain containment.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from dashboard.selectors import outputs_by_experiment
from experiments.models import Experiment, ExperimentMetric, MetricRole, Tag
from experiments.selectors import primary_links, primary_metric
from learnings.impact import measured_lift
from learnings.models import LearningLink
from metrics.models import Metric

CONFIG = "english"
RESULTS = {
    "won": Q(decision="ship"),
    "lost": Q(decision__in=["iterate", "abandon"]),
    "inconclusive": Q(decision="inconclusive"),
}
TEXT_FIELDS = (
    "title",
    "learning",
    "postmortem_what_happened",
    "postmortem_why",
    "postmortem_next_test",
    "hypothesis_insight",
    "hypothesis_change",
    "audience",
)
# ts_headline copies the text as written; these markers survive escaping, then become <mark>.
MARK_START, MARK_STOP = "\u0002", "\u0003"
RELATED_LIMIT = 5


@dataclass(frozen=True)
class LibraryFilters:
    q: str = ""
    team: str = ""
    channel: str = ""
    audience: str = ""
    metric: str = ""
    decision: str = ""
    result: str = ""
    tag: str = ""

    @classmethod
    def from_query(cls, query) -> "LibraryFilters":
        return cls(**{name: query.get(name, "").strip() for name in cls.__dataclass_fields__})


def full_text() -> bool:
    return connection.vendor == "postgresql"


def learnings() -> QuerySet[Experiment]:
    """Every concluded test with a written learning, with what a library entry shows."""
    links = Prefetch("later_evidence", queryset=LearningLink.objects.select_related("later_test"))
    return (
        Experiment.objects.filter(concluded_at__isnull=False)
        .exclude(learning="")
        .select_related("team", "owner", "idea")
        .prefetch_related("tags", primary_links(), links)
    )


def document() -> RawSQL:
    """Each test's weighted search document, stored by PostgreSQL in a generated column with a
    GIN index (learnings migration 0003: title and learning A, what happened and why B, the
    next test and the insight C, the change and the audience D)."""
    return RawSQL(
        f'"{Experiment._meta.db_table}"."learning_document"', [], output_field=SearchVectorField()
    )


def text_search(queryset: QuerySet[Experiment], text: str) -> QuerySet[Experiment]:
    """Best matches first with a highlighted snippet; plain containment on SQLite."""
    if not full_text():
        query = Q()
        for name in TEXT_FIELDS:
            query |= Q(**{f"{name}__icontains": text})
        return queryset.filter(query).order_by("-concluded_at")
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    headline = SearchHeadline(
        "learning",
        query,
        config=CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_words=40,
        min_words=15,
        highlight_all=True,
    )
    # ts_rank gives 1e-20, not 0, to rows that do not match: filter on the match itself.
    return (
        queryset.annotate(
            document=document(), rank=SearchRank(F("document"), query), snippet=headline
        )
        .filter(document=query)
        .order_by("-rank", "-concluded_at")
    )


def library(filters: LibraryFilters) -> QuerySet[Experiment]:
    queryset = learnings()
    if filters.team.isdigit():
        queryset = queryset.filter(team_id=int(filters.team))
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.audience:
        queryset = queryset.filter(audience__icontains=filters.audience)
    if filters.metric.isdigit():
        queryset = queryset.filter(
            experiment_metrics__metric_id=int(filters.metric), experiment_metrics__role="primary"
        )
    if filters.decision:
        queryset = queryset.filter(decision=filters.decision)
    if filters.result in RESULTS:
        queryset = queryset.filter(RESULTS[filters.result])
    if filters.tag:
        queryset = queryset.filter(tags__name=filters.tag.lower())
    if filters.q:
        return text_search(queryset, filters.q)
    return queryset.order_by("-concluded_at")


def related_text(obj) -> str:
    """The words of an idea or a test that earlier learnings should be matched against: its
    title, change and audience, its tags and (a test's) KPI node, so a test on the same node or
    tag meets the learnings there."""
    if isinstance(obj, Experiment):
        metric = primary_metric(obj)
        parts = [obj.title, obj.hypothesis_change, obj.audience, metric.name if metric else ""]
    else:
        parts = [obj.title, obj.proposed_change, obj.audience]
    parts += [tag.name for tag in obj.tags.all()] if obj.pk else []
    return " ".join(p for p in parts if p)


def related_learnings(obj) -> list[Experiment]:
    """Learnings that an idea or a test should meet before it is tested (again)."""
    exclude = obj.pk if isinstance(obj, Experiment) else None
    return similar_tests(related_text(obj), exclude_pk=exclude)


# Word similarity of the typed text to a title above which the title is a candidate: pg_trgm's
# default (0.6) misses reworded titles ("trust badge in checkout" for "Checkout trust badges").
TITLE_SIMILARITY = 0.3
# What a matching tag or KPI node adds to the score: as much as one of the words in the title
# or the learning (ts_rank of one match of weight A is 0.61), so naming the node counts like
# naming what was changed, and between equally worded tests the one on that node comes first.
TAG_WEIGHT = 0.6
NODE_WEIGHT = 0.6
WORD = re.compile(r"[^\W_]{4,}")


def _tokens(text: str) -> set[str]:
    # A crude stem (plural s) so "vouchers" meets "voucher" on SQLite, as the stemmer does on PG.
    return {w.lower().removesuffix("s") for w in WORD.findall(text)}


def similar_tests(text: str, exclude_pk: int | None = None, limit: int = RELATED_LIMIT):
    """Concluded tests most like ``text`` (an idea or hypothesis being written), best first.

    Each carries ``lift``: its primary metric's measured lift from the stored result
    (``learnings.impact.MeasuredLift``), or None when it has none. The decision is its own.

    PostgreSQL scores each test by the trigram word similarity of the text to its title
    (catches reworded titles and typos), plus the weighted full-text rank of any of the words
    in its title, hypothesis, learning and post-mortem, plus ``TAG_WEIGHT`` when one of its tags
    and ``NODE_WEIGHT`` when its KPI node (primary metric) is named in the text. SQLite, the
    demo's database, counts the words a test shares with the text, in the same fields.
    """
    words = sorted(_tokens(text))
    if not words:
        return []
    queryset = learnings()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    if full_text():
        found = _similar_postgres(queryset, text, limit)
    else:
        found = _similar_counted(queryset, set(words), limit)
    outputs = outputs_by_experiment(test.pk for test in found)
    for test in found:
        test.lift = measured_lift(outputs.get(test.pk, []))
    return found


@contextmanager
def title_threshold():
    """A transaction in which ``%>`` (``trigram_word_similar``) means similarity above
    ``TITLE_SIMILARITY``, and without JIT compilation: the planner's high cost of ranking a few
    thousand matches would compile it, which takes longer (~150 ms) than running it.
    set_config(…, true) is SET LOCAL, so the connection keeps its own settings."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true),"
            " set_config('jit', 'off', true)",
            [str(TITLE_SIMILARITY)],
        )
        yield


# Tests ranked in full per lookup: the best of the word matches by their rank alone (cheap on
# the stored document), so a common word matching thousands of tests costs no more.
CANDIDATES = 200


@dataclass(frozen=True)
class SimilarLookup:
    """The querysets of one PostgreSQL lookup; ``similar_tests`` runs them in this order."""

    by_words: QuerySet  # pks: the stored document holds any of the words, best rank first
    by_title: QuerySet  # pks: the text is like the title (typos, reworded); run in title_threshold
    scored: QuerySet  # every test with its score: rank + title similarity + labels
    by_label: QuerySet | None  # scored by labels alone: tests with a named tag or KPI node


def similar_lookup(text: str, queryset=None) -> SimilarLookup:
    """How PostgreSQL finds the tests most like ``text``.

    Candidates come from the two GIN indexes of migration 0003: the ``CANDIDATES`` best word
    matches by rank, and (when fewer than a page of words match) the titles like the text,
    whose trigram similarity is too costly to reckon on every match of a common word. They
    are scored by rank + the text's trigram word similarity to the title + ``TAG_WEIGHT`` and
    ``NODE_WEIGHT`` when the text names one of the test's tags or its KPI node. Tests matching
    only by a tag or node (thousands may measure one node) are scored by what the labels add,
    as a test that matches no word scores; the top of the union is then the overall top,
    since a text match missing from the top of the scored candidates is outscored there.
    """
    queryset = learnings() if queryset is None else queryset
    query = SearchQuery(" OR ".join(sorted(_tokens(text))), search_type="websearch", config=CONFIG)
    tag_ids = list(
        Tag.objects.annotate(document=SearchVector("name", config=CONFIG))
        .filter(document=query)
        .values_list("pk", flat=True)
    )
    node_ids = list(
        Metric.objects.annotate(document=SearchVector("name", config=CONFIG))
        .filter(document=query)
        .values_list("pk", flat=True)
    )
    tagged = Experiment.tags.through.objects.filter(tag_id__in=tag_ids)
    on_node = ExperimentMetric.objects.filter(metric_id__in=node_ids, role=MetricRole.PRIMARY)
    labels = {
        "tag_score": Case(
            When(Exists(tagged.filter(experiment_id=OuterRef("pk"))), then=Value(TAG_WEIGHT)),
            default=Value(0.0),
            output_field=FloatField(),
        ),
        "node_score": Case(
            When(Exists(on_node.filter(experiment_id=OuterRef("pk"))), then=Value(NODE_WEIGHT)),
            default=Value(0.0),
            output_field=FloatField(),
        ),
    }
    order = ("-score", "-concluded_at", "-pk")
    by_words = (
        queryset.annotate(document=document())
        .filter(document=query)
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-rank", "-pk")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    by_title = queryset.filter(title__trigram_word_similar=text).values_list("pk", flat=True)
    scored = (
        queryset.annotate(
            document=document(),
            rank=SearchRank(F("document"), query),
            title_similarity=TrigramWordSimilarity(text, "title"),
            **labels,
        )
        .annotate(score=F("title_similarity") + F("rank") + F("tag_score") + F("node_score"))
        .order_by(*order)
    )
    by_label = None
    if tag_ids or node_ids:
        by_label = (
            queryset.filter(
                Q(pk__in=tagged.values("experiment_id")) | Q(pk__in=on_node.values("experiment_id"))
            )
            .annotate(**labels)
            .annotate(score=F("tag_score") + F("node_score"))
            .order_by(*order)
        )
    return SimilarLookup(by_words[:CANDIDATES], by_title[:CANDIDATES], scored, by_label)


def _similar_postgres(queryset, text: str, limit: int) -> list[Experiment]:
    """Scores as plain values, merged; then one fetch of the winners with what a list shows."""
    lookup = similar_lookup(text, queryset)
    columns = ("pk", "score", "concluded_at")
    with title_threshold():
        candidates = list(lookup.by_words)
        if len(candidates) < limit:
            candidates += lookup.by_title
        found = {
            row[0]: row
            for row in lookup.scored.filter(pk__in=candidates).values_list(*columns)[:limit]
        }
        if lookup.by_label is not None:
            for row in lookup.by_label.values_list(*columns)[:limit]:
                found.setdefault(row[0], row)
    best = sorted(found.values(), key=lambda r: (-r[1], -r[2].timestamp(), -r[0]))[:limit]
    tests = queryset.in_bulk([pk for pk, _, _ in best])
    for pk, score, _ in best:
        tests[pk].score = score
    return [tests[pk] for pk, _, _ in best]


def _similar_counted(queryset, wanted: set[str], limit: int) -> list[Experiment]:
    """Words shared with the title count twice, with the rest of the test (tags, KPI node) once."""
    scored = []
    for test in queryset.order_by("-concluded_at"):
        labels = [tag.name for tag in test.tags.all()]
        labels += [link.metric.name for link in test.primary_links]
        fields = (test.title, test.hypothesis_insight, test.hypothesis_change, test.learning)
        own = _tokens(" ".join((*fields, *labels)))
        title = _tokens(test.title)
        score = 2 * len(wanted & title) + len(wanted & own)
        if score:
            scored.append((score, test))
    scored.sort(key=lambda pair: -pair[0])
    return [test for _, test in scored[:limit]]


def readbacks_finished(team_id: int, start, end) -> list:
    """Read-backs of the team's shipped tests that found held, faded or reversed in [start, end)."""
    from learnings.models import ReadBack

    rows = ReadBack.objects.filter(
        plan__experiment__team_id=team_id,
        finished_at__gte=start,
        finished_at__lt=end,
    ).exclude(outcome="")
    return list(rows.select_related("plan__experiment").order_by("finished_at", "id"))
