"""The stored search document of every test, and GIN indexes on it and on the title's trigrams.

The library search and the similar-tests lookup filter by ``document @@ query OR title %> text``
and rank every match by ``ts_rank(document, query)``. Computed in the query, the document of
each match is built again for the rank: thousands of to_tsvector calls per keystroke at 20,000
tests. As a generated column PostgreSQL builds it once per write (so it cannot go stale, even
after a queryset ``update()``), and a GIN index on it finds the matches.

The column and indexes live on the experiments table but belong to the learnings app, whose
queries use them (``learnings.selectors.document``); the experiments model does not declare
the column, so Django never selects or writes it. Weights: title and learning A, what happened
and why B, the next test and the insight C, the change and the audience D.

SQLite, the demo's database, has neither tsvector nor pg_trgm: nothing to do there.
"""

from django.db import migrations

TABLE = "experiments_experiment"
PARTS = [
    ("A", ["title"]),
    ("A", ["learning"]),
    ("B", ["postmortem_what_happened", "postmortem_why"]),
    ("C", ["postmortem_next_test", "hypothesis_insight"]),
    ("D", ["hypothesis_change", "audience"]),
]


def document_sql() -> str:
    def text(columns: list[str]) -> str:
        return " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)

    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, {text(columns)}), '{weight}')"
        for weight, columns in PARTS
    )


CREATE = [
    f"ALTER TABLE {TABLE} ADD COLUMN learning_document tsvector "
    f"GENERATED ALWAYS AS ({document_sql()}) STORED",
    f"CREATE INDEX experiment_learning_document ON {TABLE} USING gin (learning_document)",
    f"CREATE INDEX experiment_title_trigram ON {TABLE} USING gin (title gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS experiment_title_trigram",
    "DROP INDEX IF EXISTS experiment_learning_document",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS learning_document",
]


def run(statements: list[str]):
    def operation(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("learnings", "0003_readbacks"),
        ("experiments", "0009_business_case"),
    ]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
