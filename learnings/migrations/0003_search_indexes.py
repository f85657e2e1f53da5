"""GIN indexes for finding learnings: the weighted search document and trigrams of the title.

The library search and the similar-tests lookup filter concluded tests by
``document @@ query OR title %> text``; without these, PostgreSQL computes every test's search
document for each keystroke. The document's expression is written out here as
``learnings.selectors.search_vector`` builds it, because an expression index serves only a
query whose expression is the same (``tests/learnings/test_search_indexes.py`` runs EXPLAIN on
the real query, so a change on one side and not the other fails there).

The index lives on the experiments table but belongs to the learnings app, whose queries need
it. SQLite, the demo's database, has neither tsvector nor pg_trgm: nothing to do there.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"


def indexes() -> list[GinIndex]:
    document = (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("learning", weight="A", config=CONFIG)
        + SearchVector("postmortem_what_happened", "postmortem_why", weight="B", config=CONFIG)
        + SearchVector("postmortem_next_test", "hypothesis_insight", weight="C", config=CONFIG)
        + SearchVector("hypothesis_change", "audience", weight="D", config=CONFIG)
    )
    return [
        GinIndex(document, name="experiment_learning_document"),
        GinIndex(OpClass("title", name="gin_trgm_ops"), name="experiment_title_trigram"),
    ]


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("experiments", "Experiment")
    for index in indexes():
        schema_editor.execute(index.create_sql(model, schema_editor))


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("experiments", "Experiment")
    for index in indexes():
        schema_editor.execute(index.remove_sql(model, schema_editor))


class Migration(migrations.Migration):
    dependencies = [
        ("learnings", "0002_trigram_extension"),
        ("experiments", "0009_business_case"),
    ]
    operations = [migrations.RunPython(create, drop)]
