"""The results page's server time with translation off, on in English, and on in Finnish.

The large results page of dashboard_bench (3 variants x 10 metrics x 21 days), read by the
Django test client: one warm-up, then ROUNDS rounds of REQUESTS GETs per setting, the settings
interleaved round by round so a busy machine slows each alike; the median per setting.
"Off" is USE_I18N=False (Django's null translation functions) without the two language
middlewares; "fi" is the same reader with
language fi on the profile. Target: "fi" at most 5 % slower than "off".

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
ROUNDS, REQUESTS = 6, 10
LANGUAGE_MIDDLEWARE = {
    "django.middleware.locale.LocaleMiddleware",
    "accounts.middleware.PersonLanguageMiddleware",
}


def timed_gets(client, path: str) -> list[float]:
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


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


def measure_setting(name, off, client, client_off, viewer, path) -> list[float]:
    """One round of one setting, after a warm-up GET that checks the page's language."""
    if name == "off":
        with translation_off(off):
            from django.utils import translation

            assert translation._trans.gettext.__module__.endswith("trans_null")
            assert '<html lang="en-gb">' in client_off.get(path).content.decode()
            return timed_gets(client_off, path)
    type(viewer).objects.filter(pk=viewer.pk).update(language="" if name == "en" else "fi")
    page = client.get(path).content.decode()
    assert f'<html lang="{"en-gb" if name == "en" else "fi"}">' in page
    return timed_gets(client, path)


def measure() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client, override_settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    experiment, _empty, viewer = dash.experiment_seed()
    path = f"/experiments/{experiment.pk}/results/"
    off = override_settings(
        USE_I18N=False, MIDDLEWARE=[m for m in settings.MIDDLEWARE if m not in LANGUAGE_MIDDLEWARE]
    )
    # A test client builds its middleware chain on its first request and keeps it, so the
    # setting without the language middlewares has a client of its own.
    client, client_off = Client(), Client()
    client.force_login(viewer)
    client_off.force_login(viewer)
    times = {"off": [], "en": [], "fi": []}
    settings_order = list(times)
    for round_number in range(ROUNDS):
        # Each setting goes first in some rounds: leaving the "off" override resets Django's
        # translation and format caches, which the setting after it would otherwise pay.
        turn = round_number % len(settings_order)
        for name in settings_order[turn:] + settings_order[:turn]:
            times[name] += measure_setting(name, off, client, client_off, viewer, path)
    print(dash.machine())
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")
    base = statistics.median(times["off"])
    for name, values in times.items():
        median = statistics.median(values)
        change = f"{median / base - 1:+.1%} vs off"
        print(f"{name:>3}: median {median:6.1f} ms over {len(values)} GETs ({change})")


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
