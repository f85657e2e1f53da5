"""The concluded tests with a learning, most recently concluded first, in an index.

The similar-tests lookup takes the most recently concluded of the tests on a named tag or KPI
node (thousands may measure one node): walking this index it stops at the first few on them,
where without it every test on the node is read and sorted. The library lists the same tests
in the same order. The predicate is that of ``learnings.selectors.learnings``, so the planner
knows that the index holds every row those queries read.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX experiment_learning_recent ON experiments_experiment"
    " (concluded_at DESC, id DESC) WHERE concluded_at IS NOT NULL AND learning <> ''"
)
DROP = "DROP INDEX IF EXISTS experiment_learning_recent"


def run(statement: str):
    def operation(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("learnings", "0004_search_indexes")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
