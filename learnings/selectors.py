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


def search_vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("learning", weight="A", config=CONFIG)
        + SearchVector("postmortem_what_happened", "postmortem_why", weight="B", config=CONFIG)
        + SearchVector("postmortem_next_test", "hypothesis_insight", weight="C", config=CONFIG)
        + SearchVector("hypothesis_change", "audience", weight="D", config=CONFIG)
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
    vector = search_vector()
    return (
        queryset.annotate(document=vector, rank=SearchRank(vector, query), snippet=headline)
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
# What a matching tag or KPI node adds to the score: a title twice as similar weighs more, but
# between two equally worded tests the one on the same tag or node comes first.
TAG_WEIGHT = 0.2
NODE_WEIGHT = 0.2
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
    ``TITLE_SIMILARITY``; set_config(…, true) is SET LOCAL, so the connection keeps its own."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(TITLE_SIMILARITY)],
        )
        yield


def similar_querysets(text: str, queryset=None) -> tuple[QuerySet, QuerySet | None]:
    """The two candidate sets of the PostgreSQL lookup, scored alike, best first.

    By text: the words in the search document or the text like the title, a BitmapOr of the
    two GIN indexes of migration 0003 (run it inside ``title_threshold``). By label: a tag or
    the KPI node named in the text (None when none is); kept apart because an OR across the
    join would make PostgreSQL read every test's document. A test in both has the same score
    in each, so the top of their union is the overall top.
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
    vector = search_vector()
    scored = queryset.annotate(
        document=vector,
        rank=SearchRank(vector, query),
        title_similarity=TrigramWordSimilarity(text, "title"),
        tag_score=Case(
            When(Exists(tagged.filter(experiment_id=OuterRef("pk"))), then=Value(TAG_WEIGHT)),
            default=Value(0.0),
            output_field=FloatField(),
        ),
        node_score=Case(
            When(Exists(on_node.filter(experiment_id=OuterRef("pk"))), then=Value(NODE_WEIGHT)),
            default=Value(0.0),
            output_field=FloatField(),
        ),
        score=F("title_similarity") + F("rank") + F("tag_score") + F("node_score"),
    ).order_by("-score", "-concluded_at", "-pk")
    by_text = scored.filter(Q(document=query) | Q(title__trigram_word_similar=text))
    if not (tag_ids or node_ids):
        return by_text, None
    by_label = scored.filter(
        Q(pk__in=tagged.values("experiment_id")) | Q(pk__in=on_node.values("experiment_id"))
    )
    return by_text, by_label


def _similar_postgres(queryset, text: str, limit: int) -> list[Experiment]:
    by_text, by_label = similar_querysets(text, queryset)
    with title_threshold():
        found = {test.pk: test for test in by_text[:limit]}
        for test in by_label[:limit] if by_label is not None else []:
            found.setdefault(test.pk, test)
    ordered = sorted(found.values(), key=lambda t: (-t.score, -t.concluded_at.timestamp(), -t.pk))
    return ordered[:limit]


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
