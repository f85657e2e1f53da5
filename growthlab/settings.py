"""GrowthLab settings: one module, driven by the environment.

With no environment at all this is the local demo: SQLite, tasks run in-process, debug on.
Production sets DEBUG=false and must then give DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and EMAIL_URL; a missing or weak value stops start-up with its name.
`.env.example` lists every variable.
"""

import base64
import hashlib
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

from growthlab.env import (
    env_flag,
    env_int,
    env_list,
    env_required,
    smtp_mailer,
    strong_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env_flag("DEBUG", default=True)  # no environment at all means the local demo

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="demo-only-never-deployed")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = strong_secret("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[]) or [env_required("ALLOWED_HOSTS")]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.admin_apps.GrowthLabAdminConfig",  # django.contrib.admin, sign-in throttled
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "growthlab.web",
    "accounts",
    "experiments",
    "metrics",
    "sprints",
    "learnings",
    "analysis",
    "dashboard",
    "jobs",
    "digests",
    "notifications",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "growthlab.urls"
WSGI_APPLICATION = "growthlab.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.memberships",
            ],
        },
    },
]

# An empty DATABASE_URL (as compose files and shells often leave it) means the demo default.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'demo.db'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reuse connections between requests; health checks drop ones the server closed.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # SQLite waits for the in-process task writer instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if not DEBUG and not REDIS_URL:
    env_required("REDIS_URL")

