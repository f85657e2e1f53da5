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
    Expression,
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
from learnings.models import LearningLink, ReadBack
from learnings.readbacks import readbacks_prefetch
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
        .prefetch_related("tags", primary_links(), links, *readbacks_prefetch())
    )


class StoredDocument(Expression):
    """Each test's weighted search document, stored by PostgreSQL in a generated column with a
    GIN index (learnings migration 0004: title and learning A, what happened and why B, the
    next test and the insight C, the change and the audience D). The model does not declare
    the column; this names it on the query's own alias of the table, so a lookup used as a
    subquery reads its own rows."""

    output_field = SearchVectorField()
    column = "learning_document"

    def __init__(self, alias: str | None = None):
        super().__init__()
        self.alias = alias

    def resolve_expression(self, query=None, *args, **kwargs):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def relabeled_clone(self, change_map):
        return StoredDocument(change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(self.alias)
        return f"{table}.{connection.ops.quote_name(self.column)}", []


def document() -> StoredDocument:
    return StoredDocument()


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


# What a random read of a page costs against a sequential one, for the lookup's plan. A
# GrowthLab database is small enough to sit in memory, where both cost about the same; with
# PostgreSQL's default (4) the plan reads every test to find the thousand on a named KPI node
# by id, at several times the cost.
RANDOM_PAGE_COST = 1.1


@contextmanager
def title_threshold():
    """A transaction in which ``%>`` (``trigram_word_similar``) means similarity above
    ``TITLE_SIMILARITY``, random reads cost ``RANDOM_PAGE_COST``, and without JIT compilation:
    the planner's high cost of ranking a few thousand matches would compile it, which takes
    longer (~150 ms) than running it. set_config(…, true) is SET LOCAL, so the connection
    keeps its own settings."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true),"
            " set_config('random_page_cost', %s, true), set_config('jit', 'off', true)",
            [str(TITLE_SIMILARITY), str(RANDOM_PAGE_COST)],
        )
        yield


# Tests ranked in full per lookup: the best of the word matches by their rank alone (cheap on
# the stored document), so a common word matching thousands of tests costs no more.
CANDIDATES = 200
SCORED = ("pk", "score", "concluded_at")


@dataclass(frozen=True)
class SimilarLookup:
    """The querysets of one PostgreSQL lookup; ``best`` is the one ``similar_tests`` runs (in
    ``title_threshold``), with the other two inside it."""

    by_words: QuerySet  # pks: the stored document holds any of the words, best rank first
    by_title: QuerySet  # pks: the text is like the title (typos, reworded)
    best: QuerySet  # (pk, score, concluded_at): the best-scored candidates, the best labelled


def similar_lookup(text: str, queryset=None, limit: int = RELATED_LIMIT) -> SimilarLookup:
    """How PostgreSQL finds the tests most like ``text``, in one query.

    Candidates come from the two GIN indexes of migration 0004: the ``CANDIDATES`` best word
    matches by rank, and (when fewer than ``limit`` tests match a word) the titles like the
    text, whose trigram similarity is too costly to reckon on every match of a common word.
    They are scored by rank + the text's trigram word similarity to the title + ``TAG_WEIGHT``
    and ``NODE_WEIGHT`` when the text names one of the test's tags or its KPI node. Tests
    matching only by a tag or node (thousands may measure one node) are scored by what the
    labels add, as a test that matches no word scores; the top of the union is then the
    overall top, since a text match missing from the top of the scored candidates is
    outscored there. The tags and nodes named are found inside the query, not before it.
    """
    queryset = learnings() if queryset is None else queryset
    query = SearchQuery(" OR ".join(sorted(_tokens(text))), search_type="websearch", config=CONFIG)
    tag_ids, node_ids = labels_named(query)
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
    matching = queryset.annotate(document=document()).filter(document=query)
    rare = SearchQuery(" | ".join(rarest_lexemes(text)), search_type="raw", config="simple")
    by_words = (
        queryset.annotate(document=document())
        .filter(document=rare)
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-rank", "-pk")
        .values_list("pk", flat=True)
    )
    by_title = queryset.filter(title__trigram_word_similar=text).values_list("pk", flat=True)
    # A condition on no row: PostgreSQL tests it once and skips the title scan when it fails.
    few_words = ~Exists(matching.order_by()[limit - 1 : limit])
    candidates = by_words[:CANDIDATES].union(by_title.filter(few_words)[:CANDIDATES])
    scored = (
        queryset.filter(pk__in=candidates)
        .annotate(
            document=document(),
            rank=SearchRank(F("document"), query),
            title_similarity=TrigramWordSimilarity(text, "title"),
            **labels,
        )
        .annotate(score=F("title_similarity") + F("rank") + F("tag_score") + F("node_score"))
        .order_by(*order)
    )
    best = scored.values_list(*SCORED)[:limit]
    if tag_ids or node_ids:
        labelled = (
            queryset.filter(pk__in=recently_labelled(queryset, tagged, on_node, limit))
            .annotate(**labels)
            .annotate(score=F("tag_score") + F("node_score"))
            .order_by(*order)
        )
        best = best.union(labelled.values_list(*SCORED)[:limit], all=True).order_by()
    return SimilarLookup(by_words[:CANDIDATES], by_title[:CANDIDATES], best)


# The word candidates come from the text's rarest words, as many as together are held by about
# this share of the tests: a common word ("page", "customer") holds thousands, all of which
# would be ranked, while the tests most like the text share its rarer words with it too.
RARE_SHARE = 0.15
RARE_AT_LEAST = 2  # "order conversion": the rare word alone would miss the tests on orders
LEXEME_SHARES = f"""
WITH listed AS (
    SELECT element, share FROM pg_stats,
        unnest(most_common_elems::text::text[], most_common_elem_freqs) AS common(element, share)
    WHERE schemaname = current_schema() AND tablename = %s AND attname = %s
)
SELECT lexeme, (SELECT share FROM listed WHERE element = lexeme), EXISTS (SELECT FROM listed)
FROM unnest(tsvector_to_array(to_tsvector('{CONFIG}', %s))) AS word(lexeme)
"""


def rarest_lexemes(text: str) -> list[str]:
    """The stems of the text's words that find its word candidates, rarest first.

    How many tests hold each stem comes from PostgreSQL's statistics of the stored document
    (``most_common_elems``, kept by ANALYZE and autovacuum); a stem it does not list is rarer
    than those it does. Without statistics (a table never analysed) every stem is used.
    """
    with connection.cursor() as cursor:
        cursor.execute(LEXEME_SHARES, [Experiment._meta.db_table, StoredDocument.column, text])
        rows = cursor.fetchall()
    if not rows or not rows[0][2]:
        return sorted(lexeme for lexeme, _, _ in rows)
    chosen, held = [], 0.0
    for lexeme, share in sorted(((lex, share or 0.0) for lex, share, _ in rows), key=_by_share):
        if len(chosen) >= RARE_AT_LEAST and held + share > RARE_SHARE:
            break
        chosen.append(lexeme)
        held += share
    return chosen


def _by_share(pair: tuple[str, float]) -> tuple[float, str]:
    return pair[1], pair[0]


def recently_labelled(queryset, tagged, on_node, limit: int) -> QuerySet:
    """The pks among which the best ``limit`` by the labels' score are: the labels score the
    tests on a named tag or node alike, so they are the most recently concluded of those on
    both and of those on each (index walks of migration 0005 that stop at the first few)."""
    recent = queryset.order_by("-concluded_at", "-pk").values_list("pk", flat=True)
    on_tag = recent.filter(pk__in=tagged.values("experiment_id"))
    on_a_node = recent.filter(pk__in=on_node.values("experiment_id"))
    on_both = on_tag.filter(pk__in=on_node.values("experiment_id"))
    return on_both[:limit].union(on_tag[:limit], on_a_node[:limit])


def labels_named(query: SearchQuery) -> tuple[list[int], list[int]]:
    """The tags and the KPI nodes (metrics) whose names hold one of the words, in one query."""
    named = SearchVector("name", config=CONFIG)
    tags = Tag.objects.annotate(document=named, is_tag=Value(True))
    nodes = Metric.objects.annotate(document=named, is_tag=Value(False))
    rows = (
        tags.filter(document=query)
        .values_list("is_tag", "pk")
        .union(nodes.filter(document=query).values_list("is_tag", "pk"), all=True)
        .order_by()
    )
    named = list(rows)
    return [pk for is_tag, pk in named if is_tag], [pk for is_tag, pk in named if not is_tag]


def listed(pks) -> dict[int, Experiment]:
    """The tests of a similar-tests list by pk, with what the list and the API show."""
    queryset = Experiment.objects.select_related("team", "owner")
    return queryset.prefetch_related("tags", primary_links(), *readbacks_prefetch()).in_bulk(pks)


def _similar_postgres(queryset, text: str, limit: int) -> list[Experiment]:
    """The scores of the best in one query; then one fetch of the winners with what a list
    shows. A test both scored and labelled keeps its full score (the larger)."""
    with title_threshold():
        rows = list(similar_lookup(text, queryset, limit).best)
    scores = {}
    for pk, score, concluded_at in rows:
        scores[pk] = max(score, scores.get(pk, (score,))[0]), concluded_at
    best = sorted(scores, key=lambda pk: (-scores[pk][0], -scores[pk][1].timestamp(), -pk))
    best = best[:limit]
    tests = listed(best)
    for pk in best:
        tests[pk].score = scores[pk][0]
    return [tests[pk] for pk in best]


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
    rows = ReadBack.objects.filter(
        plan__experiment__team_id=team_id,
        finished_at__gte=start,
        finished_at__lt=end,
    ).exclude(outcome="")
    return list(rows.select_related("plan__experiment").order_by("finished_at", "id"))
