"""The results page's server time with translation off, on in English, and on in Finnish.

The large results page of dashboard_bench (3 variants x 10 metrics x 21 days), read by the
Django test client: one warm-up, then ROUNDS rounds of REQUESTS GETs per setting, the settings
interleaved round by round so a busy machine slows each alike; the median per setting.
"Off" is USE_I18N=False without the two language middlewares; "fi" is the same reader with
language fi on the profile. Target: "fi" at most 5 % slower than "off".

    .venv/bin/python benchmarks/i18n_bench.py

It creates the PostgreSQL database growthlab_bench_i18n and drops it at the end.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dashboard_bench as dash

URL = os.environ.get(
    "I18N_BENCH_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/growthlab_bench_i18n"
)
ROUNDS, REQUESTS = 5, 10
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
    with off:
        assert '<html lang="en-gb">' in client_off.get(path).content.decode()
    times = {"off": [], "en": [], "fi": []}
    for _ in range(ROUNDS):
        with off:
            times["off"] += timed_gets(client_off, path)
        for language in ("en", "fi"):
            type(viewer).objects.filter(pk=viewer.pk).update(
                language="" if language == "en" else "fi"
            )
            page = client.get(path).content.decode()
            assert f'<html lang="{"en-gb" if language == "en" else "fi"}">' in page
            times[language] += timed_gets(client, path)
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