# The login throttle and API throttles count in the cache: Redis makes them hold across
# every web process; the demo has one process, so local memory is enough.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "experiments:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins allowed within the window (accounts/throttle.py): per user name from one
# address, per user name from all addresses, and per address before the names that failed
# from it are locked there.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_USER_LIMIT = env_int("LOGIN_FAILURE_USER_LIMIT", default=20)
LOGIN_FAILURE_ADDRESS_LIMIT = env_int("LOGIN_FAILURE_ADDRESS_LIMIT", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
# Reverse proxies in front of gunicorn that append the client's address to X-Forwarded-For.
# 0: the header is ignored (a client could write anything in it) and the connection's address
# is the client's. Behind one nginx or load balancer: 1.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)

# The organisation's default language: a person without a language of their own, and the
# sign-in page when the browser asks for none of LANGUAGES, read GrowthLab in it.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-gb")
LANGUAGES = [
    ("en-gb", "English"),
    ("fi", "Suomi"),
    ("sv", "Svenska"),
    ("nl", "Nederlands"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Per-language number and date formats over Django's own (growthlab/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["growthlab.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
SCREENSHOT_MAX_BYTES = env_int("SCREENSHOT_MAX_BYTES", default=5 * 1024 * 1024)

# Data sent to plotly.js travels as JSON in <script type="application/json">, which the
# policy treats as data; every script and style comes from our own origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    # gunicorn sits behind a TLS-terminating proxy that sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Mail: the console in the demo; production sends through SMTP from EMAIL_URL
# (smtp+tls://user:password@host:587).
if DEBUG and not env.str("EMAIL_URL", default=""):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {"default": smtp_mailer(env_required("EMAIL_URL"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="GrowthLab <growthlab@localhost>")
# Where people reach this site: links in e-mails and webhook messages point back to it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Weekly digests go out on Monday from this hour (in each team's time zone) until noon.
DIGEST_LOCAL_HOUR = env_int("DIGEST_LOCAL_HOUR", default=7)

# --- Celery -----------------------------------------------------------------------------
# The demo has no broker: tasks run in-process, and the in-memory transport keeps Celery from
# looking for a Redis on localhost.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None  # results live in PostgreSQL rows, never in the broker
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # the demo runs tasks in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE

# Reliability: a task is acknowledged only once it has finished, so a worker
# that dies mid-task leaves the message on the broker for another worker to run again.
CELERY_TASK_ACKS_LATE = True
# ...and a pool child killed by the OS (out of memory, SIGKILL) requeues its message too.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message reserved per process: a 10-million-row load must not hold back queued work
# that an idle worker could take.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A soft limit raises inside the task so it can record its failure; the hard limit kills it.
CELERY_TASK_SOFT_TIME_LIMIT = 15 * 60
CELERY_TASK_TIME_LIMIT = 20 * 60
# Redis re-delivers an unacknowledged message after the visibility timeout; it must exceed the
# hard time limit, or a long task would be handed to a second worker while still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
# Separate queues so a slow warehouse query cannot starve uploads or analyses. A worker
# started without -Q consumes every queue listed here.
CELERY_TASK_QUEUES = {name: {} for name in ("celery", "ingestion", "analysis", "scheduled")}
CELERY_TASK_ROUTES = {
    "metrics.tasks.data_load_*": {"queue": "ingestion"},
    "analysis.tasks.analysis_*": {"queue": "analysis"},
    "*.scheduled_*": {"queue": "scheduled"},
}
# A worker that loses Redis keeps trying to reconnect, at start-up and later, instead of
# exiting: the broker coming back must be enough for work to resume.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# An analysis in flight when Redis goes away is finished, not abandoned: its result is written
# to PostgreSQL, and the claim on its row makes the later redelivery a no-op.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Every running test is re-analysed at least every 6 hours, once more right after the daily
# data lands (ANALYSIS_AFTER_DAILY_DATA_HOUR, local time), and the watchdog sweeps every
# minute so a run whose worker died is queued again within a few minutes.
ANALYSIS_AFTER_DAILY_DATA_HOUR = env_int("ANALYSIS_AFTER_DAILY_DATA_HOUR", default=7)
# SQL data sources are pulled again every few hours (outcomes-sql-refresh below).
SQL_REFRESH_HOURS = env_int("SQL_REFRESH_HOURS", default=6)
CELERY_BEAT_SCHEDULE = {
    "analysis-refresh-every-6-hours": {
        "task": "analysis.tasks.scheduled_analysis_refresh_task",
        "schedule": crontab(minute=0, hour="*/6"),
    },
    "analysis-refresh-after-daily-data": {
        "task": "analysis.tasks.scheduled_analysis_refresh_task",
        "schedule": crontab(minute=30, hour=ANALYSIS_AFTER_DAILY_DATA_HOUR),
    },
    # A job whose worker died goes back to the queue; one whose message was lost is sent again.
    "jobs-watchdog": {
        "task": "jobs.tasks.scheduled_job_watchdog_task",
        "schedule": 60.0,
    },
    # Running experiments with a SQL source pull it again; a pull already waiting absorbs this.
    "outcomes-sql-refresh": {
        "task": "metrics.tasks.scheduled_sql_refresh_task",
        "schedule": crontab(minute=15, hour=f"*/{SQL_REFRESH_HOURS}"),
    },
    # Each hour beat asks which teams are at Monday morning in their zone; each person's
    # weekly digest is made once (a unique row), so asking again changes nothing.
    "digests-monday-morning": {
        "task": "digests.tasks.scheduled_digest_fanout_task",
        "schedule": crontab(minute=5),
    },
    # Alerts only the clock reveals: no new data past the grace period, planned ends, reviews.
    "notifications-alerts-sweep": {
        "task": "notifications.tasks.scheduled_alerts_sweep_task",
        "schedule": crontab(minute=5),
    },
    # Shipped tests' read-backs that came due are queued (or wait for data); each moves once.
    "learnings-readbacks-due": {
        "task": "learnings.tasks.scheduled_readback_sweep_task",
        "schedule": crontab(minute=25),
    },
    # Stored uploads that no data load owns (abandoned before mapping) are deleted after a day.
    "outcomes-uploads-sweep": {
        "task": "metrics.ingestion.sweep.scheduled_uploads_sweep_task",
        "schedule": crontab(minute=45),
    },
}
CELERY_IMPORTS = ["metrics.ingestion.sweep"]  # its task lives beside the sweep, not in tasks.py
# Outcome uploads: the largest file accepted, stored under MEDIA_ROOT/uploads/.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", default=500 * 1024 * 1024)
# Fernet key that encrypts saved warehouse URLs (their passwords) at rest. The demo derives
# one from SECRET_KEY so it runs with no setup; production sets its own, so that rotating
# SECRET_KEY does not make every saved connection unreadable. Without it, production starts
# but refuses to save a SQL source (metrics.ingestion.vault says which variable to set).
_DEMO_DATA_SOURCE_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(f"growthlab-data-source:{SECRET_KEY}".encode()).digest()
).decode()
DATA_SOURCE_KEY = env.str("DATA_SOURCE_KEY", default=_DEMO_DATA_SOURCE_KEY if DEBUG else "")

# --- REST API (/api/v1/) -------------------------------------------------------------------
# Token first: an anonymous request then gets a 401 saying how to authenticate. Never HTTP
# Basic, so that no API request pays for a password hash.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.api.permissions.ReadOrRoleWrite"],
    "DEFAULT_PAGINATION_CLASS": "growthlab.rest.pagination.ApiPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "growthlab.rest.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "growthlab.rest.throttling.UserThrottle",
        "growthlab.rest.throttling.ExportThrottle",
        "growthlab.rest.throttling.ExpensiveThrottle",
    ],
    # Per token (or per user on a session), counted in the cache: Redis outside the demo.
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="1200/minute"),
        "export": env.str("API_RATE_EXPORT", default="30/minute"),
        "expensive": env.str("API_RATE_EXPENSIVE", default="120/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GrowthLab API",
    "DESCRIPTION": "Ideas, experiments, metrics, sprints and the statistics engine, for "
    "analysts. Authenticate with `Authorization: Token <key>` (create a key on your profile "
    "page). Every list answers JSON pages or, with `Accept: text/csv` or `?format=csv`, "
    "a spreadsheet-safe CSV of every matching row.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" or a "role": each set of choices gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "TeamRoleEnum": "accounts.models.Role",
        "MetricRoleEnum": "experiments.models.MetricRole",
        "IdeaStatusEnum": "experiments.models.Idea.Status",
        "ExperimentStatusEnum": "experiments.models.Experiment.Status",
        "SprintStatusEnum": "sprints.models.Sprint.Status",
        "RunStatusEnum": "analysis.models.RunStatus",  # data loads share these four states
        "DataLoadKindEnum": "metrics.models.DataLoad.Kind",
        "MetricKindEnum": "metrics.models.MetricKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
