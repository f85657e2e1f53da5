"""Similar past tests with 20,000 concluded tests in PostgreSQL: server time of the lookup.

A database of its own (growthlab_bench_similar, created and dropped here) holds the demo data
plus 20,000 generated concluded tests with a learning, a hypothesis, up to two of 30 tags and
a primary metric (one of the demo's KPI nodes), each with a stored analysis copied from a demo
result (so every lift shown is a real engine answer). Titles combine an action, one of 60
page elements and one of 20 places (a catalogue's worth of different tests, not 20,000 copies).

Then, in-process and after one warm-up of each text:

- the lookup: ``learnings.selectors.similar_tests`` (every query, the lifts read back);
- the endpoint: ``GET /api/v1/learnings/similar/`` through the Django test client (the
  lookup plus authentication, validation and JSON), which is the form's server time;

each over 12 texts (reworded titles, a typed hypothesis, a tag, a KPI node, a typo), 10 times
each; median and 95th percentile. Target: the endpoint's median and p95 under 50 ms. The plan
of one lookup's text query is printed, to show which indexes it uses.

    .venv/bin/python benchmarks/similar_bench.py
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres:postgres@127.0.0.1:5432/growthlab_bench_similar"
GENERATED = 20_000
REPEATS = 10
TARGET_MS = 50.0
ACTIONS = [
    "Show",
    "Move",
    "Remove",
    "Shorten",
    "Personalise",
    "Highlight",
    "Simplify",
    "Animate",
    "Reorder",
    "Enlarge",
    "Hide",
    "Translate",
    "Test a new",
    "Add a",
    "Rewrite the",
]
ELEMENTS = [
    "delivery date",
    "free shipping threshold",
    "trust badges",
    "birthday voucher",
    "onboarding e-mail",
    "push reminder",
    "search autocomplete",
    "loyalty points banner",
    "price anchoring",
    "newsletter subject",
    "store pickup option",
    "size guide",
    "product video",
    "customer reviews",
    "star rating",
    "sticky header",
    "cart summary",
    "express checkout",
    "guest checkout",
    "payment icons",
    "return policy",
    "countdown timer",
    "low stock warning",
    "bundle offer",
    "cross-sell carousel",
    "wishlist button",
    "referral bonus",
    "live chat",
    "exit survey",
    "hero image",
    "category filter",
    "sorting default",
    "gift wrapping",
    "discount code field",
    "welcome discount",
    "abandoned cart e-mail",
    "price drop alert",
    "recently viewed list",
    "recommendation widget",
    "social proof counter",
    "order tracking link",
    "membership upsell",
    "first purchase coupon",
    "photo zoom",
    "colour swatches",
    "back in stock alert",
    "app install banner",
    "cookie banner",
    "language picker",
    "currency switch",
    "delivery options",
    "payment by invoice",
    "instalment plan",
    "sustainability label",
    "brand story",
    "quiz finder",
    "comparison table",
    "faq accordion",
    "order confirmation page",
    "unsubscribe page",
]
PLACES = [
    "product page",
    "checkout",
    "cart",
    "home page",
    "app start screen",
    "category page",
    "search results",
    "order confirmation",
    "account page",
    "welcome e-mail",
    "weekly newsletter",
    "push notification",
    "mobile web",
    "tablet app",
    "landing page",
    "store locator",
    "sign-up form",
    "login page",
    "help centre",
    "gift guide",
]
TAGS = [
    "mobile",
    "pricing",
    "trust",
    "retention",
    "onboarding",
    "checkout",
    "personalisation",
    "copy",
    "layout",
    "speed",
    "loyalty",
    "email",
    "push",
    "seasonal",
    "nordics",
    "benelux",
    "premium",
    "discount",
    "social-proof",
    "urgency",
    "navigation",
    "search",
    "delivery",
    "returns",
    "payments",
    "accessibility",
    "imagery",
    "video",
    "reviews",
    "gifting",
]
TEXTS = [
    "show the delivery dates on product pages",  # reworded title
    "when to send the birthday vouchers",
    "trust badge in the checkout",
    "free shipping threshold in the cart",
    "autocompletion in site search",
    "shorter onboarding emails for new members",
    "Because we saw many carts abandoned at the delivery step, we believe that showing "
    "the delivery options earlier will lift order conversion for returning customers",
    "social-proof",  # a tag
    "order conversion",  # a KPI node
    "countdwon timer on landing pgae",  # typos
    "gift wrapping",
    "express checkout with payment by invoice",
]


def database_create(url: str) -> None:
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def generated_seed() -> None:
    """20,000 concluded tests with learnings, tags, a primary metric and a copied result."""
    from django.db.models import Count, F
    from django.utils import timezone

    from accounts.models import Team, User
    from analysis.models import AnalysisResult, AnalysisRun
    from benchmarks.api_bench import result_copy
    from experiments.models import Experiment, ExperimentMetric, Tag, Variant
    from metrics.models import Metric

    two_variants = (
        AnalysisResult.objects.filter(run__status="succeeded", role="primary")
        .values("run_id")
        .annotate(variants=Count("variant_id", distinct=True))
        .filter(variants=2)
        .order_by("run_id")
    )
    sample = two_variants.values_list("run_id", flat=True).first()
    template = list(AnalysisResult.objects.filter(run_id=sample, role="primary"))
    if not template:
        raise RuntimeError("The demo has no analysed two-variant test to copy")
    rng = random.Random(20)
    teams = list(Team.objects.order_by("id"))
    owner = User.objects.order_by("id").first()
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
    now = timezone.now()
    tests = []
    for i in range(GENERATED):
        action, element, place = rng.choice(ACTIONS), rng.choice(ELEMENTS), rng.choice(PLACES)
        concluded = now - timedelta(days=rng.randint(1, 900), minutes=i)
        tests.append(
            Experiment(
                team=rng.choice(teams),
                owner=owner,
                title=f"{action} {element} on the {place}",
                hypothesis_insight=f"Visitors on the {place} ask about the {element}.",
                hypothesis_change=f"{action.lower()} {element} on the {place}",
                audience=rng.choice(["New members", "Returning customers", "All visitors"]),
                learning=rng.choice(
                    [
                        f"The {element} on the {place} lifted orders a little.",
                        f"Nobody noticed the {element}; the {place} converts as before.",
                        f"The {element} helped on mobile but not on desktop.",
                        f"Changing the {element} raised complaints to customer service.",
                    ]
                ),
                status=Experiment.Status.CONCLUDED,
                decision=rng.choice(["ship", "iterate", "abandon", "inconclusive"]),
                started_at=concluded - timedelta(days=21),
                concluded_at=concluded,
            )
        )
    tests = Experiment.objects.bulk_create(tests, batch_size=2000)
    through = Experiment.tags.through
    through.objects.bulk_create(
        (
            through(experiment_id=test.pk, tag_id=tag.pk)
            for test in tests
            for tag in rng.sample(tags, rng.randint(0, 2))
        ),
        batch_size=5000,
    )
    variants = {
        (v.experiment_id, v.name): v
        for v in Variant.objects.bulk_create(
            (
                Variant(experiment=e, name=n, is_control=n == "A", traffic_share=50)
                for e in tests
                for n in "AB"
            ),
            batch_size=5000,
        )
    }
    # Each test's KPI node is one of the demo's metrics (its copied result keeps the template's
    # metric: the lift shown is a real answer, named after the template's metric).
    nodes = list(Metric.objects.values_list("pk", flat=True))
    ExperimentMetric.objects.bulk_create(
        (
            ExperimentMetric(experiment=e, metric_id=rng.choice(nodes), role="primary")
            for e in tests
        ),
        batch_size=5000,
    )
    runs = AnalysisRun.objects.bulk_create(
        (
            AnalysisRun(
                experiment=e,
                status="succeeded",
                fingerprint=f"{e.id:064d}",
                analysed_fingerprint=f"{e.id:064d}",
                trigger="schedule",
                queued_at=now,
                sent_at=now,
                started_at=now,
                finished_at=now,
            )
            for e in tests
        ),
        batch_size=5000,
    )
    AnalysisRun.objects.filter(pk__in=[r.pk for r in runs]).update(results_run_id=F("id"))
    AnalysisResult.objects.bulk_create(
        (
            result_copy(row, run, variants[(run.experiment_id, "A" if row.is_control else "B")])
            for run in runs
            for row in template
        ),
        batch_size=2000,
    )


def timed(call, repeats: int) -> list[float]:
    call()  # warm-up: the plan cache and the connection
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def text_plan(text: str) -> str:
    """EXPLAIN ANALYZE of the lookup's word candidates, as the lookup runs them."""
    from learnings import selectors

    lookup = selectors.similar_lookup(text)
    with selectors.title_threshold():
        return lookup.by_words.explain(analyze=True)


