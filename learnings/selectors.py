"""Finding learnings: full-text search with ranking and highlighted snippets, filters, related.

PostgreSQL ranks with weighted search vectors (title and learning first, post-mortem next,
hypothesis and audience last); SQLite, the demo's database, falls back to plain containment.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from experiments.models import Experiment
from experiments.selectors import primary_links
from learnings.models import LearningLink

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
    """The words of an idea or a test that earlier learnings should be matched against."""
    if isinstance(obj, Experiment):
        parts = (obj.title, obj.hypothesis_change, obj.audience)
    else:
        parts = (obj.title, obj.proposed_change, obj.audience)
    return " ".join(p for p in parts if p)


def related_learnings(obj) -> list[Experiment]:
    """Learnings that an idea or a test should meet before it is tested (again)."""
    exclude = obj.pk if isinstance(obj, Experiment) else None
    return similar_tests(related_text(obj), exclude_pk=exclude)


# Trigram similarity of the typed words to a title; below this a title is a different test.
TITLE_SIMILARITY = 0.3
WORD = re.compile(r"[^\W_]{4,}")


def _tokens(text: str) -> set[str]:
    # A crude stem (plural s) so "vouchers" meets "voucher" on SQLite, as the stemmer does on PG.
    return {w.lower().removesuffix("s") for w in WORD.findall(text)}


def similar_tests(text: str, exclude_pk: int | None = None, limit: int = RELATED_LIMIT):
    """Concluded tests most like ``text`` (an idea or hypothesis being written), best first.

    PostgreSQL ranks by trigram word similarity to the title (catches reworded titles and typos)
    plus the weighted full-text rank of any of the words; SQLite, the demo's database, counts
    the words a learning shares with the text.
    """
    words = sorted(_tokens(text))
    if not words:
        return []
    queryset = learnings()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    if full_text():
        query = SearchQuery(" OR ".join(words), search_type="websearch", config=CONFIG)
        vector = search_vector()
        ranked = queryset.annotate(
            document=vector,
            rank=SearchRank(vector, query),
            title_similarity=TrigramWordSimilarity(text, "title"),
        ).filter(Q(document=query) | Q(title_similarity__gt=TITLE_SIMILARITY))
        score = (F("title_similarity") + F("rank")).desc()
        return list(ranked.order_by(score, "-concluded_at")[:limit])
    wanted = set(words)
    scored = []
    for test in queryset.order_by("-concluded_at"):
        own = _tokens(" ".join((test.title, test.hypothesis_change, test.learning)))
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
