"""The results page's server time with translation off, on in English, and on in Finnish.

The large results page of dashboard_bench (3 variants x 10 metrics x 21 days), read by the
Django test client. "Off" is USE_I18N=False (Django's null translation functions) without the
two language middlewares; "en" is a reader without a language of their own (the default,
British English); "fi" a reader with Finnish on the profile. Each setting has its own signed-in
client and reader, so nothing changes between requests but the setting itself.

Every setting gets the same warm-up (WARM_UP GETs each), then ROUNDS x REQUESTS triples: one GET
per setting, the order rotating from triple to triple, so a burst of load on the shared machine
slows the three alike and no setting always follows the "off" override's switch. Per setting:
the median wall time (the target figure) and the median process CPU time (this process only,
without PostgreSQL's share: less disturbed by the other processes on the machine); and the
median of the paired ratios (each triple's GET against its own "off" GET). Target: "en" and
"fi" at most 5 % slower than "off".

    .venv/bin/python benchmarks/i18n_bench.py

It creates the PostgreSQL database growthlab_bench_i18n and drops it at the end.
"""

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dashboard_bench as dash

URL = os.environ.get(
    "I18N_BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/growthlab_bench_i18n"
)
WARM_UP, ROUNDS, REQUESTS = 5, 6, 20
SETTINGS = ("off", "en", "fi")
LANGUAGE_MIDDLEWARE = {
    "django.middleware.locale.LocaleMiddleware",
    "accounts.middleware.PersonLanguageMiddleware",
}


@contextmanager
def translation_off(off):
    """USE_I18N=False for real: Django keeps the translation functions it picked first (see
    django.utils.translation.Trans), so they are dropped on the way in and out."""
    from django.utils import translation

    with off:
        translation._trans.__dict__.clear()
        try:
            yield
        finally:
            translation._trans.__dict__.clear()


def timed_get(name, off, client, path) -> tuple[float, float, str]:
    """(wall ms, CPU ms, page) of one GET in one setting."""

    def get():
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert response.status_code == 200
        return wall * 1000, cpu * 1000, response.content.decode()

    if name != "off":
        return get()
    with translation_off(off):
        from django.utils import translation

        assert translation._trans.gettext.__module__.endswith("trans_null")
        return get()


def measure() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client, override_settings

    from accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    experiment, _empty, viewer = dash.experiment_seed()
    path = f"/experiments/{experiment.pk}/results/"
    off = override_settings(
        USE_I18N=False, MIDDLEWARE=[m for m in settings.MIDDLEWARE if m not in LANGUAGE_MIDDLEWARE]
    )
    # A test client builds its middleware chain on its first request and keeps it, so each
    # setting has a client of its own; "off" and "en" read as the seeded viewer (no language),
    # "fi" as a second viewer with Finnish on the profile.
    finn = User.objects.create_user(username="bench.finn", password="bench-only", language="fi")
    clients = {name: Client() for name in SETTINGS}
    for name, client in clients.items():
        client.force_login(finn if name == "fi" else viewer)
    languages = {"off": "en-gb", "en": "en-gb", "fi": "fi"}
    for name in SETTINGS:
        for _ in range(WARM_UP):
            page = timed_get(name, off, clients[name], path)[2]
        assert f'<html lang="{languages[name]}">' in page, name
    wall = {name: [] for name in SETTINGS}
    cpu = {name: [] for name in SETTINGS}
    for triple in range(ROUNDS * REQUESTS):
        turn = triple % len(SETTINGS)
        for name in SETTINGS[turn:] + SETTINGS[:turn]:
            wall_ms, cpu_ms, _page = timed_get(name, off, clients[name], path)
            wall[name].append(wall_ms)
            cpu[name].append(cpu_ms)
    print(dash.machine())
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")
    base_wall, base_cpu = statistics.median(wall["off"]), statistics.median(cpu["off"])
    for name in SETTINGS:
        paired = statistics.median(w / o for w, o in zip(wall[name], wall["off"], strict=True))
        print(
            f"{name:>3}: wall median {statistics.median(wall[name]):6.1f} ms "
            f"({statistics.median(wall[name]) / base_wall - 1:+.1%} vs off, paired "
            f"{paired - 1:+.1%}), CPU median {statistics.median(cpu[name]):6.1f} ms "
            f"({statistics.median(cpu[name]) / base_cpu - 1:+.1%}) over {len(wall[name])} GETs"
        )


def main() -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "growthlab.settings")
    dash.database_create(URL)
    try:
        measure()
    finally:
        from django.db import connections

        connections.close_all()
        dash.database_drop(URL)


if __name__ == "__main__":
    main()
