"""The similar-tests lookup and the library search are served by their GIN indexes.

A test database holds a few hundred tests, where a sequential scan is cheaper and PostgreSQL
rightly picks it; ``enable_seqscan`` and ``enable_indexscan`` off (inside the test's
transaction only) leave it bitmap scans of whichever index *can* serve the query, so the plan
shows whether the query is written so that the index serves it. At 20,000 tests the planner
picks them unforced (``benchmarks/similar_bench.py`` prints that plan).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from experiments.models import Experiment
from learnings.selectors import (
    LibraryFilters,
    library,
    rarest_lexemes,
    similar_lookup,
    similar_tests,
    title_threshold,
)
from tests.learnings.conftest import learning_make

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT_INDEX = "experiment_learning_document"
TITLE_INDEX = "experiment_title_trigram"
RECENT_INDEX = "experiment_learning_recent"


@pytest.fixture
def many(people):
    learning_make(people, 0, "Birthday voucher timing", "Vouchers sent early are redeemed more.")
    Experiment.objects.bulk_create(
        Experiment(
            team=people.team,
            title=f"Generated test {i} of the hero banner",
            learning="Nothing changed.",
            status=Experiment.Status.CONCLUDED,
            decision="inconclusive",
            started_at=Experiment.objects.first().started_at,
            concluded_at=Experiment.objects.first().concluded_at,
        )
        for i in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE experiments_experiment")


def plan_of(queryset) -> str:
    with connection.cursor() as cursor:
        # The recency index (migration 0005) holds every learning, so on a few hundred rows a
        # bitmap of it beats any other; without it the plan shows what serves the text.
        cursor.execute(f"DROP INDEX IF EXISTS {RECENT_INDEX}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # nor walk another index (team, primary key) row by row; bitmaps of any index remain
        cursor.execute("SET LOCAL enable_indexscan = off")
    return queryset.explain()


def test_the_document_column_and_both_indexes_exist_on_the_experiments_table(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'experiments_experiment'"
        )
        found = dict(cursor.fetchall())
        cursor.execute(
            "SELECT is_generated, generation_expression FROM information_schema.columns"
            " WHERE table_name = 'experiments_experiment' AND column_name = 'learning_document'"
        )
        generated, expression = cursor.fetchone()
    assert "USING gin (learning_document)" in found[DOCUMENT_INDEX]
    assert "gin_trgm_ops" in found[TITLE_INDEX]
    assert generated == "ALWAYS" and "to_tsvector" in expression


def test_the_similar_tests_candidates_come_from_both_gin_indexes(many):
    text = "when to send the birthday vouchers"
    lookup = similar_lookup(text)
    with title_threshold():
        words = plan_of(lookup.by_words)
        title = plan_of(lookup.by_title)
        run = plan_of(lookup.best)  # the one query a lookup runs, with both inside
    assert DOCUMENT_INDEX in words, words
    assert TITLE_INDEX in title, title
    assert DOCUMENT_INDEX in run and TITLE_INDEX in run, run
    assert similar_tests(text)[0].title == "Birthday voucher timing"


def test_with_statistics_the_word_candidates_come_from_the_rarer_words(many):
    # 300 of the 301 tests hold "hero" and "banner" (ANALYZE ran in the fixture): ranking each
    # of them would cost more than the rest of the lookup, and says nothing about vouchers.
    assert rarest_lexemes("birthday vouchers for the hero banner") == ["birthday", "voucher"]
    found = similar_tests("birthday vouchers for the hero banner")
    assert found[0].title == "Birthday voucher timing"


def test_without_statistics_every_word_finds_candidates(people, library):
    assert rarest_lexemes("birthday vouchers on the delivery date") == [
        "birthday",
        "date",
        "deliveri",
        "voucher",
    ]


def test_the_stored_document_follows_every_write_even_a_queryset_update(many):
    # The document is a generated column: no signal or save() keeps it in step.
    Experiment.objects.filter(title="Birthday voucher timing").update(
        title="Name day greeting", learning="Greetings on the name day were opened more."
    )
    assert similar_tests("birthday vouchers") == []
    assert similar_tests("name day greetings")[0].title == "Name day greeting"


def test_the_library_search_uses_the_document_index(many):
    plan = plan_of(library(LibraryFilters(q="vouchers")))
    assert DOCUMENT_INDEX in plan, plan


def test_a_changed_expression_would_not_use_the_index(many):
    # The check above can fail: a document built differently (another configuration) is not
    # the indexed expression, and the plan falls back to scanning.
    from django.contrib.postgres.search import SearchQuery, SearchVector

    queryset = Experiment.objects.annotate(
        document=SearchVector("title", "learning", config="simple")
    ).filter(document=SearchQuery("voucher", config="simple"))
    assert DOCUMENT_INDEX not in plan_of(queryset)


def test_sqlite_the_demo_database_still_migrates(tmp_path):
    # The indexes are PostgreSQL's own; the demo's SQLite must migrate past them untouched.
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "learnings", "--verbosity", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "learnings.0004_search_indexes... OK" in result.stdout, result.stdout[-2000:]
