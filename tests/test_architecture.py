"""Which app may import which: the layers, checked by reading the imports (no Django needed).

Bottom to top; a module may import from its own layer's node and from any node below it:

0. ``growthlab`` (settings, Celery app, ``rest/`` and ``web/`` plumbing) and ``metrics.stats``
   (the pure statistics engine): they know no app.
1. ``jobs`` (the claim, heartbeat and watchdog every kind of work shares) and ``accounts``
   (people, teams, roles, who may change what).
2. ``metrics``, the catalogue: metrics, their KPI tree, the metric page and form.
3. ``experiments``: ideas, experiments, variants, the metrics attached to them, lifecycle.
4. ``metrics.outcomes``: the rest of ``metrics/``, outcome data of experiments (files, counts,
   SQL sources, pushed aggregates, their API, pages, tasks and command).
5. ``analysis``: analysis runs over an experiment's outcome data, and their stored results.
6. ``dashboard``: the results page, charts, badges, the calculator.
7. ``sprints`` and ``learnings``, which read experiments and their results.
8. ``notifications``: alerts raised after analyses and loads, follows, deliveries; it hears
   of finished jobs through ``jobs.signals.job_done`` and fills page slots
   (``growthlab.web.slots``), so no lower app imports it.
9. ``digests``: weekly digests, the stakeholder view and its share links, which read
   experiments, their results, sprints and learnings, and the alerts held for the digest.
10. ``demo``: the demo organisation, written through every app's services.

An arrow against this order is refused unless ``ALLOWED_UPWARD`` names it with the reason it
is still there; that list only shrinks (an entry no import needs any more fails too), so no new
cycle between apps can appear. Imports inside functions count: moving an import into a function
hides an arrow from Python's import order, not from the design.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS = {
    "growthlab": 0,
    "metrics.stats": 0,
    "jobs": 1,
    "accounts": 1,
    "metrics": 2,
    "experiments": 3,
    "metrics.outcomes": 4,
    "analysis": 5,
    "dashboard": 6,
    "sprints": 7,
    "learnings": 7,
    "digests": 9,
    "notifications": 8,
    "demo": 10,
}
# The metric catalogue's modules; every other module of metrics/ but stats/ is outcome data.
# (metrics/models.py also holds the outcome tables; they name experiments by string only.)
METRIC_CATALOGUE = {
    "metrics",
    "metrics.admin",
    "metrics.apps",
    "metrics.forms",
    "metrics.models",
    "metrics.selectors",
    "metrics.services",
    "metrics.views",
}
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}
SKIPPED_DIRECTORIES = {"migrations", "__pycache__"}


def node_of(module: str) -> str | None:
    top = module.split(".")[0]
    if top == "metrics":
        if module == "metrics.stats" or module.startswith("metrics.stats."):
            return "metrics.stats"
        return "metrics" if module in METRIC_CATALOGUE else "metrics.outcomes"
    return top if top in LAYERS else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, ``from a import b`` as ``a.b`` when b is
    a module, relative imports resolved against the file's package."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if is_module(candidate) else base))
    return found


def app_arrows() -> dict[tuple[str, str], list[str]]:
    """Every arrow between two nodes, with the file:line of each import that draws it."""
    arrows: dict[tuple[str, str], list[str]] = {}
    for top in sorted({name.split(".")[0] for name in LAYERS}):
        for path in sorted((ROOT / top).rglob("*.py")):
            if SKIPPED_DIRECTORIES.intersection(path.relative_to(ROOT).parts):
                continue
            module = module_name(path)
            source = node_of(module)
            for line, imported in imported_modules(path, module):
                target = node_of(imported)
                if target and target != source:
                    where = f"{path.relative_to(ROOT)}:{line} imports {imported}"
                    arrows.setdefault((source, target), []).append(where)
    return arrows


def test_every_app_has_a_layer():
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks"}
    }
    assert packages <= {name.split(".")[0] for name in LAYERS}, (
        "Give each new app its place in LAYERS (and the README's layout table)."
    )


def test_no_arrow_against_the_layers():
    refused = [
        f"{source} (layer {LAYERS[source]}) -> {target} (layer {LAYERS[target]}): {where[0]}"
        for (source, target), where in sorted(app_arrows().items())
        if LAYERS[target] >= LAYERS[source] and (source, target) not in ALLOWED_UPWARD
    ]
    assert not refused, "Imports against the layers:\n" + "\n".join(refused)


def test_allowed_upward_arrows_are_still_needed():
    arrows = app_arrows()
    stale = [
        f"{source} -> {target}"
        for source, target in ALLOWED_UPWARD
        if (source, target) not in arrows
    ]
    assert not stale, (
        "No import needs these any more; remove them from ALLOWED_UPWARD: " + ", ".join(stale)
    )


def cycle_in(arrows: set[tuple[str, str]]) -> list[str]:
    """One cycle of the graph as its nodes in order, or [] when there is none."""
    following: dict[str, list[str]] = {}
    for source, target in sorted(arrows):
        following.setdefault(source, []).append(target)
    path: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str]:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return []
        path.append(node)
        for target in following.get(node, []):
            if found := visit(target):
                return found
        path.pop()
        done.add(node)
        return []

    for node in sorted(following):
        if found := visit(node):
            return found
    return []


def test_no_cycle_between_apps_beyond_the_allowed_arrows():
    cycle = cycle_in(set(app_arrows()) - set(ALLOWED_UPWARD))
    assert not cycle, "Import cycle between apps: " + " -> ".join(cycle)


def test_a_cycle_is_found():
    assert cycle_in({("a", "b"), ("b", "c"), ("c", "a")}) == ["a", "b", "c", "a"]
    assert cycle_in({("a", "b"), ("b", "c"), ("a", "c")}) == []


def test_the_walk_sees_function_level_and_from_imports(tmp_path):
    """An arrow hidden in a function, or spelled ``from a import b``, is still an arrow."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from metrics import stats\n\n\ndef f():\n    from dashboard import results\n"
    )
    modules = {name for _, name in imported_modules(sample, "sample")}
    assert modules == {"metrics.stats", "dashboard.results"}
    assert {node_of(name) for name in modules} == {"metrics.stats", "dashboard"}