def measure(seed: bool = True) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from benchmarks.dashboard_bench import machine
    from learnings.selectors import similar_tests

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # demo alerts
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)
    if seed:
        call_command("load_demo_data", verbosity=0)
        started = time.perf_counter()
        generated_seed()
        print(f"seeded {GENERATED:,} tests in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM experiments_experiment")
        print(f"{cursor.fetchone()[0]:,} tests in all")
    viewer, _ = User.objects.get_or_create(username="bench.viewer")
    client = Client()
    client.force_login(viewer)
    lookup, endpoint, found = [], [], {}
    for text in TEXTS:
        lookup += timed(lambda t=text: similar_tests(t), REPEATS)

        def get(t=text):
            response = client.get("/api/v1/learnings/similar/", {"q": t})
            assert response.status_code == 200, response.content
            return response

        endpoint += timed(get, REPEATS)
        found[text] = [(r["title"], r["decision"], r["lift"]) for r in get().json()][:2]
    print(machine())
    print(f"plan of the text query for {TEXTS[0]!r}:")
    print(text_plan(TEXTS[0]))
    print(f"{len(TEXTS)} texts x {REPEATS} after a warm-up each")
    print(f"{'measure':32} {'median':>9} {'p95':>9} {'slowest':>9} {'target':>8}  verdict")
    rows = (("similar_tests() lookup", lookup), ("GET /api/v1/learnings/similar/", endpoint))
    for name, times in rows:
        med, p95 = statistics.median(times), percentile(times, 0.95)
        verdict = "ok" if p95 <= TARGET_MS else "OVER"
        slowest = max(times)
        print(f"{name:32} {med:7.1f}ms {p95:7.1f}ms {slowest:7.1f}ms {TARGET_MS:6.0f}ms  {verdict}")
    for text, rows in found.items():
        print(f"  {text[:50]!r}: {rows}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--keep", action="store_true", help="Keep the seeded database (seeding takes minutes)."
    )
    parser.add_argument(
        "--reuse", action="store_true", help="Measure a database kept by --keep, unseeded."
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)  # tasks in-process: no worker is measured here
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")
    if not args.reuse:
        database_create(args.database_url)
    try:
        measure(seed=not args.reuse)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_drop(args.database_url)


if __name__ == "__main__":
    main()
